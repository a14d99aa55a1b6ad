#include "ui/main/main_window.h"

#include "core/agent/project_host.h"
#include "core/i18n/language.h"
#include "core/project/sample_project.h"
#include "inference/engine.h"
#include "ui/chat/chat_panel.h"
#include "ui/chat/studio_chat.h"
#include "ui/graph/graph_editor.h"
#include "ui/inspect/kv_cache_view.h"
#include "ui/inspect/state_inspector.h"
#include "ui/main/recent_projects.h"
#include "ui/main/shortcuts_dialog.h"
#include "ui/main/theme.h"
#include "ui/models/engine_settings.h"
#include "ui/models/model_manager.h"
#include "ui/project/agent_list_model.h"
#include "ui/project/agent_view.h"
#include "ui/project/diagnostics_model.h"
#include "ui/project/manifest_view.h"
#include "ui/schedule/alarm_editor.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace outpost::ui {

namespace {
const char* const kGeometryKey = "mainWindow/geometry";
const char* const kStateKey = "mainWindow/state";
const char* const kLanguageKey = "language";
const char* const kThemeKey = "theme";
// The status bar's KV readout: often enough to follow a generation, rarely
// enough to cost nothing (stats() copies a small snapshot under a lock).
constexpr int kStatsPollMs = 1000;
constexpr int kStateVersion = 1;
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_agentModel(new AgentListModel(this)),
      m_diagnosticsModel(new DiagnosticsModel(this)),
      m_agentView(new AgentView(this)),
      m_graphEditor(new GraphEditor(this)),
      m_manifestView(new ManifestView(this)),
      m_modelManager(new ModelManager(this)),
      m_stateInspector(new StateInspector(this)),
      m_alarmEditor(new AlarmEditor(this)),
      m_kvCacheView(new KvCacheView(this)),
      m_chatPanel(new ChatPanel(this))
{
    m_loadWatcher = new QFutureWatcher<void>(this);
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/outpost/icons/outpost.svg")));
    setCentralWidget(m_graphEditor);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);
    createActions();
    createDocks();
    m_statusLabel = new QLabel(this);
    // Permanent, so the editor's transient messages never cover them.
    statusBar()->addPermanentWidget(m_statusLabel);
    m_modelLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_modelLabel);
    m_kvStatus = new QToolButton(this);
    m_kvStatus->setObjectName(QStringLiteral("KvStatus"));
    m_kvStatus->setAutoRaise(true);
    m_kvStatus->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_kvStatus->setFocusPolicy(Qt::NoFocus);
    m_kvStatus->hide();
    statusBar()->addPermanentWidget(m_kvStatus);
    connect(m_kvStatus, &QToolButton::clicked, this, [this] {
        m_kvDock->show();
        m_kvDock->raise();
    });
    m_statsTimer = new QTimer(this);
    m_statsTimer->setInterval(kStatsPollMs);
    connect(m_statsTimer, &QTimer::timeout, this, &MainWindow::updateKvStatus);

    connect(this, &MainWindow::projectOpened, m_stateInspector, &StateInspector::setProjectRoot);
    connect(m_stateInspector, &StateInspector::instanceSelected, this,
            [this](const QString& className, const QString& instanceHex, const QString&) {
                auto id = core::actor::ActorId::fromHex(className.toStdString(), instanceHex.toStdString());
                if (id && m_host)
                    m_alarmEditor->setTarget(&m_host->runtime(), *id);
            });
    connect(m_modelManager, &ModelManager::loadRequested, this, &MainWindow::loadModel);
    connect(m_modelManager, &ModelManager::unloadRequested, this, &MainWindow::unloadModel);
    connect(m_loadWatcher, &QFutureWatcher<void>::finished, this, &MainWindow::updateModelStatus);

    QSettings settings;
    m_language = settings.value(QLatin1String(kLanguageKey), QStringLiteral("system")).toString();
    for (QAction* action : m_languageGroup->actions())
        action->setChecked(action->data().toString() == m_language);
    // The theme is the application's; main() applies it before any widget
    // exists, this only catches windows made without it (tests).
    const Theme theme = themeFromKey(settings.value(QLatin1String(kThemeKey)).toString());
    if (theme != currentTheme())
        applyTheme(theme);
    for (QAction* action : m_themeGroup->actions())
        action->setChecked(action->data().toString() == themeKey(theme));

    retranslate();
    // A first start fills most of the screen: the graph editor, the side
    // docks and the Chat panel all want width. Saved geometry wins below.
    if (const QScreen* screen = QGuiApplication::primaryScreen()) {
        const QSize avail = screen->availableSize();
        resize(std::max(1200, avail.width() * 85 / 100), std::max(760, avail.height() * 85 / 100));
    } else {
        resize(1200, 760);
    }
    restoreGeometry(settings.value(QLatin1String(kGeometryKey)).toByteArray());
    restoreState(settings.value(QLatin1String(kStateKey)).toByteArray(), kStateVersion);
    showProject();
}

MainWindow::~MainWindow()
{
    m_loadWatcher->waitForFinished();
    // The alarm editor, the chat panel and the editor's runner are child
    // widgets, destroyed after the members: let go of the runtime first.
    stopHost();
}

QString MainWindow::defaultProjectPath(QString* error)
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const QString path = QDir(base).filePath(QStringLiteral("projects/%1").arg(QLatin1String(core::kSampleProjectName)));
    if (!QFileInfo::exists(QDir(path).filePath(QLatin1String(core::Manifest::kFileName)))) {
        const QString problem = core::installSampleProject(path);
        if (error)
            *error = problem;
    }
    return path;
}

void MainWindow::createActions()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_newAction = m_fileMenu->addAction(QIcon::fromTheme(QStringLiteral("document-new")), QString(), this, &MainWindow::newProject);
    m_newAction->setShortcut(QKeySequence::New);
    m_openAction = m_fileMenu->addAction(QIcon::fromTheme(QStringLiteral("document-open")), QString(), this, &MainWindow::chooseProject);
    m_openAction->setShortcut(QKeySequence::Open);
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_clearRecentAction = new QAction(this);
    connect(m_clearRecentAction, &QAction::triggered, this, [this] {
        RecentProjects::clear();
        rebuildRecentMenu();
    });
    m_saveAction = m_fileMenu->addAction(QIcon::fromTheme(QStringLiteral("document-save")), QString(), this, &MainWindow::saveAgent);
    m_saveAction->setShortcut(QKeySequence::Save);
    m_reloadAction = m_fileMenu->addAction(QIcon::fromTheme(QStringLiteral("view-refresh")), QString(), this, &MainWindow::reloadProject);
    m_reloadAction->setShortcut(QKeySequence::Refresh);
    m_fileMenu->addSeparator();
    m_quitAction = m_fileMenu->addAction(QIcon::fromTheme(QStringLiteral("application-exit")), QString(), this, &QWidget::close);
    // Some platforms bind no key to QKeySequence::Quit (it is empty there).
    m_quitAction->setShortcut(QKeySequence(QKeySequence::Quit).isEmpty() ? QKeySequence(Qt::CTRL | Qt::Key_Q)
                                                                         : QKeySequence(QKeySequence::Quit));
    m_quitAction->setMenuRole(QAction::QuitRole);

    // The editor's actions act while it has focus; the Edit menu shows them.
    m_editMenu = menuBar()->addMenu(QString());
    const GraphEditor* e = m_graphEditor;
    m_editMenu->addActions({e->undoAction(), e->redoAction()});
    m_editMenu->addSeparator();
    m_editMenu->addActions({e->cutAction(), e->copyAction(), e->pasteAction(), e->deleteAction(), e->selectAllAction()});
    m_editMenu->addSeparator();
    m_editMenu->addActions({e->arrangeAction(), e->fitAction(), e->zoomInAction(), e->zoomOutAction(), e->resetZoomAction()});
    m_editMenu->addSeparator();
    m_findAgentAction = m_editMenu->addAction(QIcon::fromTheme(QStringLiteral("edit-find")), QString(), this, [this] {
        m_agentsDock->show();
        m_agentsDock->raise();
        m_agentFilter->setFocus(Qt::ShortcutFocusReason);
        m_agentFilter->selectAll();
    });
    m_findAgentAction->setShortcut(QKeySequence::Find);
    connect(m_graphEditor, &GraphEditor::saveRequested, this, &MainWindow::saveAgent);
    connect(m_graphEditor, &GraphEditor::modifiedChanged, this, &QWidget::setWindowModified);
    connect(m_graphEditor, &GraphEditor::message, this, [this](const QString& text) { statusBar()->showMessage(text, 5000); });

    m_viewMenu = menuBar()->addMenu(QString());
    // The docks' toggles come first (createDocks() adds them), then these.
    m_fullScreenAction = new QAction(this);
    m_fullScreenAction->setCheckable(true);
    m_fullScreenAction->setShortcut(QKeySequence::FullScreen);
    connect(m_fullScreenAction, &QAction::toggled, this, [this](bool on) {
        setWindowState(on ? windowState() | Qt::WindowFullScreen : windowState() & ~Qt::WindowFullScreen);
    });
    m_themeMenu = new QMenu(this);
    m_themeGroup = new QActionGroup(this);
    const auto themeAction = [this](Theme theme) {
        QAction* action = m_themeMenu->addAction(QString());
        action->setData(themeKey(theme));
        action->setCheckable(true);
        m_themeGroup->addAction(action);
        return action;
    };
    m_systemThemeAction = themeAction(Theme::System);
    m_lightThemeAction = themeAction(Theme::Light);
    m_darkThemeAction = themeAction(Theme::Dark);
    connect(m_themeGroup, &QActionGroup::triggered, this,
            [this](QAction* action) { setTheme(themeFromKey(action->data().toString())); });

    m_settingsMenu = menuBar()->addMenu(QString());
    m_languageMenu = m_settingsMenu->addMenu(QString());
    m_languageGroup = new QActionGroup(this);
    m_systemLanguageAction = m_languageMenu->addAction(QString());
    m_systemLanguageAction->setData(QStringLiteral("system"));
    m_systemLanguageAction->setCheckable(true);
    m_languageGroup->addAction(m_systemLanguageAction);
    m_languageMenu->addSeparator();
    for (const auto& lang : core::availableLanguages()) {
        QAction* action = m_languageMenu->addAction(lang.nativeName);
        action->setData(lang.code);
        action->setCheckable(true);
        m_languageGroup->addAction(action);
    }
    connect(m_languageGroup, &QActionGroup::triggered, this, [this](QAction* action) { setLanguage(action->data().toString()); });

    m_helpMenu = menuBar()->addMenu(QString());
    m_shortcutsAction = m_helpMenu->addAction(QIcon::fromTheme(QStringLiteral("help-keyboard-shortcuts")), QString(), this,
                                              &MainWindow::showShortcuts);
    m_shortcutsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    m_helpMenu->addSeparator();
    m_aboutAction = m_helpMenu->addAction(QString(), this, &MainWindow::showAbout);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    m_aboutQtAction = m_helpMenu->addAction(QString(), qApp, &QApplication::aboutQt);
    m_aboutQtAction->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::createDocks()
{
    m_agentList = new QListView(this);
    m_agentList->setModel(m_agentModel);
    m_agentList->setUniformItemSizes(true);
    connect(m_agentList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { selectAgent(current.isValid() ? current.row() : -1); });

    m_problemsTable = new QTableView(this);
    m_problemsTable->setModel(m_diagnosticsModel);
    m_problemsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problemsTable->setWordWrap(false);
    m_problemsTable->verticalHeader()->hide();
    m_problemsTable->horizontalHeader()->setStretchLastSection(true);
    m_problemsTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    connect(m_problemsTable, &QTableView::activated, this, [this](const QModelIndex& index) {
        // Jump to the agent the problem is in.
        const QString file = m_diagnosticsModel->diagnostics().value(index.row()).file;
        for (int row = 0; row < m_agentModel->rowCount(); ++row)
            if (m_agentModel->agentAt(row)->relativePath == file)
                m_agentList->setCurrentIndex(m_agentModel->index(row));
    });

    const auto dock = [this](const char* objectName, QWidget* widget, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(this);
        d->setObjectName(QLatin1String(objectName));
        d->setWidget(widget);
        addDockWidget(area, d);
        m_viewMenu->addAction(d->toggleViewAction());
        return d;
    };
    m_agentFilter = new QLineEdit(this);
    m_agentFilter->setObjectName(QStringLiteral("AgentFilter"));
    m_agentFilter->setClearButtonEnabled(true);
    connect(m_agentFilter, &QLineEdit::textEdited, this, &MainWindow::findAgent);
    // Enter goes on to the graph of the agent found.
    connect(m_agentFilter, &QLineEdit::returnPressed, this, [this] { m_graphEditor->setFocus(Qt::ShortcutFocusReason); });
    auto* agentsPanel = new QWidget(this);
    auto* agentsLayout = new QVBoxLayout(agentsPanel);
    agentsLayout->setContentsMargins(0, 0, 0, 0);
    agentsLayout->setSpacing(2);
    agentsLayout->addWidget(m_agentFilter);
    agentsLayout->addWidget(m_agentList, 1);
    m_agentsDock = dock("AgentsDock", agentsPanel, Qt::LeftDockWidgetArea);
    m_manifestDock = dock("ProjectDock", m_manifestView, Qt::LeftDockWidgetArea);
    m_problemsDock = dock("ProblemsDock", m_problemsTable, Qt::BottomDockWidgetArea);
    m_outlineDock = dock("OutlineDock", m_agentView, Qt::RightDockWidgetArea);
    tabifyDockWidget(m_manifestDock, m_outlineDock);
    m_manifestDock->raise();
    // These panels lay out more than a compact dock shows: they scroll
    // rather than push the graph editor aside.
    const auto scrolling = [this](QWidget* panel) {
        auto* area = new QScrollArea(this);
        area->setWidget(panel);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        return area;
    };
    m_stateDock = dock("StateDock", scrolling(m_stateInspector), Qt::BottomDockWidgetArea);
    m_alarmsDock = dock("AlarmsDock", scrolling(m_alarmEditor), Qt::BottomDockWidgetArea);
    m_modelsDock = dock("ModelsDock", scrolling(m_modelManager), Qt::BottomDockWidgetArea);
    m_kvDock = dock("KvCacheDock", scrolling(m_kvCacheView), Qt::BottomDockWidgetArea);
    m_chatDock = dock("ChatDock", m_chatPanel, Qt::RightDockWidgetArea);
    tabifyDockWidget(m_problemsDock, m_stateDock);
    tabifyDockWidget(m_stateDock, m_alarmsDock);
    tabifyDockWidget(m_alarmsDock, m_modelsDock);
    tabifyDockWidget(m_modelsDock, m_kvDock);
    m_problemsDock->raise();
    // Alt+1 ... Alt+8 show or hide each dock, in the View menu's order.
    const QList<QDockWidget*> all = docks();
    for (int i = 0; i < all.size() && i < 9; ++i)
        all[i]->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_fullScreenAction);
    m_viewMenu->addMenu(m_themeMenu);
    // The graph editor gets most of the window; the docks start compact.
    resizeDocks({m_agentsDock, m_manifestDock}, {420, 260}, Qt::Vertical);
    resizeDocks({m_agentsDock, m_chatDock}, {240, 340}, Qt::Horizontal);
    resizeDocks({m_problemsDock}, {200}, Qt::Vertical);
}

QList<QDockWidget*> MainWindow::docks() const
{
    return {m_agentsDock, m_manifestDock, m_problemsDock, m_outlineDock, m_stateDock,
            m_alarmsDock, m_modelsDock,  m_kvDock,       m_chatDock};
}

void MainWindow::retranslate()
{
    m_fileMenu->setTitle(tr("&File"));
    m_newAction->setText(tr("&New Project…"));
    m_openAction->setText(tr("&Open Project…"));
    m_recentMenu->setTitle(tr("Open &Recent"));
    m_clearRecentAction->setText(tr("&Clear Recent Projects"));
    m_reloadAction->setText(tr("Re&load Project"));
    m_saveAction->setText(tr("&Save Agent"));
    m_editMenu->setTitle(tr("&Edit"));
    m_quitAction->setText(tr("&Quit"));
    m_viewMenu->setTitle(tr("&View"));
    m_findAgentAction->setText(tr("&Find Agent…"));
    m_agentFilter->setPlaceholderText(tr("Find agent (%1)").arg(m_findAgentAction->shortcut().toString(QKeySequence::NativeText)));
    m_fullScreenAction->setText(tr("F&ull Screen"));
    m_themeMenu->setTitle(tr("&Theme"));
    m_systemThemeAction->setText(tr("&System"));
    m_lightThemeAction->setText(tr("&Light"));
    m_darkThemeAction->setText(tr("&Dark"));
    m_shortcutsAction->setText(tr("&Keyboard Shortcuts"));
    m_settingsMenu->setTitle(tr("&Settings"));
    m_languageMenu->setTitle(tr("&Language"));
    m_systemLanguageAction->setText(tr("System language"));
    m_helpMenu->setTitle(tr("&Help"));
    m_aboutAction->setText(tr("&About Outpost"));
    m_aboutQtAction->setText(tr("About &Qt"));
    m_agentsDock->setWindowTitle(tr("Agents"));
    m_manifestDock->setWindowTitle(tr("Project"));
    m_problemsDock->setWindowTitle(tr("Problems"));
    m_outlineDock->setWindowTitle(tr("Outline"));
    m_stateDock->setWindowTitle(tr("State"));
    m_alarmsDock->setWindowTitle(tr("Alarms"));
    m_modelsDock->setWindowTitle(tr("Models"));
    m_kvDock->setWindowTitle(tr("KV Cache"));
    m_chatDock->setWindowTitle(tr("Chat"));
    m_kvStatus->setToolTip(tr("KV-cache use and generation speed of the loaded model; click to show the KV Cache panel"));
    updateModelStatus();
    rebuildRecentMenu();
    showProject();
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::setLanguage(const QString& code)
{
    m_language = code;
    QSettings().setValue(QLatin1String(kLanguageKey), code);
    core::installTranslations(code == QLatin1String("system") ? core::systemLanguage() : code);
    for (QAction* action : m_languageGroup->actions())
        action->setChecked(action->data().toString() == code);
    // Installing a translator sends LanguageChange to every widget, which
    // calls retranslate() here and in each panel.
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList paths = RecentProjects::list();
    for (int i = 0; i < paths.size(); ++i) {
        const QString label = i < 9 ? QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(paths[i]))
                                    : QDir::toNativeSeparators(paths[i]);
        QAction* action = m_recentMenu->addAction(label);
        action->setData(paths[i]);
        connect(action, &QAction::triggered, this, [this, path = paths[i]] { openProject(path); });
    }
    if (paths.isEmpty()) {
        QAction* none = m_recentMenu->addAction(tr("No recent projects"));
        none->setEnabled(false);
    } else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(m_clearRecentAction);
    }
}

bool MainWindow::openProject(const QString& path, bool quiet)
{
    auto loaded = core::Project::open(path);
    if (!loaded.ok()) {
        QStringList lines;
        for (const auto& d : loaded.diagnostics)
            lines << d.toString();
        const QString message = tr("Outpost could not open %1.").arg(QDir::toNativeSeparators(path));
        emit openFailed(message + QLatin1Char('\n') + lines.join(QLatin1Char('\n')));
        if (!quiet) {
            auto* box = new QMessageBox(QMessageBox::Critical, tr("Cannot open project"), message, QMessageBox::Ok, this);
            box->setInformativeText(lines.join(QLatin1Char('\n')));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        return false;
    }
    if (!settleUnsavedAgent())
        return false;
    m_project = std::move(*loaded.value);
    m_currentAgentRow = -1;
    restartHost();
    RecentProjects::add(m_project->root());
    rebuildRecentMenu();
    showProject();
    emit projectOpened(m_project->root());
    return true;
}

bool MainWindow::reloadProject()
{
    return m_project ? openProject(m_project->root()) : false;
}

void MainWindow::refreshProjectModels()
{
    m_agentModel->setAgents(m_project ? m_project->agents() : std::vector<core::AgentFile>{});
    m_diagnosticsModel->setDiagnostics(m_project ? m_project->diagnostics() : core::Diagnostics{});
    const int errors = m_diagnosticsModel->errorCount();
    if (!m_project) {
        m_statusLabel->setText(tr("No project open"));
        return;
    }
    m_statusLabel->setText(tr("%1 · %n agent(s)", nullptr, m_agentModel->rowCount()).arg(QDir::toNativeSeparators(m_project->root()))
                           + QStringLiteral(" · ")
                           + (errors == 0 ? tr("no problems") : tr("%n error(s)", nullptr, errors)));
    if (errors > 0)
        m_problemsDock->show();
}

void MainWindow::showProject()
{
    const QString previous = m_agentList->currentIndex().data(AgentListModel::ClassNameRole).toString();
    m_reloadAction->setEnabled(m_project.has_value());
    setWindowTitle(m_project ? tr("%1 — Outpost Studio").arg(m_project->manifest().name()) + QStringLiteral("[*]")
                             : tr("Outpost Studio"));
    refreshProjectModels();
    m_manifestView->setProject(m_project ? &*m_project : nullptr);
    // Keep the agent that was selected before a reload, else the first one.
    int row = m_agentModel->rowCount() > 0 ? 0 : -1;
    for (int r = 0; r < m_agentModel->rowCount(); ++r)
        if (m_agentModel->agentAt(r)->className == previous)
            row = r;
    m_currentAgentRow = -1;
    if (row >= 0)
        m_agentList->setCurrentIndex(m_agentModel->index(row));
    else
        selectAgent(-1);
}

void MainWindow::selectAgent(int row)
{
    if (row == m_currentAgentRow)
        return;
    if (!settleUnsavedAgent()) {
        // Stay on the agent being edited.
        const QSignalBlocker blocker(m_agentList->selectionModel());
        m_agentList->setCurrentIndex(m_agentModel->index(m_currentAgentRow));
        return;
    }
    m_currentAgentRow = row;
    const core::AgentFile* agent = m_agentModel->agentAt(row);
    m_agentView->setAgent(agent);
    if (agent && agent->graph)
        m_graphEditor->setAgent(*agent->graph, agent->relativePath);
    else
        m_graphEditor->clear();
    m_graphEditor->setRunner(agent ? m_chat.get() : nullptr, agent ? agent->className : QString());
    m_saveAction->setEnabled(agent && agent->graph);
}

bool MainWindow::settleUnsavedAgent()
{
    if (!m_graphEditor->isModified())
        return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"),
                                              tr("The agent \"%1\" has changes that are not saved.").arg(m_graphEditor->graph().name),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save) {
        saveAgent();
        return !m_graphEditor->isModified();
    }
    m_graphEditor->clear();
    return true;
}

void MainWindow::saveAgent()
{
    if (!m_project || m_currentAgentRow < 0)
        return;
    const QString error = m_graphEditor->save(*m_project);
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Cannot save agent"), error);
        return;
    }
    // The runtime serves the graphs as they are on disk.
    restartHost();
    // The project re-read the saved file; show its fresh diagnostics.
    const QSignalBlocker blocker(m_agentList->selectionModel());
    const int row = m_currentAgentRow;
    refreshProjectModels();
    m_agentList->setCurrentIndex(m_agentModel->index(row));
    m_agentView->setAgent(m_agentModel->agentAt(row));
}

void MainWindow::stopHost()
{
    m_alarmEditor->clearTarget();
    m_graphEditor->setRunner(nullptr, {});
    m_chatPanel->setChat(nullptr);
    m_chat.reset();
    m_host.reset();
}

void MainWindow::restartHost()
{
    stopHost();
    if (!m_project)
        return;
    // Staged so the chat service binds to each class before it registers
    // (its schedule callbacks and routes), as `outpost serve` does.
    auto host = core::agent::ProjectHost::create(*m_project);
    auto chat = std::make_unique<StudioChat>(host->runtime(), *m_project);
    auto st = host->addAgents(*m_project, chat->configure());
    if (st)
        st = host->run();
    if (!st) {
        statusBar()->showMessage(tr("The agents of this project cannot run: %1").arg(QString::fromStdString(st.error())));
        return;
    }
    chat->setEngine(m_engine, QFileInfo(m_enginePath).fileName());
    m_host = std::move(host);
    m_chat = std::move(chat);
    m_chatPanel->setChat(m_chat.get());
    if (const core::AgentFile* agent = m_agentModel->agentAt(m_currentAgentRow))
        m_graphEditor->setRunner(m_chat.get(), agent->className);
}

void MainWindow::loadModel(const QString& path, const EngineSettings& settings)
{
    if (m_loadWatcher->isRunning())
        return;
    inference::EngineConfig config;
    config.modelPath = path.toStdString();
    config.threads = settings.threads;
    config.contextLength = settings.contextLength;
    config.kvMemoryMiB = settings.kvBudgetMiB;
    m_loadingPath = path;
    updateModelStatus();
    // Loading maps the file and builds the tokenizer: off the UI thread.
    m_loadWatcher->setFuture(QtConcurrent::run([this, config] {
        auto loaded = inference::Engine::load(config);
        QMetaObject::invokeMethod(this, [this, ok = loaded.ok(), error = loaded.ok() ? std::string() : loaded.error(),
                                         engine = loaded.ok() ? std::shared_ptr<inference::Engine>(std::move(*loaded)) : nullptr] {
            if (ok) {
                m_engine = engine;
                m_enginePath = m_loadingPath;
            } else {
                auto* box = new QMessageBox(QMessageBox::Warning, tr("Cannot load model"),
                                            tr("Outpost could not load %1.").arg(QDir::toNativeSeparators(m_loadingPath)),
                                            QMessageBox::Ok, this);
                box->setInformativeText(QString::fromStdString(error));
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
            }
            m_loadingPath.clear();
            m_modelManager->setLoadedModel(m_enginePath);
            m_kvCacheView->setEngine(m_engine);
            if (m_chat)
                m_chat->setEngine(m_engine, QFileInfo(m_enginePath).fileName());
            updateModelStatus();
            emit modelChanged(m_enginePath);
        });
    }));
}

void MainWindow::unloadModel()
{
    m_kvCacheView->setEngine(nullptr);
    if (m_chat)
        m_chat->setEngine(nullptr);
    m_engine.reset();
    m_enginePath.clear();
    m_modelManager->setLoadedModel(QString());
    updateModelStatus();
    emit modelChanged(QString());
}

void MainWindow::updateKvStatus()
{
    if (!m_engine) {
        m_kvStatus->hide();
        return;
    }
    const inference::EngineStats s = m_engine->stats();
    const double total = std::max(1, s.kvBlocksTotal);
    const double usedMiB = double(s.kvBytesTotal) * double(s.kvBlocksUsed) / total / (1024.0 * 1024.0);
    m_kvStatus->setText(tr("KV %1/%2 blocks (%3%) · %4 MiB · %5 tokens/s")
                            .arg(s.kvBlocksUsed)
                            .arg(s.kvBlocksTotal)
                            .arg(100.0 * double(s.kvBlocksUsed) / total, 0, 'f', 0)
                            .arg(usedMiB, 0, 'f', usedMiB < 10 ? 1 : 0)
                            .arg(s.tokensPerSecond, 0, 'f', 1));
    m_kvStatus->show();
}

void MainWindow::findAgent(const QString& text)
{
    const QString needle = text.trimmed();
    if (needle.isEmpty())
        return;
    // A name that starts with the text wins over one that only contains it.
    int best = -1;
    for (int row = 0; row < m_agentModel->rowCount() && best < 0; ++row)
        if (m_agentModel->agentAt(row)->className.startsWith(needle, Qt::CaseInsensitive))
            best = row;
    for (int row = 0; row < m_agentModel->rowCount() && best < 0; ++row)
        if (m_agentModel->agentAt(row)->className.contains(needle, Qt::CaseInsensitive))
            best = row;
    if (best >= 0)
        m_agentList->setCurrentIndex(m_agentModel->index(best));
    else
        statusBar()->showMessage(tr("No agent matches \"%1\"").arg(needle), 3000);
}

void MainWindow::setTheme(Theme theme)
{
    QSettings().setValue(QLatin1String(kThemeKey), themeKey(theme));
    applyTheme(theme);
    for (QAction* action : m_themeGroup->actions())
        action->setChecked(action->data().toString() == themeKey(theme));
}

void MainWindow::showShortcuts()
{
    if (auto* open = findChild<ShortcutsDialog*>()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto* dialog = new ShortcutsDialog(menuBar(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::updateModelStatus()
{
    if (!m_loadingPath.isEmpty())
        m_modelLabel->setText(tr("Loading %1…").arg(QFileInfo(m_loadingPath).fileName()));
    else if (m_engine)
        m_modelLabel->setText(tr("Model: %1").arg(QFileInfo(m_enginePath).fileName()));
    else
        m_modelLabel->setText(tr("No model loaded"));
    // Poll the engine only while there is one.
    if (m_engine && !m_statsTimer->isActive())
        m_statsTimer->start();
    else if (!m_engine)
        m_statsTimer->stop();
    updateKvStatus();
}

void MainWindow::chooseProject()
{
    const QString start = m_project ? QFileInfo(m_project->root()).absolutePath() : QDir::homePath();
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Project"), start);
    if (!path.isEmpty())
        openProject(path);
}

void MainWindow::newProject()
{
    const QString start = m_project ? QFileInfo(m_project->root()).absolutePath() : QDir::homePath();
    const QString folder = QFileDialog::getSaveFileName(this, tr("New Project"), QDir(start).filePath(tr("my-project")), QString(),
                                                        nullptr, QFileDialog::ShowDirsOnly);
    if (!folder.isEmpty())
        createProject(folder);
}

bool MainWindow::createProject(const QString& folder, bool quiet)
{
    const QString error = core::createProjectFromSample(folder, QDir(folder).dirName());
    if (!error.isEmpty()) {
        if (!quiet) {
            auto* box = new QMessageBox(QMessageBox::Critical, tr("Cannot create project"),
                                        tr("Outpost could not create a project in %1.").arg(QDir::toNativeSeparators(folder)),
                                        QMessageBox::Ok, this);
            box->setInformativeText(error);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        return false;
    }
    return openProject(folder, quiet);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Outpost"),
                       tr("<h3>Outpost %1</h3><p>A desktop agent studio: stateful agents with their own databases and "
                          "alarms, vector memory, and a local GGUF inference engine.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!settleUnsavedAgent()) {
        event->ignore();
        return;
    }
    stopHost();
    QSettings settings;
    settings.setValue(QLatin1String(kGeometryKey), saveGeometry());
    settings.setValue(QLatin1String(kStateKey), saveState(kStateVersion));
    event->accept();
}

} // namespace outpost::ui
