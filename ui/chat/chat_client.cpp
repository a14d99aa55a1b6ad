#include "ui/chat/chat_client.h"

#include "core/agent/agent_protocol.h"
#include "ui/chat/studio_chat.h"

#include <QDateTime>
#include <QUuid>

namespace outpost::ui {

namespace {

std::string newId(const char* prefix)
{
    return std::string(prefix) + "_" + std::to_string(QDateTime::currentMSecsSinceEpoch()) + "_"
           + QUuid::createUuid().toString(QUuid::Id128).left(10).toStdString();
}

OJson userMessage(const std::string& id, const QString& text)
{
    OJson part = OJson::object();
    part["type"] = "text";
    part["text"] = text.toStdString();
    OJson m = OJson::object();
    m["id"] = id;
    m["role"] = "user";
    m["parts"] = OJson::array({part});
    return m;
}

} // namespace

ChatClient::ChatClient(QObject* parent) : QObject(parent) {}

ChatClient::~ChatClient() { close(); }

QString ChatClient::open(StudioChat* chat, const QString& className, const QString& name)
{
    close();
    if (!chat) {
        const QString why = tr("no project is open");
        emit errorOccurred(why);
        return why;
    }
    QString error;
    QPointer<ChatClient> self(this);
    const QString conn = chat->open(className, name, [self](const QString& frame) {
        if (self)
            self->receive(frame);
    }, &error);
    if (conn.isEmpty()) {
        emit errorOccurred(error);
        return error;
    }
    m_chat = chat;
    m_conn = conn;
    m_className = className;
    m_name = name;
    const QByteArray saved = chat->messages(conn, &error);
    if (!error.isEmpty()) {
        emit errorOccurred(error);
        m_model.clear();
    } else {
        m_model.setMessages(OJson::parse(saved.toStdString(), nullptr, false));
    }
    // Follow a reply already running there (another panel, a schedule).
    sendFrame({{"type", "cf_agent_stream_resume_request"}, {"probeId", newId("probe")}});
    return {};
}

void ChatClient::close()
{
    if (m_chat && !m_conn.isEmpty())
        m_chat->close(m_conn);
    m_conn.clear();
    m_chat.clear();
    setActive({});
    m_model.clear();
}

void ChatClient::sendFrame(const OJson& frame)
{
    if (m_chat && !m_conn.isEmpty())
        m_chat->send(m_conn, QString::fromStdString(core::agent::protocol::dump(frame)));
}

void ChatClient::setActive(const QString& id)
{
    const bool was = isBusy();
    if (id.isEmpty() && m_streamRow >= 0 && m_streamRow < m_model.rowCount()) {
        m_model.edit(m_streamRow).streaming = false;
        m_model.noteChanged(m_streamRow);
        m_model.flush();
    }
    m_active = id;
    if (id.isEmpty()) {
        m_streamRow = -1;
        m_textParts.clear();
    }
    if (was != isBusy())
        emit busyChanged(isBusy());
}

bool ChatClient::request(const OJson& messages, const char* trigger, const std::string& messageId)
{
    if (!isOpen())
        return false;
    const std::string rid = newId("req");
    OJson body = OJson::object();
    body["messages"] = messages;
    body["trigger"] = trigger;
    if (!messageId.empty())
        body["messageId"] = messageId;
    OJson init = OJson::object();
    init["method"] = "POST";
    init["body"] = core::agent::protocol::dump(body);
    OJson frame = OJson::object();
    frame["id"] = rid;
    frame["init"] = init;
    frame["type"] = "cf_agent_use_chat_request";
    setActive(QString::fromStdString(rid));
    sendFrame(frame);
    return true;
}

bool ChatClient::send(const QString& text)
{
    if (!isOpen() || text.trimmed().isEmpty() || isBusy())
        return false;
    m_model.append(userMessage(newId("user"), text));
    return request(m_model.uiMessages(m_model.rowCount()), "submit-message");
}

void ChatClient::stop()
{
    if (isBusy())
        sendFrame({{"id", m_active.toStdString()}, {"type", "cf_agent_chat_request_cancel"}});
}

bool ChatClient::regenerate()
{
    if (!isOpen())
        return false;
    int user = -1;
    for (int i = m_model.rowCount() - 1; i >= 0 && user < 0; --i)
        if (m_model.at(i).ui.value("role", "") == "user")
            user = i;
    if (user < 0)
        return false;
    std::string regenerated;
    if (user + 1 < m_model.rowCount())
        regenerated = m_model.at(user + 1).ui.value("id", std::string());
    setActive({});
    m_model.truncate(user + 1);
    return request(m_model.uiMessages(user + 1), "regenerate-message", regenerated);
}

bool ChatClient::editAndResend(int row, const QString& text)
{
    if (!isOpen() || row < 0 || row >= m_model.rowCount() || m_model.at(row).ui.value("role", "") != "user" || text.trimmed().isEmpty())
        return false;
    setActive({});
    OJson edited = userMessage(m_model.at(row).ui.value("id", newId("user")), text);
    m_model.edit(row).ui = edited;
    m_model.noteChanged(row);
    m_model.flush();
    m_model.truncate(row + 1);
    return request(m_model.uiMessages(row + 1), "submit-message");
}

void ChatClient::answerTool(const QString& toolCallId, bool approved)
{
    sendFrame({{"type", "cf_agent_tool_approval"}, {"toolCallId", toolCallId.toStdString()}, {"approved", approved}, {"autoContinue", true}});
    // The continuation streams to the other connections; this one asks for it.
    sendFrame({{"type", "cf_agent_stream_resume_request"}, {"probeId", newId("probe")}});
}

void ChatClient::clearHistory()
{
    setActive({});
    m_model.clear();
    sendFrame({{"type", "cf_agent_chat_clear"}});
}

void ChatClient::receive(const QString& text)
{
    const OJson f = OJson::parse(text.toStdString(), nullptr, false);
    if (!f.is_object())
        return;
    const std::string type = f.value("type", "");
    if (type == "cf_agent_use_chat_response") {
        const QString id = QString::fromStdString(f.value("id", std::string()));
        if (id != m_active)
            return; // a stream this client no longer follows
        const std::string body = f.contains("body") && f["body"].is_string() ? f["body"].get<std::string>() : std::string();
        if (f.value("done", false)) {
            if (f.value("error", false)) {
                if (m_streamRow >= 0 && m_streamRow < m_model.rowCount()) {
                    m_model.edit(m_streamRow).error = QString::fromStdString(body);
                    m_model.noteChanged(m_streamRow);
                }
                emit errorOccurred(QString::fromStdString(body));
            }
            const QString outcome = f.value("error", false) ? QStringLiteral("error") : QString::fromStdString(f.value("outcome", std::string()));
            setActive({});
            emit turnFinished(outcome);
            return;
        }
        if (!body.empty())
            applyChunk(OJson::parse(body, nullptr, false));
    } else if (type == "cf_agent_chat_messages") {
        if (!isBusy() && f.contains("messages"))
            m_model.setMessages(f["messages"]);
    } else if (type == "cf_agent_message_updated") {
        if (f.contains("message") && f["message"].is_object()) {
            const int row = m_model.rowOf(QString::fromStdString(f["message"].value("id", std::string())));
            if (row >= 0) {
                m_model.edit(row).ui = f["message"];
                m_model.noteChanged(row);
            }
        }
    } else if (type == "cf_agent_stream_resuming") {
        if (isBusy())
            return; // following one already
        const std::string id = f.value("id", std::string());
        setActive(QString::fromStdString(id));
        sendFrame({{"type", "cf_agent_stream_resume_ack"}, {"id", id}});
    } else if (type == "cf_agent_chat_error") {
        emit errorOccurred(QString::fromStdString(f.value("error", std::string())));
    } else if (type == "cf_agent_chat_clear") {
        if (!isBusy())
            m_model.clear();
    }
}

int ChatClient::targetRow()
{
    if (m_streamRow >= 0 && m_streamRow < m_model.rowCount())
        return m_streamRow;
    for (int i = m_model.rowCount() - 1; i >= 0; --i)
        if (m_model.at(i).ui.value("role", "") == "assistant")
            return m_streamRow = i;
    OJson m = OJson::object();
    m["id"] = newId("assistant");
    m["role"] = "assistant";
    m["parts"] = OJson::array();
    m_model.append(m);
    return m_streamRow = m_model.rowCount() - 1;
}

OJson* ChatClient::toolPart(OJson& message, const std::string& callId)
{
    for (auto& p : message["parts"])
        if (p.is_object() && p.value("toolCallId", std::string()) == callId)
            return &p;
    return nullptr;
}

void ChatClient::applyChunk(const OJson& c)
{
    if (!c.is_object())
        return;
    const std::string type = c.value("type", "");
    if (type == "start") {
        const std::string mid = c.value("messageId", std::string());
        if (!mid.empty()) {
            int row = m_model.rowOf(QString::fromStdString(mid));
            if (row < 0) {
                OJson m = OJson::object();
                m["id"] = mid;
                m["role"] = "assistant";
                m["parts"] = OJson::array();
                m_model.append(m);
                row = m_model.rowCount() - 1;
            }
            m_streamRow = row;
        } else {
            m_streamRow = -1; // a continuation: the last assistant message
        }
        const int row = targetRow();
        m_model.edit(row).streaming = true;
        m_model.noteChanged(row);
        return;
    }
    const int row = targetRow();
    ChatMessage& msg = m_model.edit(row);
    OJson& parts = msg.ui["parts"];
    if (!parts.is_array())
        parts = OJson::array();
    const std::string callId = c.value("toolCallId", std::string());
    if (type == "start-step") {
        parts.push_back({{"type", "step-start"}});
    } else if (type == "text-start") {
        m_textParts[c.value("id", std::string())] = parts.size();
        parts.push_back({{"type", "text"}, {"text", ""}, {"state", "streaming"}});
    } else if (type == "text-delta" || type == "text-end") {
        auto it = m_textParts.find(c.value("id", std::string()));
        if (it == m_textParts.end() || it->second >= parts.size()) {
            m_textParts[c.value("id", std::string())] = parts.size();
            parts.push_back({{"type", "text"}, {"text", ""}, {"state", "streaming"}});
            it = m_textParts.find(c.value("id", std::string()));
        }
        OJson& p = parts[it->second];
        if (type == "text-delta")
            p["text"] = p.value("text", std::string()) + c.value("delta", std::string());
        else
            p["state"] = "done";
    } else if (type == "tool-input-start" || type == "tool-input-available" || type == "tool-input-error") {
        OJson* p = toolPart(msg.ui, callId);
        if (!p) {
            const std::string name = c.value("toolName", std::string());
            parts.push_back({{"type", "tool-" + name}, {"toolCallId", callId}, {"toolName", name}, {"state", "input-streaming"}});
            p = &parts.back();
        }
        if (type == "tool-input-available") {
            (*p)["state"] = "input-available";
            (*p)["input"] = c.contains("input") ? c["input"] : OJson::object();
        } else if (type == "tool-input-error") {
            (*p)["state"] = "output-error";
            (*p)["input"] = c.contains("input") ? c["input"] : OJson();
            (*p)["errorText"] = c.value("errorText", std::string());
        }
    } else if (type == "tool-approval-request") {
        if (OJson* p = toolPart(msg.ui, callId)) {
            (*p)["state"] = "approval-requested";
            (*p)["approval"] = {{"id", c.value("approvalId", std::string())}};
        }
    } else if (type == "tool-output-available") {
        if (OJson* p = toolPart(msg.ui, callId)) {
            (*p)["state"] = "output-available";
            (*p)["output"] = c.contains("output") ? c["output"] : OJson();
        }
    } else if (type == "tool-output-error") {
        if (OJson* p = toolPart(msg.ui, callId)) {
            (*p)["state"] = "output-error";
            (*p)["errorText"] = c.value("errorText", std::string());
        }
    } else if (type == "error") {
        msg.error = QString::fromStdString(c.value("errorText", std::string()));
    } else if (type == "finish") {
        if (c.contains("messageMetadata") && c["messageMetadata"].is_object())
            msg.ui["metadata"] = c["messageMetadata"];
    } else {
        return; // finish-step and others change nothing shown
    }
    m_model.noteChanged(row);
}

} // namespace outpost::ui
