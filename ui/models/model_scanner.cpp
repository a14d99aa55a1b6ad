#include "ui/models/model_scanner.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSet>

namespace outpost::ui {

ModelScanner::ModelScanner(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<outpost::ui::ModelInfo>();
    qRegisterMetaType<QList<outpost::ui::ModelInfo>>();
    qRegisterMetaType<outpost::ui::ScanFolder>();
    qRegisterMetaType<QList<outpost::ui::ScanFolder>>();
}

QList<ScanFolder> ModelScanner::wellKnownFolders(const QString& home)
{
    const QDir h(home);
    return {
        {h.filePath(QStringLiteral(".cache/llama.cpp")), QStringLiteral("llama.cpp"), false},
        {h.filePath(QStringLiteral(".ollama/models/blobs")), QStringLiteral("Ollama"), true},
        {h.filePath(QStringLiteral(".cache/lm-studio/models")), QStringLiteral("LM Studio"), false},
        {h.filePath(QStringLiteral(".lmstudio/models")), QStringLiteral("LM Studio"), false},
        {h.filePath(QStringLiteral(".cache/huggingface/hub")), QStringLiteral("Hugging Face"), false},
        {h.filePath(QStringLiteral("Models")), QStringLiteral("~/Models"), false},
        {h.filePath(QStringLiteral("models")), QStringLiteral("~/models"), false},
    };
}

void ModelScanner::scan(const QList<ScanFolder>& folders)
{
    struct Candidate {
        QString path;
        QString label;
    };
    QList<Candidate> candidates;
    QSet<QString> seen;
    QElapsedTimer sinceReport;
    sinceReport.start();

    // Phase 1: find candidates (cheap: names, plus a 4-byte read for blobs).
    for (const ScanFolder& folder : folders) {
        if (m_cancel.load())
            break;
        if (!QFileInfo(folder.path).isDir())
            continue;
        QDirIterator it(folder.path, QDir::Files | QDir::Readable | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            if (m_cancel.load())
                break;
            const QString path = it.next();
            const QFileInfo fi = it.fileInfo();
            const bool named = fi.fileName().endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive);
            if (!named && !(folder.checkMagic && fi.size() >= 4 && hasGgufMagic(path)))
                continue;
            const QString canonical = fi.canonicalFilePath();
            if (canonical.isEmpty() || seen.contains(canonical))
                continue;
            // Dedupe by the real file, but show the path as found: the
            // Hugging Face hub names a model by its snapshot symlink, while
            // the target is a blob named by its hash.
            seen.insert(canonical);
            candidates.push_back({fi.absoluteFilePath(), folder.label});
            if (sinceReport.elapsed() > 100) {
                emit progress(0, -1, path);
                sinceReport.restart();
            }
        }
    }

    // Phase 2: read each file's metadata; report in batches so a folder of
    // thousands of files does not flood the UI thread with events.
    QList<ModelInfo> batch;
    const int total = int(candidates.size());
    emit progress(0, total, QString());
    sinceReport.restart();
    for (int i = 0; i < total; ++i) {
        if (m_cancel.load())
            break;
        ModelInfo info = inspectModelFile(candidates[i].path, candidates[i].label);
        // Later parts of a split model are listed through their first part.
        if (!info.continuation)
            batch.push_back(std::move(info));
        if (sinceReport.elapsed() > 50 || batch.size() >= 64) {
            if (!batch.isEmpty())
                emit modelsFound(batch);
            batch.clear();
            emit progress(i + 1, total, candidates[i].path);
            sinceReport.restart();
        }
    }
    if (!batch.isEmpty())
        emit modelsFound(batch);
    const bool cancelled = m_cancel.load();
    if (!cancelled)
        emit progress(total, total, QString());
    emit finished(cancelled);
}

} // namespace outpost::ui
