// outpost serve PROJECT: serves the project's agents over WebSocket (the
// Agents SDK protocol, chat included) and HTTP until SIGINT/SIGTERM, then
// shuts down gracefully (see core/gateway/gateway.h). With --model FILE the
// GGUF model answers llm nodes without an endpoint and the OpenAI-compatible
// /v1/ routes.
#include "cli/command.h"

#include "core/actor/actor_runtime.h"
#include "core/agent/agent_instance.h"
#include "core/agent/chat_service.h"
#include "core/agent/project_host.h"
#include "core/gateway/gateway.h"
#include "core/gateway/openai_routes.h"
#include "core/llm/chat_model.h"
#include "inference/engine.h"
#include "core/project/project.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QUrl>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace outpost::cli {

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    // Only async-signal-safe work here: the event loop reads the pipe.
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &byte, 1);
}

} // namespace

int runServe(const QStringList& args)
{
    auto tr = [](const char* s) { return QCoreApplication::translate("outpost::cli", s); };
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Serve a project's agents to WebSocket (Agents SDK) and HTTP clients until SIGINT or SIGTERM."));
    parser.addHelpOption();
    const QCommandLineOption listen(QStringLiteral("listen"), tr("Address and port to listen on (default 127.0.0.1:8787; port 0 picks a free one)."),
                                    QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8787"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
                                       tr("File of SHA-256 hashes of the accepted bearer tokens, one per line (required off loopback)."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption allowOrigin(QStringLiteral("allow-origin"), tr("Also accept WebSocket upgrades from this Origin (repeatable)."),
                                         QStringLiteral("ORIGIN"));
    const QCommandLineOption modelFile(QStringLiteral("model"),
                                       tr("GGUF model for llm nodes without an endpoint and for the OpenAI-compatible /v1/ routes."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption concurrency(QStringLiteral("chat-concurrency"),
                                         tr("What a chat message does while a reply runs: queue (default), latest, merge, drop or debounce."),
                                         QStringLiteral("POLICY"), QStringLiteral("queue"));
    const QCommandLineOption maxMessages(QStringLiteral("max-persisted-messages"),
                                         tr("Keep at most this many chat messages per instance (0: all)."), QStringLiteral("N"),
                                         QStringLiteral("0"));
    const QCommandLineOption fetchAllow(QStringLiteral("fetch-allow"),
                                        tr("A host the fetch tool may reach (repeatable; *.example.com for subdomains)."), QStringLiteral("HOST"));
    parser.addOption(fetchAllow);
    parser.addOption(modelFile);
    parser.addOption(concurrency);
    parser.addOption(maxMessages);
    parser.addOption(listen);
    parser.addOption(tokenFile);
    parser.addOption(allowOrigin);
    parser.addPositionalArgument(QStringLiteral("PROJECT"), tr("The project folder."));
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (const auto exit = parseCommandLine(parser, "serve", args))
        return *exit;
    if (parser.positionalArguments().size() != 1) {
        err << tr("outpost serve: give exactly one project folder") << "\n";
        return kExitUsage;
    }
    auto address = core::gateway::parseListen(parser.value(listen));
    if (!address) {
        err << "outpost serve: " << QString::fromStdString(address.error()) << "\n";
        return kExitUsage;
    }

    const auto loaded = core::Project::open(parser.positionalArguments().first());
    if (!loaded.ok()) {
        for (const auto& d : loaded.diagnostics)
            err << d.toString() << "\n";
        return kExitFailure;
    }
    const core::Project& project = *loaded.value;

    core::agent::ChatOptions chatOptions;
    if (auto policy = core::agent::parseChatConcurrency(parser.value(concurrency).toStdString()))
        chatOptions.concurrency = *policy;
    else {
        err << tr("outpost serve: --chat-concurrency must be queue, latest, merge, drop or debounce") << "\n";
        return kExitUsage;
    }
    bool maxOk = false;
    chatOptions.maxPersistedMessages = parser.value(maxMessages).toULongLong(&maxOk);
    if (!maxOk) {
        err << tr("outpost serve: --max-persisted-messages must be a whole number") << "\n";
        return kExitUsage;
    }
    // Endpoint keys come from the environment, never from agent files:
    // OUTPOST_LLM_API_KEY_<HOST> (the host upper-cased, other characters as
    // "_", e.g. OUTPOST_LLM_API_KEY_API_OPENAI_COM), else OUTPOST_LLM_API_KEY.
    chatOptions.apiKeyFor = [](const QString& endpoint) {
        QByteArray name = "OUTPOST_LLM_API_KEY_";
        for (const QChar c : QUrl(endpoint).host().toUpper())
            name += (c.isLetterOrNumber() && c.unicode() < 128) ? char(c.unicode()) : '_';
        const QByteArray specific = qgetenv(name.constData());
        return specific.isEmpty() ? qgetenv("OUTPOST_LLM_API_KEY") : specific;
    };
    std::shared_ptr<core::llm::ChatModel> localModel;
    if (parser.isSet(modelFile)) {
        inference::EngineConfig config;
        config.modelPath = parser.value(modelFile).toStdString();
        auto engine = inference::Engine::load(config);
        if (!engine) {
            err << "outpost serve: " << QString::fromStdString(engine.error()) << "\n";
            return kExitFailure;
        }
        localModel = core::llm::makeLocalModel(std::shared_ptr<inference::Engine>(std::move(*engine)),
                                               QFileInfo(parser.value(modelFile)).completeBaseName().toStdString());
        chatOptions.defaultModel = localModel;
    }

    chatOptions.fetchAllowlist = parser.values(fetchAllow);
    chatOptions.memoryRoot = project.root() + QStringLiteral("/memory");
    const auto projectHost = core::agent::ProjectHost::create(project);
    core::actor::ActorRuntime& runtime = projectHost->runtime();
    core::agent::ChatService chat(runtime, chatOptions);
    if (auto st = projectHost->addAgents(project, [&chat](core::agent::AgentClass& cls, const core::AgentGraph& graph) {
            chat.addGraph(cls.className, std::make_shared<const core::AgentGraph>(graph));
            chat.bindClass(cls);
        });
        !st) {
        err << "outpost serve: " << QString::fromStdString(st.error()) << "\n";
        return kExitFailure;
    }
    for (const auto& skipped : projectHost->skipped())
        err << tr("outpost serve: not serving %1: it has errors (see 'outpost validate')").arg(QString::fromStdString(skipped)) << "\n";
    QStringList served;
    for (const auto& cls : projectHost->registry().classes())
        served << QString::fromStdString(cls->urlName);

    core::gateway::GatewayOptions options;
    options.address = address->first;
    options.port = address->second;
    options.allowedOrigins = parser.values(allowOrigin);
    if (parser.isSet(tokenFile)) {
        auto tokens = core::gateway::TokenSet::load(parser.value(tokenFile));
        if (!tokens) {
            err << "outpost serve: " << QString::fromStdString(tokens.error()) << "\n";
            return kExitFailure;
        }
        options.tokens = std::move(*tokens);
    }

    core::gateway::Gateway gateway(runtime, projectHost->registry(), options);
    chat.setTransport({[&gateway](const std::string& conn, const QString& text) { return gateway.sendToConnection(conn, text); },
                       [&gateway](const std::string& key) { return gateway.connectionsOf(key); }});
    gateway.setChatHooks({[&chat](const core::actor::ActorId& id, const std::string& conn, bool readonly, const std::string& text) {
                              return chat.handleFrame(id, conn, readonly, text);
                          },
                          [&chat](const core::actor::ActorId& id, const std::string& conn) { return chat.joinFrames(id, conn); }});
    core::gateway::addOpenAiRoutes(gateway, localModel);
    if (auto st = projectHost->run(); !st) {
        err << "outpost serve: " << QString::fromStdString(st.error()) << "\n";
        return kExitFailure;
    }
    if (auto st = gateway.listen(); !st) {
        err << "outpost serve: " << QString::fromStdString(st.error()) << "\n";
        runtime.stop();
        return kExitFailure;
    }

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0) {
        err << "outpost serve: cannot create the signal pipe\n";
        return kExitFailure;
    }
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &gateway, [&] {
        char byte = 0;
        [[maybe_unused]] const auto n = ::read(g_signalPipe[0], &byte, 1);
        err << tr("outpost serve: shutting down (finishing running events)") << "\n";
        err.flush();
        chat.cancelAll();
        gateway.shutdown();
    });
    // After the drain, give WebSocket close handshakes a moment to finish.
    QTimer closing;
    closing.setInterval(20);
    QElapsedTimer closingFor;
    QObject::connect(&closing, &QTimer::timeout, &gateway, [&] {
        if (gateway.webSocketCount() == 0 || closingFor.elapsed() > 2000)
            QCoreApplication::exit(0);
    });
    QObject::connect(&gateway, &core::gateway::Gateway::drained, &gateway, [&] {
        closingFor.start();
        closing.start();
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    const QString host = options.address.protocol() == QAbstractSocket::IPv6Protocol ? "[" + options.address.toString() + "]"
                                                                                      : options.address.toString();
    out << tr("outpost serve: listening on http://%1:%2 (agents: %3)").arg(host).arg(gateway.port()).arg(served.join(QStringLiteral(", ")))
        << "\n";
    out.flush();

    const int rc = QCoreApplication::exec();
    // No chat turn outlives the gateway it streams to.
    chat.cancelAll();
    chat.setTransport({});
    // Every event was answered; stop() commits and closes every database.
    runtime.stop();
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);
    err << tr("outpost serve: stopped") << "\n";
    return rc;
}

} // namespace outpost::cli
