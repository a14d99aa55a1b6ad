// outpost model-info FILE: what a GGUF model file holds (architecture, size,
// shape, tokenizer, chat template), read from its header only.
#include "cli/command.h"

#include "inference/gguf/gguf_file.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTextStream>

#include <map>

namespace outpost::cli {

namespace {

using inference::gguf::GgufFile;
using inference::gguf::Value;

QString tr(const char* text) { return QCoreApplication::translate("outpost::cli", text); }

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

// "292.80 K", "7.24 B": the way model sizes are usually quoted.
QString humanCount(std::uint64_t n)
{
    const double v = static_cast<double>(n);
    if (n >= 1'000'000'000ull)
        return QString::number(v / 1e9, 'f', 2) + QStringLiteral(" B");
    if (n >= 1'000'000ull)
        return QString::number(v / 1e6, 'f', 2) + QStringLiteral(" M");
    if (n >= 1'000ull)
        return QString::number(v / 1e3, 'f', 2) + QStringLiteral(" K");
    return QString::number(n);
}

QString humanBytes(std::uint64_t n)
{
    return QLocale::system().formattedDataSize(static_cast<qint64>(n), 2, QLocale::DataSizeTraditionalFormat);
}

// Some architectures store per-layer values (an array) where most store one
// number, e.g. head_count_kv; report the largest and say it varies.
struct Number {
    std::optional<double> value;
    bool perLayer = false;
};

Number number(const GgufFile& f, const std::string& key)
{
    const Value* v = f.find(key);
    if (!v)
        return {};
    if (v->isArray()) {
        std::optional<double> best;
        for (std::size_t k = 0; k < v->size(); ++k)
            if (auto x = v->at(k).asFloat(); x && (!best || *x > *best))
                best = x;
        return {best, true};
    }
    return {v->asFloat(), false};
}

QString show(const Number& n)
{
    if (!n.value)
        return QStringLiteral("-");
    QString s = QString::number(*n.value, 'g', 10);
    if (n.perLayer)
        s += QLatin1Char(' ') + tr("(per layer, largest shown)");
    return s;
}

QJsonValue json(const Number& n)
{
    return n.value ? QJsonValue(*n.value) : QJsonValue(QJsonValue::Null);
}

} // namespace

int runModelInfo(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Show what a GGUF model file holds: architecture, parameters, tensor types, "
                                        "shape, tokenizer and chat template."));
    parser.addHelpOption();
    const QCommandLineOption jsonOption(QStringLiteral("json"), tr("Print one JSON object."));
    parser.addOption(jsonOption);
    parser.addPositionalArgument(QStringLiteral("FILE"), tr("The .gguf file."));
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (const auto exit = parseCommandLine(parser, "model-info", args))
        return *exit;
    if (parser.positionalArguments().size() != 1) {
        err << tr("outpost model-info: give exactly one FILE (see --help)") << "\n";
        return kExitUsage;
    }

    const QString path = parser.positionalArguments().front();
    auto opened = GgufFile::open(path.toStdString());
    if (!opened) {
        err << tr("outpost model-info: %1").arg(QString::fromStdString(opened.error())) << "\n";
        return kExitFailure;
    }
    const GgufFile& f = **opened;

    const std::string arch(f.architecture());
    const auto key = [&](const char* suffix) { return arch + "." + suffix; };
    const QString name = qs(f.getStringView("general.name").value_or(""));
    const std::uint64_t params = f.elementCount();

    struct TypeUse {
        int tensors = 0;
        std::uint64_t bytes = 0;
        bool supported = true;
    };
    std::map<std::string, TypeUse> types;
    for (const auto& t : f.tensors()) {
        auto& use = types[std::string(t.typeName())];
        ++use.tensors;
        use.bytes += t.bytes;
        use.supported = t.typeSupported();
    }

    const Number context = number(f, key("context_length"));
    const Number embedding = number(f, key("embedding_length"));
    const Number layers = number(f, key("block_count"));
    const Number heads = number(f, key("attention.head_count"));
    const Number kvHeads = number(f, key("attention.head_count_kv"));
    const Number feedForward = number(f, key("feed_forward_length"));
    const Number ropeDims = number(f, key("rope.dimension_count"));
    const Number ropeBase = number(f, key("rope.freq_base"));
    const QString ropeScaling = qs(f.getStringView(key("rope.scaling.type")).value_or(""));
    const Number ropeFactor = number(f, key("rope.scaling.factor"));
    const QString tokenizer = qs(f.getStringView("tokenizer.ggml.model").value_or(""));
    const auto tokens = f.getStringArray("tokenizer.ggml.tokens");
    const std::size_t vocab = tokens ? tokens->size() : 0;
    const QString chatTemplate = qs(f.getStringView("tokenizer.chat_template").value_or(""));

    if (parser.isSet(jsonOption)) {
        QJsonArray typeList;
        for (const auto& [typeName, use] : types)
            typeList.append(QJsonObject{{QStringLiteral("type"), QString::fromStdString(typeName)},
                                        {QStringLiteral("tensors"), use.tensors},
                                        {QStringLiteral("bytes"), static_cast<double>(use.bytes)},
                                        {QStringLiteral("supported"), use.supported}});
        const QJsonObject rope{{QStringLiteral("dimension_count"), json(ropeDims)},
                               {QStringLiteral("freq_base"), json(ropeBase)},
                               {QStringLiteral("scaling_type"), ropeScaling.isEmpty() ? QJsonValue() : QJsonValue(ropeScaling)},
                               {QStringLiteral("scaling_factor"), json(ropeFactor)}};
        const QJsonObject tok{{QStringLiteral("model"), tokenizer.isEmpty() ? QJsonValue() : QJsonValue(tokenizer)},
                              {QStringLiteral("vocab_size"), static_cast<double>(vocab)}};
        const QJsonObject o{
            {QStringLiteral("file"), path},
            {QStringLiteral("file_size"), static_cast<double>(f.fileSize())},
            {QStringLiteral("gguf_version"), static_cast<int>(f.version())},
            {QStringLiteral("alignment"), static_cast<double>(f.alignment())},
            {QStringLiteral("architecture"), arch.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(arch))},
            {QStringLiteral("name"), name.isEmpty() ? QJsonValue() : QJsonValue(name)},
            {QStringLiteral("parameters"), static_cast<double>(params)},
            {QStringLiteral("tensor_count"), static_cast<double>(f.tensors().size())},
            {QStringLiteral("tensor_types"), typeList},
            {QStringLiteral("context_length"), json(context)},
            {QStringLiteral("embedding_length"), json(embedding)},
            {QStringLiteral("block_count"), json(layers)},
            {QStringLiteral("head_count"), json(heads)},
            {QStringLiteral("head_count_kv"), json(kvHeads)},
            {QStringLiteral("feed_forward_length"), json(feedForward)},
            {QStringLiteral("rope"), rope},
            {QStringLiteral("tokenizer"), tok},
            {QStringLiteral("chat_template"), chatTemplate.isEmpty() ? QJsonValue() : QJsonValue(chatTemplate)},
            {QStringLiteral("metadata_keys"), static_cast<double>(f.metadata().size())},
        };
        out << QJsonDocument(o).toJson(QJsonDocument::Indented);
        return kExitOk;
    }

    const auto row = [&](const QString& label, const QString& value) {
        out << QStringLiteral("%1 %2\n").arg(label, -16).arg(value);
    };
    const QString none = tr("(none)");
    row(tr("file"), tr("%1 (%2, GGUF v%3)").arg(path, humanBytes(f.fileSize())).arg(f.version()));
    row(tr("architecture"), arch.empty() ? none : QString::fromStdString(arch));
    row(tr("name"), name.isEmpty() ? none : name);
    row(tr("parameters"), tr("%1 (%2)").arg(humanCount(params)).arg(params));
    QStringList typeText;
    for (const auto& [typeName, use] : types)
        typeText << tr("%1 ×%2 (%3)%4")
                        .arg(QString::fromStdString(typeName))
                        .arg(use.tensors)
                        .arg(humanBytes(use.bytes))
                        .arg(use.supported ? QString() : QLatin1Char(' ') + tr("[not supported by Outpost]"));
    row(tr("tensors"), QString::number(f.tensors().size()) + (typeText.isEmpty() ? QString() : QStringLiteral(": ") + typeText.join(QStringLiteral(", "))));
    row(tr("context length"), show(context));
    row(tr("embedding"), show(embedding));
    row(tr("layers"), show(layers));
    row(tr("heads"), show(heads));
    row(tr("KV heads"), show(kvHeads));
    row(tr("feed-forward"), show(feedForward));
    QString rope = tr("dimensions %1, freq base %2").arg(show(ropeDims), ropeBase.value ? show(ropeBase) : tr("(default)"));
    if (!ropeScaling.isEmpty())
        rope += tr(", scaling %1 ×%2").arg(ropeScaling, show(ropeFactor));
    row(tr("rope"), rope);
    row(tr("tokenizer"), tokenizer.isEmpty() ? none : tr("%1, %2 tokens").arg(tokenizer).arg(vocab));
    if (chatTemplate.isEmpty()) {
        row(tr("chat template"), none);
    } else {
        // The first lines, each cut to a terminal's width: many templates
        // are one line of thousands of characters.
        constexpr int kShownLines = 5;
        constexpr int kShownWidth = 100;
        const QStringList lines = chatTemplate.split(QLatin1Char('\n'));
        const int shown = std::min<int>(static_cast<int>(lines.size()), kShownLines);
        bool cut = lines.size() > shown;
        for (int k = 0; k < shown; ++k) {
            const bool wide = lines[k].size() > kShownWidth;
            cut = cut || wide;
            row(k == 0 ? tr("chat template") : QString(), wide ? lines[k].left(kShownWidth) + QStringLiteral("…") : lines[k]);
        }
        if (cut)
            row(QString(), tr("... (cut: the template is %1 characters long; --json prints it whole)").arg(chatTemplate.size()));
    }
    return kExitOk;
}

} // namespace outpost::cli
