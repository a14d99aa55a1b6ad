#pragma once
// TracePane: the graph editor's Run pane. Run sends a test message to the
// agent's instance "graph-editor" through the project's chat service (a
// ChatClient, as the Chat panel does) and lists each node as it executes,
// from ChatService::traceEvent: node, type, time, tokens, and its inputs
// and outputs (JSON) beneath it. nodeRunState tells the canvas which node
// runs, has run, or failed, so it can highlight them.
//
// It runs the agent as the running project has it (the graph loaded with the
// project), not unsaved edits.
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;
class QJsonObject;

namespace outpost::ui {

class ChatClient;
class StudioChat;

class TracePane : public QWidget {
    Q_OBJECT

public:
    enum class NodeState { None, Running, Done, Error };
    static constexpr const char* kInstance = "graph-editor";

    explicit TracePane(QWidget* parent = nullptr);
    ~TracePane() override;

    // Null chat or empty class: Run is disabled.
    void setRunner(StudioChat* chat, const QString& className);
    // Sends `message` (the line's text when empty); false when it cannot run.
    bool run(const QString& message = {});
    bool isRunning() const;

    QTreeWidget* tree() const { return m_tree; }
    QLineEdit* messageEdit() const { return m_message; }
    QPushButton* runButton() const { return m_run; }
    QLabel* statusLabel() const { return m_status; }
    ChatClient* client() const { return m_client; }

signals:
    void nodeRunState(const QString& nodeId, outpost::ui::TracePane::NodeState state);
    // A run ended; every node state goes back to None at the next run.
    void runFinished();
    void runStarted();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void onTrace(const QString& actorKey, const QString& runId, const QJsonObject& event);
    void updateState();

    StudioChat* m_chat = nullptr;
    QString m_className;
    QString m_actorKey;
    ChatClient* m_client;
    QLineEdit* m_message;
    QPushButton* m_run;
    QPushButton* m_stop;
    QTreeWidget* m_tree;
    QLabel* m_status;
    QMetaObject::Connection m_traceConn;
};

} // namespace outpost::ui
