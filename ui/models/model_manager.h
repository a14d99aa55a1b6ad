#pragma once
// The model manager panel: GGUF files found in the user's model folders and
// in other local LLM apps' folders, with their metadata, a filter, and the
// engine settings. Scanning runs on a worker thread (ModelScanner), shows
// progress and can be cancelled; the window never waits for it.
//
// Docking: construct with the main window as parent and put it in a
// QDockWidget (or a tab). Connect loadRequested/unloadRequested to the
// engine, and report the engine's state back with setLoadedModel(). The
// first time the panel is shown it scans, unless a scan already ran.
#include "ui/models/engine_settings.h"
#include "ui/models/model_scanner.h"

#include <QWidget>

class QCheckBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QThread;

namespace outpost::ui {

class ModelListModel;

class ModelManager : public QWidget {
    Q_OBJECT

public:
    explicit ModelManager(QWidget* parent = nullptr);
    ~ModelManager() override; // cancels a running scan and joins the worker

    // The user's own folders (kept in QSettings "models/folders").
    QStringList folders() const { return m_folders; }
    void setFolders(const QStringList& folders);
    // Whether the folders of other apps are searched too ("models/searchOtherApps").
    bool searchesOtherApps() const { return m_searchOtherApps; }
    void setSearchOtherApps(bool on);
    // Every folder the next scan walks.
    QList<ScanFolder> scanFolders() const;

    EngineSettings engineSettings() const { return m_settings; }
    void setEngineSettings(const EngineSettings& settings);

    bool isScanning() const { return m_scanning; }
    ModelListModel* model() const { return m_model; }
    QSortFilterProxyModel* proxyModel() const { return m_proxy; }
    QTableView* view() const { return m_view; }
    // The model selected in the table, or nullptr.
    const ModelInfo* currentModel() const;

public slots:
    // Starts a scan (clearing the list); during a scan, cancels it and
    // starts again once the worker has stopped.
    void rescan();
    void cancelScan();
    // The engine reports what it has loaded ("" for nothing).
    void setLoadedModel(const QString& path);

signals:
    void loadRequested(const QString& path, const outpost::ui::EngineSettings& settings);
    void unloadRequested();
    void engineSettingsChanged(const outpost::ui::EngineSettings& settings);
    void scanFinished(bool cancelled);
    // Internal: hands the folders to the worker thread.
    void startScan(const QList<outpost::ui::ScanFolder>& folders);

protected:
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void retranslate();
    void onProgress(int done, int total, const QString& current);
    void onFinished(bool cancelled);
    void updateDetails();
    void updateButtons();
    void addFolder();
    void removeFolder();
    void settingsEdited();

    ModelListModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QThread* m_thread;
    ModelScanner* m_scanner;
    QStringList m_folders;
    bool m_searchOtherApps = true;
    bool m_scanning = false;
    bool m_rescanPending = false;
    bool m_scannedOnce = false;
    EngineSettings m_settings;

    QLineEdit* m_filter = nullptr;
    QPushButton* m_rescanButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QTableView* m_view = nullptr;
    QGroupBox* m_detailsBox = nullptr;
    QFormLayout* m_detailsForm = nullptr;
    QLabel* m_detailLabels[8] = {};
    QLabel* m_detailValues[8] = {};
    QPushButton* m_loadButton = nullptr;
    QPushButton* m_unloadButton = nullptr;
    QGroupBox* m_foldersBox = nullptr;
    QListWidget* m_folderList = nullptr;
    QPushButton* m_addFolderButton = nullptr;
    QPushButton* m_removeFolderButton = nullptr;
    QCheckBox* m_otherAppsCheck = nullptr;
    QGroupBox* m_engineBox = nullptr;
    QFormLayout* m_engineForm = nullptr;
    QLabel* m_threadsLabel = nullptr;
    QLabel* m_kvLabel = nullptr;
    QLabel* m_contextLabel = nullptr;
    QSpinBox* m_threadsSpin = nullptr;
    QSpinBox* m_kvSpin = nullptr;
    QSpinBox* m_contextSpin = nullptr;
};

} // namespace outpost::ui
