#include "ui/models/model_info.h"

#include "inference/gguf/gguf_file.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>

#include <map>

namespace outpost::ui {

QString fileTypeName(qint64 fileType)
{
    // llama.cpp's llama_ftype numbering (published in llama.h); gaps are
    // types that were removed.
    switch (fileType) {
    case 0: return QStringLiteral("F32");
    case 1: return QStringLiteral("F16");
    case 2: return QStringLiteral("Q4_0");
    case 3: return QStringLiteral("Q4_1");
    case 7: return QStringLiteral("Q8_0");
    case 8: return QStringLiteral("Q5_0");
    case 9: return QStringLiteral("Q5_1");
    case 10: return QStringLiteral("Q2_K");
    case 11: return QStringLiteral("Q3_K_S");
    case 12: return QStringLiteral("Q3_K_M");
    case 13: return QStringLiteral("Q3_K_L");
    case 14: return QStringLiteral("Q4_K_S");
    case 15: return QStringLiteral("Q4_K_M");
    case 16: return QStringLiteral("Q5_K_S");
    case 17: return QStringLiteral("Q5_K_M");
    case 18: return QStringLiteral("Q6_K");
    case 19: return QStringLiteral("IQ2_XXS");
    case 20: return QStringLiteral("IQ2_XS");
    case 21: return QStringLiteral("Q2_K_S");
    case 22: return QStringLiteral("IQ3_XS");
    case 23: return QStringLiteral("IQ3_XXS");
    case 24: return QStringLiteral("IQ1_S");
    case 25: return QStringLiteral("IQ4_NL");
    case 26: return QStringLiteral("IQ3_S");
    case 27: return QStringLiteral("IQ3_M");
    case 28: return QStringLiteral("IQ2_S");
    case 29: return QStringLiteral("IQ2_M");
    case 30: return QStringLiteral("IQ4_XS");
    case 31: return QStringLiteral("IQ1_M");
    case 32: return QStringLiteral("BF16");
    case 36: return QStringLiteral("TQ1_0");
    case 37: return QStringLiteral("TQ2_0");
    case 38: return QStringLiteral("MXFP4");
    default: return {};
    }
}

QString formatParameters(quint64 count)
{
    const QLocale locale;
    if (count >= 1'000'000'000ULL)
        return locale.toString(double(count) / 1e9, 'f', 1) + QStringLiteral(" B");
    if (count >= 1'000'000ULL)
        return locale.toString(double(count) / 1e6, 'f', 0) + QStringLiteral(" M");
    if (count >= 1'000ULL)
        return locale.toString(double(count) / 1e3, 'f', 0) + QStringLiteral(" K");
    return locale.toString(count);
}

bool hasGgufMagic(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    return f.read(4) == QByteArrayLiteral("GGUF");
}

ModelInfo inspectModelFile(const QString& path, const QString& source)
{
    ModelInfo info;
    const QFileInfo fi(path);
    info.path = fi.absoluteFilePath();
    info.fileName = fi.fileName();
    info.name = fi.fileName().endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive) ? fi.fileName().chopped(5) : fi.fileName();
    info.source = source;
    info.sizeBytes = fi.size();

    auto opened = inference::gguf::GgufFile::open(QFile::encodeName(info.path).toStdString());
    if (!opened) {
        info.error = QString::fromStdString(opened.error());
        return info;
    }
    const auto& file = **opened;
    info.architecture = QString::fromUtf8(file.architecture().data(), qsizetype(file.architecture().size()));
    if (auto name = file.getString("general.name"); name && !name->empty())
        info.name = QString::fromStdString(*name);
    info.parameters = file.elementCount();
    info.tensorCount = int(file.tensors().size());
    if (!file.architecture().empty())
        if (auto ctx = file.getInt(std::string(file.architecture()) + ".context_length"))
            info.contextLength = *ctx;

    // Split models: the first part speaks for all of them.
    const auto splitNo = file.getInt("split.no");
    const auto splitCount = file.getInt("split.count");
    std::map<std::string_view, std::uint64_t> bytesByType;
    for (const auto& t : file.tensors())
        bytesByType[t.typeName()] += t.bytes;
    std::vector<std::unique_ptr<inference::gguf::GgufFile>> parts; // keep type names alive
    if (splitNo && *splitNo > 0) {
        info.continuation = true;
        return info;
    }
    if (splitCount && *splitCount > 1) {
        static const QRegularExpression pattern(QStringLiteral("^(.*)-(\\d{5})-of-(\\d{5})\\.gguf$"), QRegularExpression::CaseInsensitiveOption);
        const auto match = pattern.match(fi.fileName());
        if (!match.hasMatch()) {
            info.error = QCoreApplication::translate("outpost::ui::ModelInfo",
                                                     "%1: split.count is %2 but the file name does not follow the name-00001-of-%3.gguf pattern")
                             .arg(info.path).arg(*splitCount).arg(*splitCount, 5, 10, QLatin1Char('0'));
            return info;
        }
        info.splitCount = int(*splitCount);
        if (!file.getString("general.name"))
            info.name = match.captured(1);
        for (int part = 2; part <= info.splitCount; ++part) {
            const QString partPath = fi.dir().filePath(
                QStringLiteral("%1-%2-of-%3.gguf").arg(match.captured(1)).arg(part, 5, 10, QLatin1Char('0')).arg(match.captured(3)));
            if (!QFileInfo::exists(partPath)) {
                info.error = QCoreApplication::translate("outpost::ui::ModelInfo", "%1: part %2 of %3 is missing")
                                 .arg(partPath).arg(part).arg(info.splitCount);
                return info;
            }
            auto other = inference::gguf::GgufFile::open(QFile::encodeName(partPath).toStdString());
            if (!other) {
                info.error = QString::fromStdString(other.error());
                return info;
            }
            info.sizeBytes += QFileInfo(partPath).size();
            info.parameters += (*other)->elementCount();
            info.tensorCount += int((*other)->tensors().size());
            for (const auto& t : (*other)->tensors())
                bytesByType[t.typeName()] += t.bytes;
            parts.push_back(std::move(*other));
        }
    }

    if (auto ft = file.getInt("general.file_type"))
        info.quantisation = fileTypeName(*ft);
    if (info.quantisation.isEmpty()) {
        // No (known) file type: name it after the type that holds most of
        // the weights' bytes, which is what a user means by "quantisation".
        std::uint64_t best = 0;
        for (const auto& [type, bytes] : bytesByType)
            if (bytes > best) {
                best = bytes;
                info.quantisation = QString::fromUtf8(type.data(), qsizetype(type.size()));
            }
    }
    return info;
}

} // namespace outpost::ui
