#pragma once
// What the model manager knows about one GGUF file, read with the GGUF
// reader (metadata and tensor descriptions only; the weights stay on disk).
#include <QMetaType>
#include <QString>

namespace outpost::ui {

struct ModelInfo {
    QString path;            // absolute, as found (a symlink is not resolved)
    QString fileName;
    QString name;            // general.name, else the file name without .gguf
    QString source;          // which app's folder it was found in ("Ollama", "LM Studio", ...) or the folder
    qint64 sizeBytes = 0;
    QString architecture;    // general.architecture
    quint64 parameters = 0;  // total tensor elements
    QString quantisation;    // from general.file_type, else the type holding most bytes
    qint64 contextLength = 0; // <arch>.context_length; 0 when absent
    int tensorCount = 0;
    int splitCount = 1;      // files of a split model (gguf-split's split.count); size, parameters and tensors cover all
    bool continuation = false; // a later part of a split model: listed through its first part, not on its own
    QString error;           // non-empty: the file could not be read; the other fields are partial

    bool ok() const { return error.isEmpty(); }
};

// Reads the metadata of `path`. Never throws or crashes on bad files: a
// file that is not valid GGUF gives a ModelInfo whose error says why
// (with the reader's file/position/reason message).
// Split models (name-00001-of-00003.gguf, split.no/split.count keys): the
// first part describes the whole model, reading the other parts' tensor
// descriptions; a missing or unreadable part is its error. Later parts come
// back with `continuation` set.
ModelInfo inspectModelFile(const QString& path, const QString& source = {});

// True when the file starts with the GGUF magic (used for files without a
// .gguf suffix, such as Ollama's blobs). False when unreadable.
bool hasGgufMagic(const QString& path);

// The name llama.cpp gives a general.file_type value ("Q4_K_M"), or an
// empty string for numbers it does not define.
QString fileTypeName(qint64 fileType);

// "1.1 B", "135 M", "12 K" (parameters); "4.1 GB" style sizes use
// QLocale::formattedDataSize.
QString formatParameters(quint64 count);

} // namespace outpost::ui

Q_DECLARE_METATYPE(outpost::ui::ModelInfo)
