#pragma once
// ChatClient: one chat connection of the studio, the client half of the
// Agents SDK chat protocol (what the SDK's useAgentChat does in a browser),
// over a StudioChat connection. It keeps the transcript in a
// ChatMessageModel and turns user actions into frames:
//   send         cf_agent_use_chat_request {messages: all + the new one, trigger "submit-message"}
//   stop         cf_agent_chat_request_cancel {id of the running stream}
//   regenerate   the transcript up to the last user message, resent
//                (trigger "regenerate-message")
//   editAndResend a user message changed, the messages after it dropped, resent
//   answerTool   cf_agent_tool_approval {toolCallId, approved, autoContinue}
//                then cf_agent_stream_resume_request to follow the continuation
// The service upserts the messages a request carries; a list that ends at a
// stored message drops what was stored after it, so regenerate and edit
// leave the instance's transcript exactly as the trimmed list.
//
// Invariant: at most one stream is followed (activeStream()); its chunks
// edit the last assistant message in place; a transcript frame from the
// service (cf_agent_chat_messages) replaces the model only while no stream
// is followed (the followed stream is newer than it).
#include "ui/chat/chat_message_model.h"

#include <QObject>
#include <QPointer>

namespace outpost::ui {

class StudioChat;

class ChatClient : public QObject {
    Q_OBJECT

public:
    explicit ChatClient(QObject* parent = nullptr);
    ~ChatClient() override;

    ChatMessageModel* model() { return &m_model; }

    // Closes any open connection and opens instance `name` of `className`:
    // loads its transcript and follows a stream already running there.
    // Returns "" or the reason it cannot (also in errorOccurred).
    QString open(StudioChat* chat, const QString& className, const QString& name);
    void close();
    bool isOpen() const { return !m_conn.isEmpty(); }
    QString className() const { return m_className; }
    QString instanceName() const { return m_name; }

    // Whether a reply is streaming (or a request is waiting for one).
    bool isBusy() const { return !m_active.isEmpty(); }
    QString activeStream() const { return m_active; }

    bool send(const QString& text);
    void stop();
    bool regenerate();
    // `row` must be a user message.
    bool editAndResend(int row, const QString& text);
    void answerTool(const QString& toolCallId, bool approved);
    // Clears the instance's transcript.
    void clearHistory();

    // A frame from the service (public so tests and benches can feed frames).
    void receive(const QString& frame);

signals:
    void busyChanged(bool busy);
    void errorOccurred(const QString& message);
    // A followed stream ended ("" or the outcome: "aborted", "skipped", "error").
    void turnFinished(const QString& outcome);

private:
    bool request(const OJson& messages, const char* trigger, const std::string& messageId = {});
    void sendFrame(const OJson& frame);
    void setActive(const QString& id);
    void applyChunk(const OJson& chunk);
    int targetRow();
    OJson* toolPart(OJson& message, const std::string& callId);

    ChatMessageModel m_model;
    QPointer<StudioChat> m_chat;
    QString m_conn;
    QString m_className;
    QString m_name;
    QString m_active;       // the stream followed now
    int m_streamRow = -1;   // the message it builds
    std::map<std::string, std::size_t> m_textParts; // text id -> index in parts
};

} // namespace outpost::ui
