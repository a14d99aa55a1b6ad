// The studio's main window on the offscreen platform: it opens the sample
// project, lists agents and problems, survives bad projects, remembers recent
// projects, switches language and theme, shows the engine's KV-cache use in
// the status bar and lists its shortcuts. Screenshots land in the test's
// folder.
#include "core/i18n/language.h"
#include "core/project/sample_project.h"
#include "ui/chat/chat_panel.h"
#include "ui/chat/studio_chat.h"
#include "ui/graph/graph_document.h"
#include "ui/graph/graph_editor.h"
#include "core/agent/project_host.h"
#include "inference/engine.h"
#include "ui/inspect/kv_cache_view.h"
#include "ui/main/main_window.h"
#include "ui/main/shortcuts_dialog.h"
#include "ui/main/theme.h"
#include "ui/models/engine_settings.h"
#include "ui/models/model_manager.h"
#include "ui/main/recent_projects.h"
#include "ui/project/agent_list_model.h"
#include "ui/project/agent_view.h"
#include "ui/project/diagnostics_model.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <future>

using namespace outpost;

namespace {

void writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

void screenshot(QWidget* w, const QString& name)
{
    const QString dir = QDir::current().filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    QVERIFY(w->grab().save(QDir(dir).filePath(name)));
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("OutpostTest"));
        QCoreApplication::setApplicationName(QStringLiteral("outpost-studio-test"));
        QSettings().clear();
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).removeRecursively();
    }

    void opensSampleProject()
    {
        ui::MainWindow window;
        QAbstractItemModelTester agentTester(window.agentModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester problemTester(window.diagnosticsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString error;
        const QString path = ui::MainWindow::defaultProjectPath(&error);
        QCOMPARE(error, QString());
        QVERIFY(window.openProject(path));
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.project()->manifest().name(), QStringLiteral("hello"));
        QCOMPARE(window.agentModel()->rowCount(), 2);
        QCOMPARE(window.agentModel()->index(0).data().toString(), QStringLiteral("assistant"));
        QCOMPARE(window.diagnosticsModel()->errorCount(), 0);
        QVERIFY(window.windowTitle().contains(QStringLiteral("hello")));
        // The first agent is selected and its graph outline shows its nodes.
        QCOMPARE(window.agentView()->outline()->topLevelItemCount(), 5);
        QCOMPARE(window.agentView()->outline()->topLevelItem(0)->text(0), QStringLiteral("in"));
        window.agentList()->setCurrentIndex(window.agentModel()->index(1));
        QCOMPARE(window.agentView()->outline()->topLevelItem(1)->text(0), QStringLiteral("write"));
        QCOMPARE(window.docks().size(), 9);
        // The project's agents run while it is open, with chat bound to each
        // class; the Chat panel talks to that service and lists the classes.
        QVERIFY(window.projectHost());
        QCOMPARE(window.projectHost()->registry().classes().size(), std::size_t(2));
        QVERIFY(window.studioChat());
        QCOMPARE(window.chatPanel()->studioChat(), window.studioChat());
        QCOMPARE(window.chatPanel()->agentBox()->count(), 2);
        // The centre shows the selected agent in the graph editor.
        QCOMPARE(window.graphEditor()->graph().name, QStringLiteral("reminder"));
        QCOMPARE(window.graphEditor()->graph().nodes.size(), std::size_t(5));
        for (QDockWidget* dock : window.docks())
            QVERIFY(!dock->windowTitle().isEmpty());
        screenshot(&window, QStringLiteral("main_window_sample.png"));
        QCOMPARE(ui::RecentProjects::list().value(0), QDir::cleanPath(QDir(path).absolutePath()));
    }

    void badProjectKeepsCurrentOne()
    {
        QTemporaryDir bad;
        writeFile(bad.filePath(QStringLiteral("outpost.json")), "{ \"schemaVersion\": 1,, }");
        const QByteArray before = QFile(bad.filePath(QStringLiteral("outpost.json"))).exists() ? QByteArray("x") : QByteArray();
        ui::MainWindow window;
        QVERIFY(window.openProject(ui::MainWindow::defaultProjectPath()));
        QSignalSpy failed(&window, &ui::MainWindow::openFailed);
        QVERIFY(!window.openProject(bad.path()));
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("outpost.json:1:22")));
        // The message box is shown, not run modally, so nothing blocks.
        auto* box = window.findChild<QMessageBox*>();
        QVERIFY(box);
        QVERIFY(box->informativeText().contains(QStringLiteral("not valid JSON")));
        screenshot(box, QStringLiteral("open_failed_dialog.png"));
        box->close();
        QCOMPARE(window.project()->manifest().name(), QStringLiteral("hello"));
        QVERIFY(!window.openProject(bad.filePath(QStringLiteral("does-not-exist")), true));
        QCOMPARE(window.project()->manifest().name(), QStringLiteral("hello"));
    }

    void problemsAreListed()
    {
        QTemporaryDir dir;
        QCOMPARE(core::installSampleProject(dir.path()), QString());
        writeFile(dir.filePath(QStringLiteral("agents/broken.agent.json")),
                  R"({"schemaVersion":1,"name":"broken","nodes":[{"id":"in","type":"input"}],"edges":[]})");
        ui::MainWindow window;
        QVERIFY(window.openProject(dir.path()));
        QCOMPARE(window.agentModel()->rowCount(), 3);
        const QModelIndex broken = window.agentModel()->index(1);
        QCOMPARE(broken.data().toString(), QStringLiteral("broken"));
        QCOMPARE(broken.data(ui::AgentListModel::ValidRole).toBool(), false);
        QVERIFY(window.diagnosticsModel()->errorCount() >= 1);
        const QModelIndex message = window.diagnosticsModel()->index(0, ui::DiagnosticsModel::MessageColumn);
        QVERIFY2(message.data().toString().contains(QStringLiteral("needs a node of type \"output\"")), qPrintable(message.data().toString()));
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        screenshot(&window, QStringLiteral("main_window_problems.png"));
    }

    void recentMenuListsProjects()
    {
        ui::RecentProjects::clear();
        QTemporaryDir a, b;
        QCOMPARE(core::installSampleProject(a.path()), QString());
        QCOMPARE(core::installSampleProject(b.path()), QString());
        ui::MainWindow window;
        QVERIFY(window.openProject(a.path()));
        QVERIFY(window.openProject(b.path()));
        QVERIFY(window.openProject(a.path()));
        const QStringList recent = ui::RecentProjects::list();
        QCOMPARE(recent.size(), 2);
        QCOMPARE(recent.first(), QDir::cleanPath(a.path()));
        QStringList menuPaths;
        for (QAction* action : window.recentMenu()->actions())
            if (!action->data().toString().isEmpty())
                menuPaths << action->data().toString();
        QCOMPARE(menuPaths, recent);
    }

    void editAndSaveAgent()
    {
        QTemporaryDir dir;
        QCOMPARE(core::installSampleProject(dir.path()), QString());
        ui::MainWindow window;
        QVERIFY(window.openProject(dir.path()));
        ui::GraphEditor* editor = window.graphEditor();
        QCOMPARE(editor->graph().name, QStringLiteral("assistant"));
        QVERIFY(!window.isWindowModified());
        editor->addNode(QStringLiteral("set-state"));
        QVERIFY(editor->isModified());
        QVERIFY(window.isWindowModified());
        // The new node lacks its required "path" and input: the save goes
        // through (drafts may be incomplete) and the problems are listed.
        emit editor->saveRequested();
        QVERIFY(!editor->isModified());
        QVERIFY(!window.isWindowModified());
        QVERIFY(window.diagnosticsModel()->errorCount() >= 1);
        const auto reopened = core::Project::open(dir.path());
        QVERIFY(reopened.ok());
        QCOMPARE(reopened.value->agent(QStringLiteral("assistant"))->graph->nodes.size(), std::size_t(6));
        // Undo back to the original and save: the file is the sample's again.
        while (editor->undoAction()->isEnabled())
            editor->undoAction()->trigger();
        emit editor->saveRequested();
        QFile saved(dir.filePath(QStringLiteral("agents/assistant.agent.json")));
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QFile original(QStringLiteral(":/outpost/samples/hello/agents/assistant.agent.json"));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll(), original.readAll());
        QCOMPARE(window.diagnosticsModel()->errorCount(), 0);
        window.resize(1400, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        screenshot(&window, QStringLiteral("main_window_editor.png"));
    }

    void loadsAndUnloadsAModel()
    {
        const QString model = QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");
        if (!QFileInfo::exists(model))
            QSKIP("shared/models/stories260K.gguf is absent");
        ui::MainWindow window;
        QVERIFY(window.openProject(ui::MainWindow::defaultProjectPath()));
        QVERIFY(window.studioChat());
        QVERIFY(!window.studioChat()->hasModel());
        QSignalSpy changed(&window, &ui::MainWindow::modelChanged);
        emit window.modelManager()->loadRequested(model, ui::EngineSettings{});
        QTRY_COMPARE(changed.count(), 1);
        QCOMPARE(changed.first().first().toString(), model);
        QVERIFY(window.engine());
        // The agents' llm nodes use the loaded model.
        QVERIFY(window.studioChat()->hasModel());
        emit window.modelManager()->unloadRequested();
        QCOMPARE(changed.count(), 2);
        QVERIFY(!window.engine());
        QVERIFY(!window.studioChat()->hasModel());
        // A file that is not a model: a warning, no engine, the window lives on.
        QTemporaryDir dir;
        writeFile(dir.filePath(QStringLiteral("bad.gguf")), "not a model");
        emit window.modelManager()->loadRequested(dir.filePath(QStringLiteral("bad.gguf")), ui::EngineSettings{});
        QTRY_COMPARE(changed.count(), 3);
        QVERIFY(!window.engine());
        auto* box = window.findChild<QMessageBox*>();
        QVERIFY(box);
        QVERIFY2(box->informativeText().contains(QStringLiteral("GGUF")), qPrintable(box->informativeText()));
        box->close();
    }

    void createsANewProject()
    {
        QTemporaryDir dir;
        ui::MainWindow window;
        const QString folder = dir.filePath(QStringLiteral("travel-desk"));
        QVERIFY(window.createProject(folder, true));
        QCOMPARE(window.project()->manifest().name(), QStringLiteral("travel-desk"));
        QCOMPARE(window.agentModel()->rowCount(), 2);
        // A folder that already holds a project is refused; the open one stays.
        QVERIFY(!window.createProject(folder, true));
        QVERIFY(!window.createProject(dir.filePath(QStringLiteral("not a name")), true));
        QCOMPARE(window.project()->manifest().name(), QStringLiteral("travel-desk"));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("not a name"))));
    }

    void switchesLanguage()
    {
        ui::MainWindow window;
        QVERIFY(window.openProject(ui::MainWindow::defaultProjectPath()));
        window.setLanguage(QStringLiteral("fr_CA"));
        // Installing a translator posts LanguageChange; the window retranslates
        // when the event loop delivers it.
        QTRY_COMPARE(window.docks().at(2)->windowTitle(), QStringLiteral("Problèmes"));
        QCOMPARE(window.docks().first()->windowTitle(), QStringLiteral("Agents"));
        QVERIFY(window.menuBar()->actions().first()->text().contains(QStringLiteral("Fichier")));
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        screenshot(&window, QStringLiteral("main_window_fr_CA.png"));
        window.setLanguage(QStringLiteral("en"));
        QTRY_COMPARE(window.docks().at(2)->windowTitle(), QStringLiteral("Problems"));
        QCOMPARE(QSettings().value(QStringLiteral("language")).toString(), QStringLiteral("en"));
    }

    // A real generation on the tiny model: while it runs the status bar
    // shows the blocks it holds, the engine's block map agrees with its
    // sequences, and clicking the readout brings up the KV Cache dock.
    void statusBarShowsKvUse()
    {
        const QString model = QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");
        if (!QFileInfo::exists(model))
            QSKIP("shared/models/stories260K.gguf is absent");
        ui::MainWindow window;
        QVERIFY(window.openProject(ui::MainWindow::defaultProjectPath()));
        QVERIFY(!window.kvStatus()->isVisibleTo(&window));
        QSignalSpy changed(&window, &ui::MainWindow::modelChanged);
        ui::EngineSettings settings;
        settings.threads = 1;  // light on a 2-core CI machine
        emit window.modelManager()->loadRequested(model, settings);
        QTRY_COMPARE(changed.count(), 1);
        auto engine = window.engine();
        QVERIFY(engine);
        QVERIFY(window.kvStatus()->isVisibleTo(&window));
        const int total = engine->stats().kvBlocksTotal;
        QVERIFY(total > 0);
        QVERIFY2(window.kvStatus()->text().startsWith(QStringLiteral("KV 0/%1 blocks (0%)").arg(total)),
                 qPrintable(window.kvStatus()->text()));

        // The second token's callback waits for the test: the snapshot of
        // the first step (the prompt's blocks held) stays the current one.
        std::promise<void> release;
        std::shared_future<void> released = release.get_future().share();
        std::atomic<int> tokens{0};
        inference::GenerationRequest request;
        request.prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park "
                         "with her friends and her dog.";
        request.maxTokens = 6;
        request.stopAtEndOfGeneration = false;
        request.sampling.temperature = 0;
        request.onToken = [&tokens, released](const inference::TokenEvent& ev) {
            if (!ev.final && ++tokens == 2)
                released.wait();
        };
        auto handle = engine->submit(request);
        QTRY_VERIFY(tokens.load() >= 2);
        const inference::EngineStats stats = engine->stats();
        QCOMPARE(stats.sequences.size(), std::size_t(1));
        const int held = stats.sequences[0].blocks;
        QVERIFY(held >= 2);
        QCOMPARE(stats.kvBlocksUsed, held);
        QCOMPARE(int(stats.kvBlockOwners.size()), total);
        QCOMPARE(int(std::count(stats.kvBlockOwners.begin(), stats.kvBlockOwners.end(), 0)), held);
        QCOMPARE(int(std::count(stats.kvBlockOwners.begin(), stats.kvBlockOwners.end(), inference::EngineStats::kBlockFree)),
                 stats.kvBlocksFree);
        window.updateKvStatus();
        QVERIFY2(window.kvStatus()->text().startsWith(QStringLiteral("KV %1/%2 blocks").arg(held).arg(total)),
                 qPrintable(window.kvStatus()->text()));
        // The KV view draws the same blocks, where they are.
        window.kvCacheView()->addSample(stats, 0.0);
        const ui::KvBlockMap* map = window.kvCacheView()->blockMap();
        QCOMPARE(map->cellCount(), total);
        int sequenceCells = 0;
        for (int b = 0; b < total; ++b)
            if (map->cell(b).kind == ui::KvBlockMap::Cell::Sequence) {
                QCOMPARE(stats.kvBlockOwners[std::size_t(b)], 0);
                ++sequenceCells;
            }
        QCOMPARE(sequenceCells, held);
        release.set_value();
        const auto result = handle.wait();
        QCOMPARE(result.stats.generatedTokens, 6);
        window.updateKvStatus();
        QVERIFY2(window.kvStatus()->text().startsWith(QStringLiteral("KV 0/%1 blocks").arg(total)),
                 qPrintable(window.kvStatus()->text()));
        QVERIFY(engine->stats().tokensPerSecond > 0);
        QVERIFY2(!window.kvStatus()->text().endsWith(QStringLiteral(" 0.0 tokens/s")), qPrintable(window.kvStatus()->text()));

        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.kvCacheDock()->hide();
        QTest::mouseClick(window.kvStatus(), Qt::LeftButton);
        QVERIFY(window.kvCacheDock()->isVisible());
        screenshot(&window, QStringLiteral("main_window_kv_status.png"));

        emit window.modelManager()->unloadRequested();
        QVERIFY(!window.kvStatus()->isVisibleTo(&window));
    }

    // System / Light / Dark: the whole window follows (plots and block map
    // included), the choice is kept, and System brings back the palette the
    // application started with.
    void switchesTheme()
    {
        const QPalette system = QApplication::palette();
        ui::MainWindow window;
        QVERIFY(window.openProject(ui::MainWindow::defaultProjectPath()));
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // Show the KV view with a few blocks so its plots and map are in the
        // screenshots.
        window.kvCacheDock()->show();
        window.kvCacheDock()->raise();
        inference::EngineStats stats;
        stats.kvBlocksTotal = 96;
        stats.kvBlockTokens = 16;
        stats.kvBlocksUsed = 14;
        stats.kvBlocksCached = 10;
        stats.kvBlocksFree = 72;
        stats.sequences = {{7, 9, 130, true}, {8, 8, 120, true}};
        stats.kvBlockOwners.assign(96, inference::EngineStats::kBlockFree);
        for (int b = 0; b < 3; ++b)
            stats.kvBlockOwners[std::size_t(b)] = inference::EngineStats::kBlockShared;
        for (int b = 3; b < 9; ++b)
            stats.kvBlockOwners[std::size_t(b)] = 0;
        for (int b = 9; b < 14; ++b)
            stats.kvBlockOwners[std::size_t(b)] = 1;
        for (int b = 20; b < 30; ++b)
            stats.kvBlockOwners[std::size_t(b)] = inference::EngineStats::kBlockCached;
        stats.requestsRunning = 2;
        stats.tokensPerSecond = 40;
        for (int i = 0; i < 8; ++i)
            window.kvCacheView()->addSample(stats, i * 0.5);

        window.setTheme(ui::Theme::Dark);
        QCOMPARE(ui::currentTheme(), ui::Theme::Dark);
        QCOMPARE(QSettings().value(QStringLiteral("theme")).toString(), QStringLiteral("dark"));
        QVERIFY(ui::isDark(QApplication::palette()));
        QCoreApplication::processEvents();
        for (QDockWidget* dock : window.docks())
            QVERIFY2(ui::isDark(dock->widget()->palette()), qPrintable(dock->objectName()));
        QVERIFY(ui::isDark(window.graphEditor()->palette()));
        const ui::KvBlockMap* map = window.kvCacheView()->blockMap();
        QCOMPARE(map->cell(0).kind, ui::KvBlockMap::Cell::Shared);
        QCOMPARE(map->cell(20).kind, ui::KvBlockMap::Cell::Cached);
        QCOMPARE(map->cellColor(95), ui::darkPalette().color(QPalette::Base));
        // The plots repaint with the palette: the view's background pixels
        // are dark.
        const QImage dark = window.kvCacheView()->grab().toImage();
        QVERIFY(QColor(dark.pixel(dark.width() / 6, dark.height() / 4)).lightness() < 100);
        screenshot(&window, QStringLiteral("main_window_dark.png"));

        window.setTheme(ui::Theme::Light);
        QVERIFY(!ui::isDark(QApplication::palette()));
        QCoreApplication::processEvents();
        QCOMPARE(map->cellColor(95), ui::lightPalette().color(QPalette::Base));
        const QImage light = window.kvCacheView()->grab().toImage();
        QVERIFY(QColor(light.pixel(light.width() / 6, light.height() / 4)).lightness() > 150);
        screenshot(&window, QStringLiteral("main_window_light.png"));

        window.setTheme(ui::Theme::System);
        QCOMPARE(QSettings().value(QStringLiteral("theme")).toString(), QStringLiteral("system"));
        QCOMPARE(QApplication::palette().color(QPalette::Window), system.color(QPalette::Window));
        // A new window takes the kept choice.
        QSettings().setValue(QStringLiteral("theme"), QStringLiteral("dark"));
        {
            ui::MainWindow second;
            QCOMPARE(ui::currentTheme(), ui::Theme::Dark);
        }
        ui::applyTheme(ui::Theme::System);
        QSettings().remove(QStringLiteral("theme"));
    }

    // Every menu action with a shortcut is in Help > Keyboard Shortcuts, and
    // the frequent ones have one; Ctrl+F finds an agent by name.
    void listsShortcuts()
    {
        ui::MainWindow window;
        QVERIFY(window.openProject(ui::MainWindow::defaultProjectPath()));
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        window.showShortcuts();
        auto* dialog = window.findChild<ui::ShortcutsDialog*>();
        QVERIFY(dialog);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        const QStringList rows = dialog->rows();
        const auto has = [&rows](const QString& prefix, const QKeySequence& key) {
            const QString row = prefix + QLatin1Char('\t') + key.toString(QKeySequence::NativeText);
            return std::any_of(rows.begin(), rows.end(), [&](const QString& r) { return r.startsWith(row); });
        };
        QVERIFY2(has(QStringLiteral("File/New Project…"), QKeySequence::New), qPrintable(rows.join(QLatin1Char('\n'))));
        QVERIFY(has(QStringLiteral("File/Open Project…"), QKeySequence::Open));
        QVERIFY(has(QStringLiteral("File/Save Agent"), QKeySequence::Save));
        QVERIFY(has(QStringLiteral("File/Reload Project"), QKeySequence::Refresh));
        QVERIFY(has(QStringLiteral("Edit/Find Agent…"), QKeySequence::Find));
        QVERIFY(has(QStringLiteral("Edit/Undo"), QKeySequence::Undo));
        QVERIFY(has(QStringLiteral("Edit/Zoom In"), QKeySequence::ZoomIn));
        QVERIFY(has(QStringLiteral("File/Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q)));
        QVERIFY(has(QStringLiteral("View/Agents"), QKeySequence(Qt::ALT | Qt::Key_1)));
        QVERIFY(has(QStringLiteral("View/KV Cache"), QKeySequence(Qt::ALT | Qt::Key_8)));
        QVERIFY(has(QStringLiteral("View/Full Screen"), QKeySequence::FullScreen));
        QVERIFY(has(QStringLiteral("Help/Keyboard Shortcuts"), QKeySequence(Qt::CTRL | Qt::Key_Slash)));
        // Every dock can be toggled from the keyboard.
        for (QDockWidget* dock : window.docks())
            QVERIFY2(!dock->toggleViewAction()->shortcut().isEmpty(), qPrintable(dock->objectName()));
        // No two menu actions share a key.
        QStringList keys;
        for (const QString& r : rows)
            for (const QString& k : r.section(QLatin1Char('\t'), 1).split(QStringLiteral(", ")))
                keys << k;
        QCOMPARE(QSet<QString>(keys.begin(), keys.end()).size(), keys.size());
        dialog->filter()->setText(QStringLiteral("alt+"));
        QCOMPARE(dialog->rows().size(), window.docks().size());
        dialog->filter()->clear();
        screenshot(dialog, QStringLiteral("shortcuts_dialog.png"));
        dialog->close();

        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keySequence(&window, QKeySequence::Find);
        QVERIFY(window.agentFilter()->hasFocus());
        QTest::keyClicks(window.agentFilter(), QStringLiteral("MIND"));
        QCOMPARE(window.graphEditor()->graph().name, QStringLiteral("reminder"));
        window.agentFilter()->clear();
        QTest::keyClicks(window.agentFilter(), QStringLiteral("ass"));
        QCOMPARE(window.graphEditor()->graph().name, QStringLiteral("assistant"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
