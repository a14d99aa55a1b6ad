#pragma once
// The studio's Chat panel: talks to one agent instance (an agent class and
// an instance name) through the project's chat service, as any Agents SDK
// client would (ChatClient). Streamed replies render as Markdown; tool calls
// are cards with Approve / Deny when they need approval; each reply shows
// its TTFT and tokens/s. Stop, Regenerate, Edit (and resend) and Copy act on
// the transcript. Keyboard: Enter sends, Shift+Enter starts a new line, Esc
// stops the reply (or leaves editing).
//
// Wiring it into a window, either
//   panel->setChat(studioChat);                 // a StudioChat bound with configure()
// or, with a host started without chat:
//   panel->setProject(host, engine, &project);  // the panel makes its own (attach())
// and panel->setEngine(engine, name) when a model (un)loads. Before the
// ProjectHost is destroyed: setProject(nullptr, nullptr, nullptr) (or
// setChat(nullptr)), so no chat outlives its runtime.
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QPushButton;

namespace outpost::inference {
class Engine;
}
namespace outpost::core {
class Project;
namespace agent {
class ProjectHost;
}
} // namespace outpost::core

namespace outpost::ui {

class ChatClient;
class ChatDelegate;
class ChatMessageModel;
class StudioChat;

class ChatPanel : public QWidget {
    Q_OBJECT

public:
    explicit ChatPanel(QWidget* parent = nullptr);
    ChatPanel(core::agent::ProjectHost* host, std::shared_ptr<inference::Engine> engine, const core::Project* project,
              QWidget* parent = nullptr);
    ~ChatPanel() override;

    // Uses `chat` (not owned; null: no project). Lists its agent classes and
    // opens the first one's instance "studio".
    void setChat(StudioChat* chat);
    // Makes and owns a StudioChat over `host` for `project` (null host: none).
    void setProject(core::agent::ProjectHost* host, std::shared_ptr<inference::Engine> engine, const core::Project* project);
    // The model of llm nodes without an endpoint (null: none loaded).
    void setEngine(std::shared_ptr<inference::Engine> engine, const QString& modelName = {});
    StudioChat* studioChat() const { return m_chat; }

    // Opens instance `name` of `className`; "" or the reason it cannot.
    QString openInstance(const QString& className, const QString& name);

    ChatClient* client() const { return m_client; }
    ChatMessageModel* model() const;
    ChatDelegate* delegate() const { return m_delegate; }
    QListView* view() const { return m_view; }
    QPlainTextEdit* input() const { return m_input; }
    QComboBox* agentBox() const { return m_agent; }
    QLineEdit* instanceEdit() const { return m_instance; }
    QPushButton* sendButton() const { return m_send; }
    QPushButton* stopButton() const { return m_stop; }
    QLabel* statusLabel() const { return m_status; }

public slots:
    void sendInput();
    void stop();
    void regenerate();
    // Puts message `row` (a user message) in the input; sending resends it
    // in place of the original, dropping what followed.
    void editMessage(int row);
    void copyMessage(int row);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void build();
    void retranslate();
    void updateState();
    void onAction(int row, const QString& action);
    void scrollIfFollowing(bool wasAtBottom);
    bool atBottom() const;
    void setStatus(const QString& text, bool error = false);

    StudioChat* m_chat = nullptr;
    std::unique_ptr<StudioChat> m_ownChat;
    ChatClient* m_client;
    QComboBox* m_agent;
    QLineEdit* m_instance;
    QPushButton* m_open;
    QLabel* m_agentLabel;
    QLabel* m_instanceLabel;
    QListView* m_view;
    ChatDelegate* m_delegate;
    QPlainTextEdit* m_input;
    QPushButton* m_send;
    QPushButton* m_stop;
    QPushButton* m_regenerate;
    QLabel* m_status;
    int m_editingRow = -1;
    bool m_statusIsError = false;
};

} // namespace outpost::ui
