// The studio's main window on the offscreen platform: it opens the sample
// project, lists agents and problems, survives bad projects, remembers recent
// projects and switches language. Screenshots land in the test's folder.
#include "core/i18n/language.h"
#include "core/project/sample_project.h"
#include "ui/graph/graph_document.h"
#include "ui/graph/graph_editor.h"
#include "core/agent/project_host.h"
#include "inference/engine.h"
#include "ui/main/main_window.h"
#include "ui/models/engine_settings.h"
#include "ui/models/model_manager.h"
#include "ui/main/recent_projects.h"
#include "ui/project/agent_list_model.h"
#include "ui/project/agent_view.h"
#include "ui/project/diagnostics_model.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

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
        QCOMPARE(window.docks().size(), 8);
        // The project's agents run while it is open.
        QVERIFY(window.projectHost());
        QCOMPARE(window.projectHost()->registry().classes().size(), std::size_t(2));
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
        QSignalSpy changed(&window, &ui::MainWindow::modelChanged);
        emit window.modelManager()->loadRequested(model, ui::EngineSettings{});
        QTRY_COMPARE(changed.count(), 1);
        QCOMPARE(changed.first().first().toString(), model);
        QVERIFY(window.engine());
        emit window.modelManager()->unloadRequested();
        QCOMPARE(changed.count(), 2);
        QVERIFY(!window.engine());
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
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
