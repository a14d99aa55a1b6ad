#pragma once
// StudioChat: the studio's side of chat, an in-process client of the same
// ChatService that `outpost serve` puts behind its gateway. It owns the
// service (over a ProjectHost's runtime) and a transport whose connections
// are panels and editors of this process ("studio:<n>"), so every chat frame
// is an Agents SDK frame (cf_agent_use_chat_request, ..._response, ...), the
// same bytes a WebSocket client would get.
//
// Wiring it where the ProjectHost is built (the main window):
//   auto host = core::agent::ProjectHost::create(project);
//   auto chat = std::make_unique<ui::StudioChat>(host->runtime(), project);
//   host->addAgents(project, chat->configure());   // chat bound to each class
//   host->run();
//   chat->setEngine(engine, modelName);             // whenever a model (un)loads
// The StudioChat must be destroyed before its ProjectHost (it cancels its
// running turns, which write to the runtime).
#include "core/agent/chat_service.h"
#include "core/agent/project_host.h"
#include "core/project/project.h"

#include <QObject>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace outpost::inference {
class Engine;
}

namespace outpost::ui {

class StudioChat : public QObject {
    Q_OBJECT

public:
    // A service over `runtime` for the agents of `project` (memory nodes use
    // PROJECT/memory). Classes still need configure() before they register,
    // or attach() when the host is already running.
    StudioChat(core::actor::ActorRuntime& runtime, const core::Project& project, QObject* parent = nullptr);
    ~StudioChat() override;

    // For ProjectHost::addAgents: gives each class its graph and binds chat
    // to it (the get-messages route and the schedule callbacks that run the
    // graph when an alarm fires).
    core::agent::ProjectHost::Configure configure();
    // For a host started without configure(): gives every valid agent of
    // `project` its graph, so chat frames reach the service. Alarms of
    // schedule nodes then find no callback (they need configure()).
    void attach(const core::Project& project);

    // The model of llm nodes without an endpoint; null: no model loaded
    // (such nodes then fail with a message saying so).
    void setEngine(std::shared_ptr<inference::Engine> engine, const QString& modelName = {});
    bool hasModel() const { return m_hasModel; }

    core::agent::ChatService& service() { return *m_service; }
    core::actor::ActorRuntime& runtime() { return m_runtime; }
    // Class names with a graph, in project order.
    const std::vector<QString>& classNames() const { return m_classes; }

    // Opens a connection to instance `name` of `className`: joins the
    // instance through the actor (the gateway's "connect" op) and delivers
    // every frame for it to `deliver` on this thread. Returns its id
    // ("studio:<n>"), or "" with `error` set (unknown class, invalid name).
    using Deliver = std::function<void(const QString& frame)>;
    QString open(const QString& className, const QString& name, Deliver deliver, QString* error = nullptr);
    void close(const QString& conn);
    // A client frame from connection `conn`; false when the connection is
    // unknown or the frame is not a chat frame.
    bool send(const QString& conn, const QString& frame);
    // The instance's saved transcript (UIMessages as JSON text), read as an
    // event of the actor. Errors as text in `error`.
    QByteArray messages(const QString& conn, QString* error = nullptr);

signals:
    // ChatService::traceEvent, for the connections' instances and others.
    void traceEvent(const QString& actorKey, const QString& runId, const QJsonObject& event);

private:
    struct Conn {
        core::actor::ActorId id;
        Deliver deliver;
    };
    core::actor::ActorRuntime& m_runtime;
    std::unique_ptr<core::agent::ChatService> m_service;
    std::vector<QString> m_classes;
    std::map<std::string, Conn> m_conns;
    quint64 m_next = 1;
    bool m_hasModel = false;
};

} // namespace outpost::ui
