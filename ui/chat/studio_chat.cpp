#include "ui/chat/studio_chat.h"

#include "core/agent/chat_store.h"
#include "core/llm/chat_model.h"
#include "inference/engine.h"

#include <QPointer>

namespace outpost::ui {

using namespace outpost::core;

StudioChat::StudioChat(actor::ActorRuntime& runtime, const Project& project, QObject* parent)
    : QObject(parent), m_runtime(runtime)
{
    agent::ChatOptions options;
    options.memoryRoot = project.root() + QStringLiteral("/memory");
    m_service = std::make_unique<agent::ChatService>(runtime, std::move(options));
    connect(m_service.get(), &agent::ChatService::traceEvent, this, &StudioChat::traceEvent);
    agent::ChatTransport transport;
    QPointer<StudioChat> self(this);
    transport.sendTo = [self](const std::string& conn, const QString& text) {
        if (!self || !self->m_conns.count(conn))
            return false;
        // Queued: the service calls this from inside send(); a panel must
        // not be re-entered while it is still sending.
        QMetaObject::invokeMethod(
            self.data(),
            [self, conn, text] {
                if (!self)
                    return;
                auto it = self->m_conns.find(conn);
                if (it != self->m_conns.end() && it->second.deliver)
                    it->second.deliver(text);
            },
            Qt::QueuedConnection);
        return true;
    };
    transport.connectionsOf = [self](const std::string& key) {
        std::vector<std::string> out;
        if (self)
            for (const auto& [conn, c] : self->m_conns)
                if (c.id.key() == key)
                    out.push_back(conn);
        return out;
    };
    m_service->setTransport(std::move(transport));
}

StudioChat::~StudioChat()
{
    m_conns.clear();
    m_service->cancelAll();
    m_service->setTransport({});
}

agent::ProjectHost::Configure StudioChat::configure()
{
    return [this](agent::AgentClass& cls, const AgentGraph& graph) {
        m_service->addGraph(cls.className, std::make_shared<const AgentGraph>(graph));
        m_service->bindClass(cls);
        m_classes.push_back(QString::fromStdString(cls.className));
    };
}

void StudioChat::attach(const Project& project)
{
    for (const auto& file : project.agents())
        if (file.isValid()) {
            m_service->addGraph(file.className.toStdString(), std::make_shared<const AgentGraph>(*file.graph));
            m_classes.push_back(file.className);
        }
}

void StudioChat::setEngine(std::shared_ptr<inference::Engine> engine, const QString& modelName)
{
    m_hasModel = engine != nullptr;
    m_service->setDefaultModel(engine ? llm::makeLocalModel(std::move(engine), modelName.isEmpty() ? "local" : modelName.toStdString())
                                      : nullptr);
}

QString StudioChat::open(const QString& className, const QString& name, Deliver deliver, QString* error)
{
    if (std::find(m_classes.begin(), m_classes.end(), className) == m_classes.end()) {
        if (error)
            *error = tr("no agent class '%1' in this project (or it has errors)").arg(className);
        return {};
    }
    auto id = actor::ActorId::fromName(className.toStdString(), name.toStdString());
    if (!id) {
        if (error)
            *error = QString::fromStdString(id.error());
        return {};
    }
    const std::string conn = "studio:" + std::to_string(m_next++);
    m_conns[conn] = Conn{*id, std::move(deliver)};
    // Joins the instance like a WebSocket client does (it wakes, loads its
    // state); the identity and state frames are of no use to a chat panel.
    (void)m_runtime.post(*id, actor::Json{{"op", "connect"}, {"conn", conn}, {"proto", true}});
    for (const auto& frame : m_service->joinFrames(*id, conn)) {
        const QString text = QString::fromStdString(frame);
        QPointer<StudioChat> self(this);
        QMetaObject::invokeMethod(
            this,
            [self, conn, text] {
                if (self && self->m_conns.count(conn))
                    self->m_conns[conn].deliver(text);
            },
            Qt::QueuedConnection);
    }
    return QString::fromStdString(conn);
}

void StudioChat::close(const QString& conn) { m_conns.erase(conn.toStdString()); }

bool StudioChat::send(const QString& conn, const QString& frame)
{
    auto it = m_conns.find(conn.toStdString());
    if (it == m_conns.end())
        return false;
    return m_service->handleFrame(it->second.id, it->first, false, frame.toStdString());
}

QByteArray StudioChat::messages(const QString& conn, QString* error)
{
    auto it = m_conns.find(conn.toStdString());
    if (it == m_conns.end()) {
        if (error)
            *error = tr("the chat connection is closed");
        return {};
    }
    std::string out;
    auto r = m_runtime.callFn(it->second.id, [&out](actor::Actor&, actor::ActorContext& ctx) -> actor::Result<actor::Json> {
        auto db = ctx.storage();
        if (!db)
            return actor::Error{db.error()};
        if (auto st = agent::chat::ensureTables(**db); !st)
            return actor::Error{st.error()};
        auto m = agent::chat::loadMessages(**db);
        if (!m)
            return actor::Error{m.error()};
        out = agent::protocol::dump(*m);
        return actor::Json(nullptr);
    });
    if (!r) {
        if (error)
            *error = QString::fromStdString(r.error());
        return {};
    }
    return QByteArray::fromStdString(out);
}

} // namespace outpost::ui
