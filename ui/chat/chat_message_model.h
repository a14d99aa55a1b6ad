#pragma once
// ChatMessageModel: the messages of one chat (Agents SDK UIMessages:
// {"id","role","parts":[...],"metadata"}) as a list model for the chat
// view, one row per message.
//
// Streaming: a chunk changes the last message in place (cheap); the view
// hears of it through dataChanged at most every kRepaintMs (noteChanged),
// so a fast stream re-lays out its Markdown ~30 times a second, not once
// per token. Every change bumps the message's revision, the key of the
// delegate's layout cache.
#include <nlohmann/json.hpp>

#include <QAbstractListModel>
#include <QTimer>

#include <vector>

namespace outpost::ui {

using OJson = nlohmann::ordered_json;

struct ChatMessage {
    OJson ui = OJson::object();   // the UIMessage
    quint64 revision = 0;         // bumped on every change
    bool streaming = false;       // its turn is running
    QString error;                // an error chunk of its turn
};

class ChatMessageModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1, // QString
        RoleRole,                  // "user", "assistant", "system"
        MarkdownRole,              // the text parts joined (what Copy copies)
        MetricsRole,               // QVariantMap: ttftMs, tokensPerSecond, completionTokens (empty if none)
        RevisionRole,              // quint64
        StreamingRole,             // bool
        ToolCountRole,             // int: tool parts
    };
    static constexpr int kRepaintMs = 30;

    explicit ChatMessageModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Replaces everything (a transcript from the service).
    void setMessages(const OJson& uiMessages);
    void append(const OJson& uiMessage);
    // Keeps rows [0, count) and drops the rest.
    void truncate(int count);
    void clear() { truncate(0); }

    const ChatMessage& at(int row) const { return m_messages[std::size_t(row)]; }
    // For in-place edits of a row; call noteChanged(row) after.
    ChatMessage& edit(int row) { return m_messages[std::size_t(row)]; }
    // Bumps the revision; the view hears of it within kRepaintMs.
    void noteChanged(int row);
    // Emits pending dataChanged now (the end of a turn, tests).
    void flush();
    int rowOf(const QString& id) const;
    // The UIMessages of rows [0, count), as a client sends them.
    OJson uiMessages(int count) const;

    static QString markdownOf(const OJson& uiMessage);

private:
    std::vector<ChatMessage> m_messages;
    QTimer m_repaint;
    int m_dirtyFirst = -1;
    int m_dirtyLast = -1;
};

} // namespace outpost::ui
