#pragma once
// Finds GGUF files under a set of folders and reads their metadata, on a
// worker thread. ModelManager owns one scanner moved to its own QThread and
// talks to it only through queued signals; cancel() may be called from any
// thread and makes the running scan stop at the next file or folder entry.
#include "ui/models/model_info.h"

#include <QList>
#include <QObject>
#include <QStringList>

#include <atomic>

namespace outpost::ui {

struct ScanFolder {
    QString path;
    QString label;          // shown in the Source column
    bool checkMagic = false; // files without .gguf are models when they start with "GGUF" (Ollama blobs)
};

class ModelScanner : public QObject {
    Q_OBJECT

public:
    explicit ModelScanner(QObject* parent = nullptr);

    // The usual model folders of other local LLM apps under `home`
    // (llama.cpp's cache, Ollama's blobs, LM Studio, the Hugging Face hub,
    // ~/Models, ~/models), whether or not they exist.
    static QList<ScanFolder> wellKnownFolders(const QString& home);

    // Thread-safe; stops the scan in progress, or the next one if it has
    // not started yet (it then emits finished(true)).
    void cancel() { m_cancel.store(true); }
    // Clears a cancel(); the owner calls it before queueing a scan, so a
    // cancel() that races with the scan's start is never lost.
    void resetCancel() { m_cancel.store(false); }

public slots:
    // Walks `folders` (missing ones are skipped), then inspects each
    // candidate file. Symbolic links to files are followed (the Hugging Face
    // hub links snapshots to blobs) and listed under the link's path; the
    // same file reached twice is listed once. Emits progress() and batches of modelsFound(), then finished().
    void scan(const QList<outpost::ui::ScanFolder>& folders);

signals:
    // `done` of `total` files inspected; total is -1 while still searching.
    void progress(int done, int total, const QString& current);
    void modelsFound(const QList<outpost::ui::ModelInfo>& models);
    void finished(bool cancelled);

private:
    std::atomic<bool> m_cancel{false};
};

} // namespace outpost::ui

Q_DECLARE_METATYPE(outpost::ui::ScanFolder)
