#include "ui/schedule/schedule_model.h"

#include <QApplication>
#include <QDateTime>
#include <QStyle>

namespace outpost::ui {

using core::alarms::Schedule;
using core::alarms::ScheduleKind;

ScheduleModel::ScheduleModel(QObject* parent) : QAbstractTableModel(parent) {}

QString ScheduleModel::kindName(ScheduleKind kind)
{
    switch (kind) {
    case ScheduleKind::Delay: return tr("Delay");
    case ScheduleKind::Date: return tr("Date");
    case ScheduleKind::Cron: return tr("Cron");
    }
    return {};
}

void ScheduleModel::setSchedules(std::vector<Schedule> schedules)
{
    bool sameIds = schedules.size() == m_schedules.size();
    for (std::size_t i = 0; sameIds && i < schedules.size(); ++i)
        sameIds = schedules[i].id == m_schedules[i].id;
    if (sameIds) {
        m_schedules = std::move(schedules);
        if (!m_schedules.empty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_schedules = std::move(schedules);
    endResetModel();
}

const Schedule* ScheduleModel::scheduleAt(int row) const
{
    return row >= 0 && row < rowCount() ? &m_schedules[std::size_t(row)] : nullptr;
}

int ScheduleModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_schedules.size());
}

int ScheduleModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ScheduleModel::data(const QModelIndex& index, int role) const
{
    const Schedule* s = index.isValid() ? scheduleAt(index.row()) : nullptr;
    if (!s)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return QString::fromStdString(s->id.substr(0, 8));
        case KindColumn:
            if (s->kind == ScheduleKind::Cron)
                return QStringLiteral("%1 · %2%3").arg(kindName(s->kind), QString::fromStdString(s->cron),
                                                       s->utc ? QStringLiteral(" UTC") : QString());
            return kindName(s->kind);
        case NextFireColumn:
            return QDateTime::fromMSecsSinceEpoch(s->nextMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case CallbackColumn:
            return QString::fromStdString(s->callback);
        case PayloadColumn:
            return s->payload.is_null() ? QString() : QString::fromStdString(s->payload.dump());
        case StatusColumn:
            if (s->failed)
                return tr("Failed: %1").arg(QString::fromStdString(s->lastError));
            if (s->attempts > 0)
                return tr("Retry %1: %2").arg(s->attempts).arg(QString::fromStdString(s->lastError));
            return tr("Pending");
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == IdColumn)
            return QString::fromStdString(s->id);
        if (index.column() == PayloadColumn && !s->payload.is_null())
            return QString::fromStdString(s->payload.dump(2));
        if (index.column() == StatusColumn && !s->lastError.empty())
            return QString::fromStdString(s->lastError);
        return {};
    case Qt::DecorationRole:
        if (index.column() == StatusColumn && (s->failed || s->attempts > 0))
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return {};
    case IdRole:
        return QString::fromStdString(s->id);
    case NextMsRole:
        return qint64(s->nextMs);
    case KindRole:
        return int(s->kind);
    case FailedRole:
        return s->failed;
    default:
        return {};
    }
}

QVariant ScheduleModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("ID");
    case KindColumn: return tr("Kind");
    case NextFireColumn: return tr("Next fire");
    case CallbackColumn: return tr("Callback");
    case PayloadColumn: return tr("Payload");
    case StatusColumn: return tr("Status");
    }
    return {};
}

QHash<int, QByteArray> ScheduleModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(IdRole, "scheduleId");
    names.insert(NextMsRole, "nextMs");
    names.insert(KindRole, "kind");
    names.insert(FailedRole, "failed");
    return names;
}

} // namespace outpost::ui
