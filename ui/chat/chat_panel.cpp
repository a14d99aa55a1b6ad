#include "ui/chat/chat_panel.h"

#include "core/agent/project_host.h"
#include "inference/engine.h"
#include "ui/chat/chat_client.h"
#include "ui/chat/chat_delegate.h"
#include "ui/chat/chat_message_model.h"
#include "ui/chat/studio_chat.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QVBoxLayout>

namespace outpost::ui {

namespace {
const QString kDefaultInstance = QStringLiteral("studio");
// Settings: the agent class and instance the panel opened last.
const char* const kLastAgentKey = "chat/lastAgent";
const char* const kLastInstanceKey = "chat/lastInstance";
}

ChatPanel::ChatPanel(QWidget* parent) : QWidget(parent), m_client(new ChatClient(this))
{
    build();
}

ChatPanel::ChatPanel(core::agent::ProjectHost* host, std::shared_ptr<inference::Engine> engine, const core::Project* project, QWidget* parent)
    : ChatPanel(parent)
{
    setProject(host, std::move(engine), project);
}

ChatPanel::~ChatPanel()
{
    // The client's connection belongs to the StudioChat: close it first.
    m_client->close();
}

ChatMessageModel* ChatPanel::model() const { return m_client->model(); }

void ChatPanel::build()
{
    m_agentLabel = new QLabel(this);
    m_agent = new QComboBox(this);
    m_instanceLabel = new QLabel(this);
    m_instance = new QLineEdit(kDefaultInstance, this);
    m_open = new QPushButton(this);
    // Two rows, so a narrow dock still shows the whole instance name.
    auto* top = new QGridLayout;
    top->addWidget(m_agentLabel, 0, 0);
    top->addWidget(m_agent, 0, 1, 1, 2);
    top->addWidget(m_instanceLabel, 1, 0);
    top->addWidget(m_instance, 1, 1);
    top->addWidget(m_open, 1, 2);
    top->setColumnStretch(1, 1);

    m_view = new QListView(this);
    m_view->setModel(m_client->model());
    m_delegate = new ChatDelegate(m_view);
    m_view->setItemDelegate(m_delegate);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->verticalScrollBar()->setSingleStep(24);
    m_view->setUniformItemSizes(false);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setMouseTracking(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setFrameShape(QFrame::NoFrame);

    m_input = new QPlainTextEdit(this);
    m_input->setTabChangesFocus(true);
    m_input->setMaximumHeight(m_input->fontMetrics().lineSpacing() * 5 + 12);
    m_input->installEventFilter(this);
    m_send = new QPushButton(this);
    m_send->setDefault(true);
    m_stop = new QPushButton(this);
    m_regenerate = new QPushButton(this);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_regenerate);
    buttons->addStretch();
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_input, 1);
    bottom->addLayout(buttons);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    layout->addLayout(bottom);

    connect(m_send, &QPushButton::clicked, this, &ChatPanel::sendInput);
    connect(m_stop, &QPushButton::clicked, this, &ChatPanel::stop);
    connect(m_regenerate, &QPushButton::clicked, this, &ChatPanel::regenerate);
    auto reopen = [this] {
        if (const QString why = openInstance(m_agent->currentText(), m_instance->text().trimmed()); !why.isEmpty())
            setStatus(why, true);
    };
    connect(m_open, &QPushButton::clicked, this, reopen);
    connect(m_instance, &QLineEdit::returnPressed, this, reopen);
    connect(m_agent, &QComboBox::activated, this, reopen);
    connect(m_delegate, &ChatDelegate::actionTriggered, this, &ChatPanel::onAction);
    connect(m_client, &ChatClient::busyChanged, this, &ChatPanel::updateState);
    connect(m_client, &ChatClient::errorOccurred, this, [this](const QString& e) { setStatus(e, true); });
    connect(m_client, &ChatClient::turnFinished, this, [this](const QString& outcome) {
        if (outcome == QLatin1String("aborted"))
            setStatus(tr("Stopped."));
        else if (outcome == QLatin1String("skipped"))
            setStatus(tr("The agent was busy: the message was not answered."), true);
        else if (!m_statusIsError)
            setStatus({});
        updateState();
    });
    // Follow the end of the transcript while the user is at the bottom.
    ChatMessageModel* model = m_client->model();
    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] { m_view->setProperty("followTail", atBottom()); });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] { scrollIfFollowing(m_view->property("followTail").toBool()); });
    connect(model, &QAbstractItemModel::dataChanged, this, [this] { scrollIfFollowing(atBottom()); });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        m_delegate->clearCache();
        m_view->scrollToBottom();
        updateState();
    });
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](QPoint pos) {
        const QModelIndex index = m_view->indexAt(pos);
        if (!index.isValid())
            return;
        QMenu menu(this);
        const int row = index.row();
        menu.addAction(tr("Copy"), this, [this, row] { copyMessage(row); });
        if (index.data(ChatMessageModel::RoleRole).toString() == QLatin1String("user"))
            menu.addAction(tr("Edit and Resend"), this, [this, row] { editMessage(row); });
        if (row == m_client->model()->rowCount() - 1 && !m_client->isBusy())
            menu.addAction(tr("Regenerate"), this, &ChatPanel::regenerate);
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });
    retranslate();
    updateState();
}

void ChatPanel::retranslate()
{
    m_agentLabel->setText(tr("Agent:"));
    m_instanceLabel->setText(tr("Instance:"));
    m_instance->setPlaceholderText(tr("instance name"));
    m_open->setText(tr("Open"));
    m_send->setText(m_editingRow >= 0 ? tr("Resend") : tr("Send"));
    m_send->setToolTip(tr("Send the message (Enter; Shift+Enter for a new line)"));
    m_stop->setText(tr("Stop"));
    m_stop->setToolTip(tr("Stop the reply (Esc)"));
    m_regenerate->setText(tr("Regenerate"));
    m_regenerate->setToolTip(tr("Answer the last message again"));
    m_input->setPlaceholderText(m_editingRow >= 0 ? tr("Edit the message, then Resend (Esc to cancel)")
                                                  : tr("Message the agent (Enter to send, Shift+Enter for a new line)"));
}

void ChatPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        m_delegate->clearCache();
    QWidget::changeEvent(event);
}

void ChatPanel::setChat(StudioChat* chat)
{
    m_client->close();
    m_chat = chat;
    if (m_ownChat && m_ownChat.get() != chat)
        m_ownChat.reset();
    m_agent->clear();
    if (chat)
        for (const QString& cls : chat->classNames())
            m_agent->addItem(cls);
    if (chat && m_agent->count() > 0) {
        // The class and instance last opened, when this project still has that class.
        const QSettings settings;
        const QString lastClass = settings.value(QLatin1String(kLastAgentKey)).toString();
        const QString lastInstance = settings.value(QLatin1String(kLastInstanceKey)).toString();
        const bool known = m_agent->findText(lastClass) >= 0;
        QString instance = m_instance->text().trimmed();
        if (known && !lastInstance.isEmpty())
            instance = lastInstance;
        if (const QString why = openInstance(known ? lastClass : m_agent->itemText(0), instance.isEmpty() ? kDefaultInstance : instance);
            !why.isEmpty())
            setStatus(why, true);
    } else {
        setStatus(chat ? tr("This project has no agent without errors to chat with.") : tr("Open a project to chat with its agents."), chat != nullptr);
    }
    updateState();
}

void ChatPanel::setProject(core::agent::ProjectHost* host, std::shared_ptr<inference::Engine> engine, const core::Project* project)
{
    m_client->close();
    m_chat = nullptr;
    m_ownChat.reset();
    if (!host || !project) {
        setChat(nullptr);
        return;
    }
    m_ownChat = std::make_unique<StudioChat>(host->runtime(), *project);
    m_ownChat->attach(*project);
    m_ownChat->setEngine(std::move(engine));
    setChat(m_ownChat.get());
}

void ChatPanel::setEngine(std::shared_ptr<inference::Engine> engine, const QString& modelName)
{
    if (m_chat)
        m_chat->setEngine(std::move(engine), modelName);
    updateState();
}

QString ChatPanel::openInstance(const QString& className, const QString& name)
{
    if (!m_chat)
        return tr("Open a project to chat with its agents.");
    const QString why = m_client->open(m_chat, className, name.isEmpty() ? kDefaultInstance : name);
    if (why.isEmpty()) {
        QSettings settings;
        settings.setValue(QLatin1String(kLastAgentKey), className);
        settings.setValue(QLatin1String(kLastInstanceKey), name.isEmpty() ? kDefaultInstance : name);
        if (m_agent->currentText() != className)
            m_agent->setCurrentText(className);
        if (m_instance->text().trimmed() != name && !name.isEmpty())
            m_instance->setText(name);
        m_editingRow = -1;
        retranslate();
        setStatus({});
    }
    updateState();
    return why;
}

void ChatPanel::setStatus(const QString& text, bool error)
{
    m_statusIsError = error && !text.isEmpty();
    QString shown = text;
    if (shown.isEmpty() && m_chat && !m_chat->hasModel())
        shown = tr("No model is loaded: agents whose llm nodes have no endpoint cannot answer (load one in Models).");
    m_status->setText(shown);
    m_status->setStyleSheet(m_statusIsError ? QStringLiteral("color: #d04a3c;") : QString());
    m_status->setVisible(!shown.isEmpty());
}

void ChatPanel::updateState()
{
    const bool open = m_client->isOpen();
    const bool busy = m_client->isBusy();
    m_send->setEnabled(open && !busy);
    m_stop->setEnabled(busy);
    bool canRegenerate = false;
    for (int i = 0; i < model()->rowCount() && !canRegenerate; ++i)
        canRegenerate = model()->at(i).ui.value("role", "") == "user";
    m_regenerate->setEnabled(open && !busy && canRegenerate);
    m_input->setEnabled(open);
    m_open->setEnabled(m_chat != nullptr);
    m_agent->setEnabled(m_chat != nullptr);
    m_instance->setEnabled(m_chat != nullptr);
    if (!m_statusIsError && m_status->text().isEmpty())
        setStatus({});
}

void ChatPanel::sendInput()
{
    const QString text = m_input->toPlainText();
    if (text.trimmed().isEmpty() || !m_client->isOpen() || m_client->isBusy())
        return;
    bool ok;
    if (m_editingRow >= 0 && m_editingRow < model()->rowCount())
        ok = m_client->editAndResend(m_editingRow, text);
    else
        ok = m_client->send(text);
    if (ok) {
        m_input->clear();
        m_editingRow = -1;
        retranslate();
        setStatus({});
        m_view->scrollToBottom();
    }
    updateState();
}

void ChatPanel::stop()
{
    m_client->stop();
}

void ChatPanel::regenerate()
{
    if (m_client->isBusy())
        return;
    if (m_client->regenerate())
        m_view->scrollToBottom();
    updateState();
}

void ChatPanel::editMessage(int row)
{
    if (row < 0 || row >= model()->rowCount() || model()->at(row).ui.value("role", "") != "user")
        return;
    m_editingRow = row;
    m_input->setPlainText(ChatMessageModel::markdownOf(model()->at(row).ui));
    m_input->setFocus();
    m_input->moveCursor(QTextCursor::End);
    retranslate();
}

void ChatPanel::copyMessage(int row)
{
    if (row < 0 || row >= model()->rowCount())
        return;
    QApplication::clipboard()->setText(ChatMessageModel::markdownOf(model()->at(row).ui));
    setStatus(tr("Copied."));
}

void ChatPanel::onAction(int row, const QString& action)
{
    if (action == QLatin1String("copy"))
        copyMessage(row);
    else if (action == QLatin1String("edit"))
        editMessage(row);
    else if (action == QLatin1String("regenerate"))
        regenerate();
    else if (action.startsWith(QLatin1String("approve:")))
        m_client->answerTool(action.mid(8), true);
    else if (action.startsWith(QLatin1String("deny:")))
        m_client->answerTool(action.mid(5), false);
}

bool ChatPanel::atBottom() const
{
    const QScrollBar* bar = m_view->verticalScrollBar();
    return bar->value() >= bar->maximum() - 4;
}

void ChatPanel::scrollIfFollowing(bool wasAtBottom)
{
    if (wasAtBottom)
        m_view->scrollToBottom();
}

bool ChatPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && !(key->modifiers() & Qt::ShiftModifier)) {
            sendInput();
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            if (m_client->isBusy()) {
                stop();
            } else if (m_editingRow >= 0) {
                m_editingRow = -1;
                m_input->clear();
                retranslate();
            }
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace outpost::ui
