#pragma once
// The studio's main window: the graph editor of the selected agent in the
// centre, the project's agents, manifest, problems and the graph's outline in
// docks around it; the Chat panel, the inspectors, the alarm editor, the
// model manager and the KV-cache view dock into the same frame, and the View
// menu lists every dock. The window hosts the open project's runtime
// (ProjectHost) and its chat service (StudioChat), which the Chat panel and
// the graph editor's Run talk to.
#include "core/project/project.h"

#include <QFutureWatcher>

#include <memory>

#include <QMainWindow>

#include <optional>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QTableView;
class QTimer;
class QToolButton;

namespace outpost::inference {
class Engine;
}
namespace outpost::core::agent {
class ProjectHost;
}

namespace outpost::ui {

class AgentListModel;
class ChatPanel;
class StudioChat;
class AlarmEditor;
class KvCacheView;
class ModelManager;
class StateInspector;
struct EngineSettings;
enum class Theme;
class AgentView;
class GraphEditor;
class DiagnosticsModel;
class ManifestView;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens the project in `path`. On failure the open project stays as it
    // was, nothing on disk changes, a message box explains why (unless
    // quiet), and openFailed is emitted with the same text.
    bool openProject(const QString& path, bool quiet = false);
    bool reloadProject();
    // Creates a project from the sample in `folder` and opens it; on failure
    // explains why (unless quiet) and returns false.
    bool createProject(const QString& folder, bool quiet = false);

    const core::Project* project() const { return m_project ? &*m_project : nullptr; }
    AgentListModel* agentModel() const { return m_agentModel; }
    DiagnosticsModel* diagnosticsModel() const { return m_diagnosticsModel; }
    AgentView* agentView() const { return m_agentView; }
    GraphEditor* graphEditor() const { return m_graphEditor; }
    ModelManager* modelManager() const { return m_modelManager; }
    StateInspector* stateInspector() const { return m_stateInspector; }
    AlarmEditor* alarmEditor() const { return m_alarmEditor; }
    KvCacheView* kvCacheView() const { return m_kvCacheView; }
    // The runtime of the open project's agents (null while none is open or
    // it could not start).
    core::agent::ProjectHost* projectHost() const { return m_host.get(); }
    StudioChat* studioChat() const { return m_chat.get(); }
    ChatPanel* chatPanel() const { return m_chatPanel; }
    // The loaded model (null when none).
    std::shared_ptr<inference::Engine> engine() const { return m_engine; }
    QListView* agentList() const { return m_agentList; }
    // The field above the agent list that finds an agent by name (Ctrl+F).
    QLineEdit* agentFilter() const { return m_agentFilter; }
    // The status bar's KV-cache and speed readout (empty text while no model
    // is loaded); clicking it shows the KV Cache dock.
    QToolButton* kvStatus() const { return m_kvStatus; }
    QDockWidget* kvCacheDock() const { return m_kvDock; }
    QMenu* recentMenu() const { return m_recentMenu; }
    QList<QDockWidget*> docks() const;

    // Switches the interface language ("system", "en", "fr_CA") and keeps
    // the choice in the settings.
    void setLanguage(const QString& code);
    QString language() const { return m_language; }
    // Switches the colour theme of the whole application and keeps the
    // choice in the settings.
    void setTheme(Theme theme);
    // Help > Keyboard Shortcuts (non-modal; one at a time).
    void showShortcuts();
    // Reads Engine::stats() into the status bar's KV readout now (a timer
    // does it every second while a model is loaded).
    void updateKvStatus();

    // The sample project in the user's data folder, copied there on first use.
    static QString defaultProjectPath(QString* error = nullptr);

signals:
    void projectOpened(const QString& root);
    // After a load (path of the model) or an unload (empty) finished.
    void modelChanged(const QString& path);
    void openFailed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void createActions();
    void createDocks();
    void retranslate();
    void rebuildRecentMenu();
    void showProject();
    void selectAgent(int row);
    void chooseProject();
    // Asks for a new folder and creates a project there from the sample.
    void newProject();
    void showAbout();
    // Asks what to do with unsaved graph edits; false means stay put.
    bool settleUnsavedAgent();
    void saveAgent();
    void refreshProjectModels();
    // Stops the agents' runtime and starts it again for the open project.
    void restartHost();
    // Lets go of the runtime: chat, runner and alarm editor first, then the host.
    void stopHost();
    void loadModel(const QString& path, const EngineSettings& settings);
    void unloadModel();
    void updateModelStatus();
    void findAgent(const QString& text);

    std::optional<core::Project> m_project;
    QString m_language;

    AgentListModel* m_agentModel;
    DiagnosticsModel* m_diagnosticsModel;
    AgentView* m_agentView;
    GraphEditor* m_graphEditor;
    int m_currentAgentRow = -1;
    std::unique_ptr<core::agent::ProjectHost> m_host;
    std::unique_ptr<StudioChat> m_chat; // over m_host's runtime: reset first
    std::shared_ptr<inference::Engine> m_engine;
    QString m_enginePath;
    QString m_loadingPath;
    QFutureWatcher<void>* m_loadWatcher = nullptr;
    ManifestView* m_manifestView;
    ModelManager* m_modelManager;
    StateInspector* m_stateInspector;
    AlarmEditor* m_alarmEditor;
    KvCacheView* m_kvCacheView;
    ChatPanel* m_chatPanel;
    QListView* m_agentList = nullptr;
    QTableView* m_problemsTable = nullptr;
    QDockWidget* m_agentsDock = nullptr;
    QDockWidget* m_manifestDock = nullptr;
    QDockWidget* m_problemsDock = nullptr;
    QDockWidget* m_outlineDock = nullptr;
    QDockWidget* m_modelsDock = nullptr;
    QDockWidget* m_kvDock = nullptr;
    QDockWidget* m_chatDock = nullptr;
    QDockWidget* m_stateDock = nullptr;
    QDockWidget* m_alarmsDock = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_statusLabel = nullptr;
    QToolButton* m_kvStatus = nullptr;
    QTimer* m_statsTimer = nullptr;  // runs only while a model is loaded
    QLineEdit* m_agentFilter = nullptr;

    QMenu* m_fileMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_editMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_settingsMenu = nullptr;
    QMenu* m_languageMenu = nullptr;
    QMenu* m_themeMenu = nullptr;
    QMenu* m_helpMenu = nullptr;
    QAction* m_newAction = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_reloadAction = nullptr;
    QAction* m_saveAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_aboutAction = nullptr;
    QAction* m_aboutQtAction = nullptr;
    QAction* m_clearRecentAction = nullptr;
    QAction* m_findAgentAction = nullptr;
    QAction* m_fullScreenAction = nullptr;
    QAction* m_shortcutsAction = nullptr;
    QActionGroup* m_themeGroup = nullptr;
    QAction* m_systemThemeAction = nullptr;
    QAction* m_lightThemeAction = nullptr;
    QAction* m_darkThemeAction = nullptr;
    QActionGroup* m_languageGroup = nullptr;
    QAction* m_systemLanguageAction = nullptr;
};

} // namespace outpost::ui
