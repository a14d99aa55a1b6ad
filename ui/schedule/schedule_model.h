#pragma once
// An actor instance's schedules, one row each (as ActorContext::getSchedules
// returns them, soonest first), for the alarm editor's table.
#include "core/alarms/schedule_store.h"

#include <QAbstractTableModel>

#include <vector>

namespace outpost::ui {

class ScheduleModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { IdColumn, KindColumn, NextFireColumn, CallbackColumn, PayloadColumn, StatusColumn, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1, // QString
        NextMsRole,                // qint64, ms since the epoch
        KindRole,                  // int (alarms::ScheduleKind)
        FailedRole,                // bool
    };

    explicit ScheduleModel(QObject* parent = nullptr);

    // Replaces the list; rows whose id stays keep their place in views
    // (the model is reset only when the ids change).
    void setSchedules(std::vector<core::alarms::Schedule> schedules);
    const std::vector<core::alarms::Schedule>& schedules() const { return m_schedules; }
    const core::alarms::Schedule* scheduleAt(int row) const;

    // How a kind reads in the UI ("Delay", "Date", "Cron").
    static QString kindName(core::alarms::ScheduleKind kind);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    std::vector<core::alarms::Schedule> m_schedules;
};

} // namespace outpost::ui
