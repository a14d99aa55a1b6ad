#pragma once
// Every problem found in the open project, for the Problems panel.
#include "core/project/diagnostic.h"

#include <QAbstractTableModel>

namespace outpost::ui {

class DiagnosticsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { SeverityColumn, FileColumn, PlaceColumn, MessageColumn, ColumnCount };

    explicit DiagnosticsModel(QObject* parent = nullptr);

    void setDiagnostics(core::Diagnostics diagnostics);
    const core::Diagnostics& diagnostics() const { return m_diagnostics; }
    int errorCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    core::Diagnostics m_diagnostics;
};

} // namespace outpost::ui
