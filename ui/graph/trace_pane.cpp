#include "ui/graph/trace_pane.h"

#include "core/actor/actor_id.h"
#include "ui/chat/chat_client.h"
#include "ui/chat/studio_chat.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace outpost::ui {

namespace {

enum Column { NodeColumn, TypeColumn, TimeColumn, TokensColumn, StatusColumn };

QString compact(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return v.toVariant().toString();
}

QString clip(const QString& s) { return s.size() > 300 ? s.left(300) + QStringLiteral("…") : s; }

} // namespace

TracePane::TracePane(QWidget* parent) : QWidget(parent), m_client(new ChatClient(this))
{
    m_message = new QLineEdit(this);
    m_run = new QPushButton(this);
    m_stop = new QPushButton(this);
    auto* top = new QHBoxLayout;
    top->addWidget(m_message, 1);
    top->addWidget(m_run);
    top->addWidget(m_stop);
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(5);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(NodeColumn, 170);
    m_tree->setColumnWidth(TypeColumn, 110);
    m_tree->setColumnWidth(TimeColumn, 80);
    m_tree->setColumnWidth(TokensColumn, 70);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_status);
    connect(m_run, &QPushButton::clicked, this, [this] { run(); });
    connect(m_message, &QLineEdit::returnPressed, this, [this] { run(); });
    connect(m_stop, &QPushButton::clicked, m_client, &ChatClient::stop);
    connect(m_client, &ChatClient::busyChanged, this, &TracePane::updateState);
    connect(m_client, &ChatClient::errorOccurred, this, [this](const QString& e) { m_status->setText(e); });
    connect(m_client, &ChatClient::turnFinished, this, [this](const QString& outcome) {
        const int row = m_client->model()->rowCount() - 1;
        const QString reply = row >= 0 ? ChatMessageModel::markdownOf(m_client->model()->at(row).ui) : QString();
        m_status->setText(outcome == QLatin1String("aborted") ? tr("Stopped.") : tr("Reply: %1").arg(clip(reply)));
        emit runFinished();
    });
    retranslate();
    updateState();
}

TracePane::~TracePane() { m_client->close(); }

void TracePane::retranslate()
{
    m_message->setPlaceholderText(tr("A test message for the agent"));
    m_run->setText(tr("Run"));
    m_run->setToolTip(tr("Send the test message and trace each node as it runs (the graph as the project was loaded)"));
    m_stop->setText(tr("Stop"));
    m_tree->setHeaderLabels({tr("Node"), tr("Type"), tr("Time (ms)"), tr("Tokens"), tr("Status")});
}

void TracePane::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void TracePane::setRunner(StudioChat* chat, const QString& className)
{
    m_client->close();
    disconnect(m_traceConn);
    m_chat = chat;
    m_className = className;
    m_actorKey.clear();
    if (chat && !className.isEmpty()) {
        if (auto id = core::actor::ActorId::fromName(className.toStdString(), kInstance))
            m_actorKey = QString::fromStdString(id->key());
        m_traceConn = connect(chat, &StudioChat::traceEvent, this, &TracePane::onTrace);
    }
    updateState();
}

bool TracePane::isRunning() const { return m_client->isBusy(); }

void TracePane::updateState()
{
    const bool can = m_chat && !m_className.isEmpty() && !m_actorKey.isEmpty();
    m_run->setEnabled(can && !isRunning());
    m_message->setEnabled(can);
    m_stop->setEnabled(isRunning());
    if (!can)
        m_status->setText(tr("Open a project whose agent has no errors to run it."));
}

bool TracePane::run(const QString& message)
{
    const QString text = message.isEmpty() ? m_message->text().trimmed() : message;
    if (!m_chat || m_className.isEmpty() || isRunning())
        return false;
    const QString said = text.isEmpty() ? QStringLiteral("Hello") : text;
    if (!m_client->isOpen()) {
        if (const QString why = m_client->open(m_chat, m_className, QString::fromLatin1(kInstance)); !why.isEmpty()) {
            m_status->setText(why);
            return false;
        }
    }
    m_tree->clear();
    m_status->setText(tr("Running…"));
    emit runStarted();
    if (!m_client->send(said)) {
        m_status->setText(tr("The message could not be sent."));
        return false;
    }
    updateState();
    return true;
}

void TracePane::onTrace(const QString& actorKey, const QString& runId, const QJsonObject& event)
{
    (void)runId;
    if (actorKey != m_actorKey)
        return;
    const QString node = event.value(QLatin1String("node")).toString();
    const QString phase = event.value(QLatin1String("phase")).toString();
    // The node's latest row (an llm node may run several steps).
    QTreeWidgetItem* item = nullptr;
    for (int i = m_tree->topLevelItemCount() - 1; i >= 0 && !item; --i)
        if (m_tree->topLevelItem(i)->text(NodeColumn) == node && m_tree->topLevelItem(i)->data(NodeColumn, Qt::UserRole).toBool())
            item = m_tree->topLevelItem(i);
    if (phase == QLatin1String("start") || !item) {
        item = new QTreeWidgetItem(m_tree);
        item->setText(NodeColumn, node);
        item->setText(TypeColumn, event.value(QLatin1String("type")).toString());
        item->setData(NodeColumn, Qt::UserRole, true); // running
        item->setText(StatusColumn, tr("running"));
        emit nodeRunState(node, NodeState::Running);
        if (phase == QLatin1String("start")) {
            m_tree->scrollToItem(item);
            return;
        }
    }
    item->setData(NodeColumn, Qt::UserRole, false);
    qDeleteAll(item->takeChildren());
    item->setText(TimeColumn, QString::number(event.value(QLatin1String("elapsedMs")).toDouble(), 'f', 0));
    const int tokens = event.value(QLatin1String("tokens")).toInt();
    item->setText(TokensColumn, tokens > 0 ? QString::number(tokens) : QString());
    const QString error = event.value(QLatin1String("error")).toString();
    QString status = error.isEmpty() ? tr("done") : tr("error: %1").arg(error);
    if (event.contains(QLatin1String("ttftMs")))
        status += QStringLiteral(" · ") + tr("TTFT %1 ms · %2 tok/s")
                                              .arg(event.value(QLatin1String("ttftMs")).toDouble(), 0, 'f', 0)
                                              .arg(event.value(QLatin1String("tokensPerSecond")).toDouble(), 0, 'f', 1);
    item->setText(StatusColumn, status);
    if (!error.isEmpty())
        item->setForeground(StatusColumn, QColor(210, 70, 60));
    for (const auto& [key, label] : {std::pair{"inputs", tr("in")}, std::pair{"outputs", tr("out")}}) {
        const QJsonObject ports = event.value(QLatin1String(key)).toObject();
        for (auto it = ports.begin(); it != ports.end(); ++it) {
            auto* child = new QTreeWidgetItem(item);
            child->setText(NodeColumn, label + QStringLiteral(" ") + it.key());
            const QString value = compact(it.value());
            child->setText(StatusColumn, clip(value));
            child->setToolTip(StatusColumn, value.left(4000));
            child->setFirstColumnSpanned(false);
        }
    }
    item->setExpanded(true);
    m_tree->scrollToItem(item);
    emit nodeRunState(node, error.isEmpty() ? NodeState::Done : NodeState::Error);
}

} // namespace outpost::ui
