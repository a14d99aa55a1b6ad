#pragma once
// outpost.json, the project manifest: the project's name, version and default
// model. The document keeps every key it was read with, in order, so saving
// what was loaded gives the same bytes.
#include "core/project/json_document.h"

#include <QString>

namespace outpost::core {

class Manifest {
    Q_DECLARE_TR_FUNCTIONS(outpost::core::Manifest)

public:
    static constexpr int kSchemaVersion = 1;
    static constexpr const char* kFileName = "outpost.json";

    // Validates a parsed document; `file` names it in the diagnostics.
    static Loaded<Manifest> fromJson(Json document, const QString& file);
    static Manifest create(const QString& name);

    QString name() const;
    QString version() const;
    QString defaultModel() const;   // empty when none
    QString description() const;    // empty when none

    void setName(const QString& name);
    void setVersion(const QString& version);
    void setDefaultModel(const QString& model);
    void setDescription(const QString& description);

    const Json& json() const { return m_document; }

private:
    explicit Manifest(Json document) : m_document(std::move(document)) {}
    QString stringField(const char* key) const;
    void setStringField(const char* key, const QString& value, bool removeWhenEmpty);

    Json m_document;
};

// Project and agent class names: a letter, then letters, digits, "_" or "-",
// at most 64 characters. They name files and URLs, so nothing else is allowed.
bool isValidName(const QString& name);

} // namespace outpost::core
