#include "ui/chat/chat_message_model.h"

#include <QVariantMap>

namespace outpost::ui {

ChatMessageModel::ChatMessageModel(QObject* parent) : QAbstractListModel(parent)
{
    m_repaint.setSingleShot(true);
    m_repaint.setInterval(kRepaintMs);
    connect(&m_repaint, &QTimer::timeout, this, &ChatMessageModel::flush);
}

int ChatMessageModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_messages.size()); }

QString ChatMessageModel::markdownOf(const OJson& m)
{
    QString out;
    if (!m.is_object() || !m.contains("parts") || !m["parts"].is_array())
        return out;
    for (const auto& p : m["parts"])
        if (p.is_object() && p.value("type", "") == "text" && p.contains("text") && p["text"].is_string()) {
            if (!out.isEmpty() && !out.endsWith(QLatin1Char('\n')))
                out += QStringLiteral("\n\n");
            out += QString::fromStdString(p["text"].get<std::string>());
        }
    return out;
}

QVariant ChatMessageModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= rowCount())
        return {};
    const ChatMessage& m = at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case MarkdownRole:
        return markdownOf(m.ui);
    case IdRole:
        return QString::fromStdString(m.ui.value("id", std::string()));
    case RoleRole:
        return QString::fromStdString(m.ui.value("role", std::string()));
    case MetricsRole: {
        QVariantMap out;
        if (m.ui.contains("metadata") && m.ui["metadata"].is_object())
            for (const char* key : {"ttftMs", "tokensPerSecond", "completionTokens"})
                if (m.ui["metadata"].contains(key) && m.ui["metadata"][key].is_number())
                    out.insert(QLatin1String(key), m.ui["metadata"][key].get<double>());
        return out;
    }
    case RevisionRole:
        return m.revision;
    case StreamingRole:
        return m.streaming;
    case ToolCountRole: {
        int n = 0;
        if (m.ui.contains("parts") && m.ui["parts"].is_array())
            for (const auto& p : m.ui["parts"])
                n += p.is_object() && p.contains("toolCallId") ? 1 : 0;
        return n;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> ChatMessageModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names[IdRole] = "messageId";
    names[RoleRole] = "role";
    names[MarkdownRole] = "markdown";
    names[MetricsRole] = "metrics";
    names[RevisionRole] = "revision";
    names[StreamingRole] = "streaming";
    names[ToolCountRole] = "toolCount";
    return names;
}

void ChatMessageModel::setMessages(const OJson& uiMessages)
{
    beginResetModel();
    m_messages.clear();
    m_dirtyFirst = m_dirtyLast = -1;
    if (uiMessages.is_array()) {
        m_messages.reserve(uiMessages.size());
        for (const auto& m : uiMessages)
            if (m.is_object())
                m_messages.push_back(ChatMessage{m, 1, false, {}});
    }
    endResetModel();
}

void ChatMessageModel::append(const OJson& uiMessage)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_messages.push_back(ChatMessage{uiMessage, 1, false, {}});
    endInsertRows();
}

void ChatMessageModel::truncate(int count)
{
    count = std::max(0, count);
    if (count >= rowCount())
        return;
    beginRemoveRows({}, count, rowCount() - 1);
    m_messages.resize(std::size_t(count));
    endRemoveRows();
    if (m_dirtyFirst >= count)
        m_dirtyFirst = m_dirtyLast = -1;
    else if (m_dirtyLast >= count)
        m_dirtyLast = count - 1;
}

void ChatMessageModel::noteChanged(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    ++m_messages[std::size_t(row)].revision;
    m_dirtyFirst = m_dirtyFirst < 0 ? row : std::min(m_dirtyFirst, row);
    m_dirtyLast = std::max(m_dirtyLast, row);
    if (!m_repaint.isActive())
        m_repaint.start();
}

void ChatMessageModel::flush()
{
    m_repaint.stop();
    if (m_dirtyFirst < 0)
        return;
    const int first = m_dirtyFirst, last = std::min(m_dirtyLast, rowCount() - 1);
    m_dirtyFirst = m_dirtyLast = -1;
    if (first <= last)
        emit dataChanged(index(first), index(last));
}

int ChatMessageModel::rowOf(const QString& id) const
{
    const std::string key = id.toStdString();
    for (int i = rowCount() - 1; i >= 0; --i)
        if (at(i).ui.value("id", std::string()) == key)
            return i;
    return -1;
}

OJson ChatMessageModel::uiMessages(int count) const
{
    OJson out = OJson::array();
    for (int i = 0; i < std::min(count, rowCount()); ++i)
        out.push_back(at(i).ui);
    return out;
}

} // namespace outpost::ui
