#pragma once
// The models found by the scanner, one row each, for the model manager's
// table (sorted and filtered through a QSortFilterProxyModel that sorts by
// SortRole). A file that could not be read stays listed with its error.
#include "ui/models/model_info.h"

#include <QAbstractTableModel>
#include <QHash>

namespace outpost::ui {

class ModelListModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { NameColumn, ArchitectureColumn, ParametersColumn, QuantisationColumn, ContextColumn, SizeColumn, SourceColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // raw numbers for numeric columns, text otherwise
        PathRole,                    // QString, absolute path
        ErrorRole,                   // QString, empty when the file reads
        LoadedRole,                  // bool: the engine has this model loaded
    };

    explicit ModelListModel(QObject* parent = nullptr);

    void clear();
    // Appends models; a path already listed is replaced in place.
    void addModels(const QList<ModelInfo>& models);
    const ModelInfo* modelAt(int row) const;
    int rowOf(const QString& path) const;
    // Marks the loaded model (empty: none).
    void setLoadedPath(const QString& path);
    QString loadedPath() const { return m_loaded; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    QList<ModelInfo> m_models;
    QHash<QString, int> m_rowByPath;
    QString m_loaded;
};

} // namespace outpost::ui
