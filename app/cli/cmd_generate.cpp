// outpost generate --model FILE --prompt TEXT: runs the inference engine on
// one prompt and streams the continuation to standard output (or prints one
// JSON object with the text and the timings). --stop ends at a text,
// --json-schema constrains the output to JSON matching a schema.
#include "cli/command.h"

#include "inference/engine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <cstdio>

namespace outpost::cli {

namespace {

QString tr(const char* text) { return QCoreApplication::translate("outpost::cli", text); }

} // namespace

int runGenerate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Generate a continuation of a prompt with a GGUF model on the CPU."));
    parser.addHelpOption();
    const QCommandLineOption modelOption(QStringLiteral("model"), tr("The .gguf model file."), QStringLiteral("FILE"));
    const QCommandLineOption promptOption(QStringLiteral("prompt"), tr("The prompt text."), QStringLiteral("TEXT"));
    const QCommandLineOption countOption(QStringList{QStringLiteral("n"), QStringLiteral("max-tokens")},
                                         tr("Generate at most N tokens (default 128)."), QStringLiteral("N"), QStringLiteral("128"));
    const QCommandLineOption tempOption(QStringLiteral("temp"), tr("Temperature; 0 is greedy (default 0.8)."),
                                        QStringLiteral("T"), QStringLiteral("0.8"));
    const QCommandLineOption topKOption(QStringLiteral("top-k"), tr("Keep the K most likely tokens; 0 is off (default 40)."),
                                        QStringLiteral("K"), QStringLiteral("40"));
    const QCommandLineOption topPOption(QStringLiteral("top-p"), tr("Nucleus sampling mass; 1 is off (default 0.95)."),
                                        QStringLiteral("P"), QStringLiteral("0.95"));
    const QCommandLineOption seedOption(QStringLiteral("seed"), tr("Random seed (default 0)."), QStringLiteral("S"),
                                        QStringLiteral("0"));
    const QCommandLineOption threadsOption(QStringLiteral("threads"), tr("Threads; 0 is one per physical core (default)."),
                                           QStringLiteral("T"), QStringLiteral("0"));
    const QCommandLineOption contextOption(QStringLiteral("ctx"), tr("Context length in tokens; 0 is the model's, at most 4096."),
                                           QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption chatOption(QStringLiteral("chat"),
                                        tr("Treat the prompt as a user message and render it with the model's chat template."));
    const QCommandLineOption stopOption(QStringLiteral("stop"), tr("Stop when the text contains TEXT (may be repeated)."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption schemaOption(QStringLiteral("json-schema"),
                                          tr("Constrain the output to one JSON value matching the JSON Schema in FILE."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption kvTypeOption(QStringLiteral("kv-type"), tr("KV cache type: f16 (default), q8_0 or f32."),
                                          QStringLiteral("TYPE"), QStringLiteral("f16"));
    const QCommandLineOption kvMemoryOption(QStringLiteral("kv-mib"), tr("KV cache memory in MiB; 0 sizes it from the context (default)."),
                                            QStringLiteral("MIB"), QStringLiteral("0"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        tr("Print one JSON object: prompt_tokens, tokens, text, finish_reason, ttft_ms, "
                                           "prompt_tokens_per_s, tokens_per_s."));
    parser.addOptions({modelOption, promptOption, countOption, tempOption, topKOption, topPOption, seedOption,
                       threadsOption, contextOption, chatOption, stopOption, schemaOption, kvTypeOption, kvMemoryOption,
                       jsonOption});
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (const auto exit = parseCommandLine(parser, "generate", args))
        return *exit;
    if (!parser.isSet(modelOption) || !parser.isSet(promptOption) || !parser.positionalArguments().isEmpty()) {
        err << tr("outpost generate: give --model FILE and --prompt TEXT (see --help)") << "\n";
        return kExitUsage;
    }

    bool ok = true;
    auto number = [&](const QCommandLineOption& option, auto convert) {
        bool good = false;
        const auto v = convert(parser.value(option), &good);
        if (!good) {
            err << tr("outpost generate: --%1 expects a number, not '%2'").arg(option.names().constLast(), parser.value(option)) << "\n";
            ok = false;
        }
        return v;
    };
    auto toInt = [](const QString& s, bool* good) { return s.toInt(good); };
    auto toFloat = [](const QString& s, bool* good) { return s.toFloat(good); };
    auto toU64 = [](const QString& s, bool* good) { return s.toULongLong(good); };

    inference::EngineConfig config;
    config.modelPath = parser.value(modelOption).toStdString();
    config.threads = number(threadsOption, toInt);
    config.contextLength = number(contextOption, toInt);
    config.kvMemoryMiB = number(kvMemoryOption, [](const QString& v, bool* good) { return v.toDouble(good); });
    const QString kvType = parser.value(kvTypeOption).toLower();
    if (kvType == QStringLiteral("q8_0")) {
        config.kvType = inference::KvCacheType::Q8_0;
    } else if (kvType == QStringLiteral("f32")) {
        config.kvType = inference::KvCacheType::F32;
    } else if (kvType != QStringLiteral("f16")) {
        err << tr("outpost generate: --kv-type must be f16, q8_0 or f32, not '%1'").arg(parser.value(kvTypeOption)) << "\n";
        return kExitUsage;
    }
    inference::GenerationRequest request;
    for (const QString& stop : parser.values(stopOption))
        request.stop.push_back(stop.toStdString());
    if (parser.isSet(schemaOption)) {
        QFile file(parser.value(schemaOption));
        if (!file.open(QIODevice::ReadOnly)) {
            err << tr("outpost generate: cannot read the JSON schema %1: %2").arg(file.fileName(), file.errorString()) << "\n";
            return kExitFailure;
        }
        request.jsonSchema = file.readAll().toStdString();
    }
    request.maxTokens = number(countOption, toInt);
    request.sampling.temperature = number(tempOption, toFloat);
    request.sampling.topK = number(topKOption, toInt);
    request.sampling.topP = number(topPOption, toFloat);
    request.sampling.seed = number(seedOption, toU64);
    if (!ok)
        return kExitUsage;
    if (request.maxTokens < 0 || config.threads < 0 || config.contextLength < 0 || config.kvMemoryMiB < 0) {
        err << tr("outpost generate: -n, --threads, --ctx and --kv-mib must not be negative") << "\n";
        return kExitUsage;
    }
    const std::string prompt = parser.value(promptOption).toStdString();
    if (parser.isSet(chatOption))
        request.messages = {{"user", prompt}};
    else
        request.prompt = prompt;

    auto engine = inference::Engine::load(config);
    if (!engine) {
        err << tr("outpost generate: %1").arg(QString::fromStdString(engine.error())) << "\n";
        return kExitFailure;
    }
    const bool json = parser.isSet(jsonOption);
    if (!json) {
        // Stream the text as it comes; stdio so no QString round trip can
        // split what the engine kept UTF-8-whole.
        request.onToken = [](const inference::TokenEvent& ev) {
            std::fwrite(ev.text.data(), 1, ev.text.size(), stdout);
            std::fflush(stdout);
        };
    }
    const auto result = (*engine)->generate(request);
    if (result.finish == inference::FinishReason::Error) {
        err << tr("outpost generate: %1").arg(QString::fromStdString(result.error)) << "\n";
        return kExitFailure;
    }
    const auto& s = result.stats;
    if (json) {
        QJsonArray tokens;
        for (auto id : result.tokens)
            tokens.append(id);
        const QJsonObject o{{QStringLiteral("prompt_tokens"), s.promptTokens},
                            {QStringLiteral("tokens"), tokens},
                            {QStringLiteral("text"), QString::fromStdString(result.text)},
                            {QStringLiteral("finish_reason"), QString::fromLatin1(inference::finishReasonName(result.finish))},
                            {QStringLiteral("ttft_ms"), s.ttftMs},
                            {QStringLiteral("prompt_tokens_per_s"), s.promptTokensPerSecond},
                            {QStringLiteral("tokens_per_s"), s.tokensPerSecond}};
        out << QJsonDocument(o).toJson(QJsonDocument::Compact) << "\n";
        return kExitOk;
    }
    out << "\n";
    err << tr("[%1 prompt tokens, %2 generated (%3); first token %4 ms; prompt %5 tok/s, generation %6 tok/s]")
               .arg(s.promptTokens)
               .arg(s.generatedTokens)
               .arg(QString::fromLatin1(inference::finishReasonName(result.finish)))
               .arg(s.ttftMs, 0, 'f', 1)
               .arg(s.promptTokensPerSecond, 0, 'f', 1)
               .arg(s.tokensPerSecond, 0, 'f', 1)
        << "\n";
    return kExitOk;
}

} // namespace outpost::cli
