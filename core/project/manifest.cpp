#include "core/project/manifest.h"

#include <QRegularExpression>

namespace outpost::core {

bool isValidName(const QString& name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z][A-Za-z0-9_-]{0,63}$"));
    return pattern.match(name).hasMatch();
}

namespace {

bool isValidVersion(const QString& version)
{
    // Semantic versioning: MAJOR.MINOR.PATCH with optional -pre and +build.
    static const QRegularExpression pattern(
        QStringLiteral("^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$"));
    return pattern.match(version).hasMatch();
}

} // namespace

Loaded<Manifest> Manifest::fromJson(Json document, const QString& file)
{
    Loaded<Manifest> out;
    const auto error = [&](const QString& path, const QString& message) {
        out.diagnostics.push_back({Diagnostic::Severity::Error, file, path, 0, 0, message});
    };
    if (!document.is_object()) {
        error({}, tr("the manifest must be a JSON object, not %1").arg(jsonTypeName(document)));
        return out;
    }

    const auto requireString = [&](const char* key) -> std::optional<QString> {
        const QString path = jsonPointer({key});
        if (!document.contains(key)) {
            error(path, tr("missing required field \"%1\"").arg(QLatin1String(key)));
            return std::nullopt;
        }
        const Json& v = document[key];
        if (!v.is_string()) {
            error(path, tr("\"%1\" must be a string, not %2").arg(QLatin1String(key), jsonTypeName(v)));
            return std::nullopt;
        }
        return QString::fromStdString(v.get<std::string>());
    };

    if (!document.contains("schemaVersion")) {
        error(QStringLiteral("/schemaVersion"), tr("missing required field \"schemaVersion\""));
    } else {
        const Json& v = document["schemaVersion"];
        if (!v.is_number_integer())
            error(QStringLiteral("/schemaVersion"), tr("\"schemaVersion\" must be an integer, not %1").arg(jsonTypeName(v)));
        else if (v.get<long long>() != kSchemaVersion)
            error(QStringLiteral("/schemaVersion"),
                  tr("schema version %1 is not supported; this Outpost reads version %2")
                      .arg(v.get<long long>())
                      .arg(kSchemaVersion));
    }

    if (const auto name = requireString("name"); name && !isValidName(*name))
        error(QStringLiteral("/name"),
              tr("\"%1\" is not a valid project name: use a letter, then letters, digits, \"_\" or \"-\" (at most 64)")
                  .arg(*name));
    if (const auto version = requireString("version"); version && !isValidVersion(*version))
        error(QStringLiteral("/version"), tr("\"%1\" is not a semantic version such as 1.0.0").arg(*version));

    for (const char* key : {"defaultModel", "description"}) {
        if (document.contains(key) && !document[key].is_string())
            error(jsonPointer({key}),
                  tr("\"%1\" must be a string, not %2").arg(QLatin1String(key), jsonTypeName(document[key])));
    }

    static const char* const known[] = {"schemaVersion", "name", "version", "defaultModel", "description"};
    for (const auto& item : document.items()) {
        const bool isKnown = std::any_of(std::begin(known), std::end(known),
                                         [&](const char* k) { return item.key() == k; });
        if (!isKnown)
            out.diagnostics.push_back({Diagnostic::Severity::Warning, file, jsonPointer({item.key()}), 0, 0,
                                       tr("unknown field \"%1\" is kept but not used").arg(QString::fromStdString(item.key()))});
    }

    if (!hasErrors(out.diagnostics))
        out.value = Manifest(std::move(document));
    return out;
}

Manifest Manifest::create(const QString& name)
{
    Json doc = Json::object();
    doc["schemaVersion"] = kSchemaVersion;
    doc["name"] = name.toStdString();
    doc["version"] = "0.1.0";
    return Manifest(std::move(doc));
}

QString Manifest::stringField(const char* key) const
{
    const auto it = m_document.find(key);
    if (it == m_document.end() || !it->is_string())
        return {};
    return QString::fromStdString(it->get<std::string>());
}

void Manifest::setStringField(const char* key, const QString& value, bool removeWhenEmpty)
{
    if (removeWhenEmpty && value.isEmpty())
        m_document.erase(key);
    else
        m_document[key] = value.toStdString();
}

QString Manifest::name() const { return stringField("name"); }
QString Manifest::version() const { return stringField("version"); }
QString Manifest::defaultModel() const { return stringField("defaultModel"); }
QString Manifest::description() const { return stringField("description"); }
void Manifest::setName(const QString& name) { setStringField("name", name, false); }
void Manifest::setVersion(const QString& version) { setStringField("version", version, false); }
void Manifest::setDefaultModel(const QString& model) { setStringField("defaultModel", model, true); }
void Manifest::setDescription(const QString& description) { setStringField("description", description, true); }

} // namespace outpost::core
