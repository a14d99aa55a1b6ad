// The Chat panel on the offscreen platform, against the real chat service of
// a real project (a temporary folder): model-free graphs for the protocol
// paths (send, edit and resend, regenerate, copy, a tool approval answered
// by clicking Approve), and a turn streamed from the tiny stories260K model
// when the shared folder has it. Screenshots (light and dark) land in
// screenshots/ of the working folder.
#include "core/agent/project_host.h"
#include "core/project/project.h"
#include "inference/engine.h"
#include "ui/chat/chat_client.h"
#include "ui/chat/chat_delegate.h"
#include "ui/chat/chat_message_model.h"
#include "ui/chat/chat_panel.h"
#include "ui/chat/studio_chat.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_items.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/trace_pane.h"
#include "ui/main/theme.h"

#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace outpost;
using OJson = nlohmann::ordered_json;

namespace {

OJson node(const char* id, const char* type, OJson props = nullptr)
{
    OJson n = {{"id", id}, {"type", type}, {"position", {0, 0}}};
    if (!props.is_null())
        n["properties"] = props;
    return n;
}
OJson edge(const char* f, const char* fp, const char* t, const char* tp) { return {{"from", f}, {"fromPort", fp}, {"to", t}, {"toPort", tp}}; }

void writeAgent(const QString& root, const QString& name, const OJson& graph)
{
    QFile f(root + QStringLiteral("/agents/") + name + QStringLiteral(".agent.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(graph.dump(2)));
}

// A project with three agents: echo (input -> output), gate (an approval
// node before the output) and story (an llm node on the default model).
struct Fixture {
    QTemporaryDir dir;
    std::optional<core::Project> project;
    std::unique_ptr<core::agent::ProjectHost> host;
    std::unique_ptr<ui::StudioChat> chat;

    bool start()
    {
        const QString root = dir.path() + QStringLiteral("/p");
        if (!core::Project::create(root, QStringLiteral("chat-test")).ok())
            return false;
        writeAgent(root, QStringLiteral("echo"),
                   {{"schemaVersion", 1}, {"name", "echo"}, {"nodes", OJson::array({node("in", "input"), node("out", "output")})},
                    {"edges", OJson::array({edge("in", "message", "out", "message")})}});
        writeAgent(root, QStringLiteral("gate"),
                   {{"schemaVersion", 1}, {"name", "gate"},
                    {"nodes", OJson::array({node("in", "input"), node("ask", "approval", {{"question", "Say it?"}}), node("out", "output")})},
                    {"edges", OJson::array({edge("in", "message", "ask", "in"), edge("ask", "approved", "out", "message")})}});
        writeAgent(root, QStringLiteral("story"),
                   {{"schemaVersion", 1}, {"name", "story"},
                    {"nodes", OJson::array({node("in", "input"), node("model", "llm", {{"maxTokens", 24}, {"temperature", 0}}), node("out", "output")})},
                    {"edges", OJson::array({edge("in", "message", "model", "prompt"), edge("model", "reply", "out", "message")})}});
        auto loaded = core::Project::open(root);
        if (!loaded.ok())
            return false;
        project.emplace(std::move(*loaded.value));
        host = core::agent::ProjectHost::create(*project);
        chat = std::make_unique<ui::StudioChat>(host->runtime(), *project);
        if (!host->addAgents(*project, chat->configure()) || !host->run())
            return false;
        return host->skipped().empty();
    }
    ~Fixture()
    {
        chat.reset(); // before its runtime
        host.reset();
    }
};

void saveShots(ui::ChatPanel& panel, const QString& name)
{
    const QString dir = QDir::current().filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    for (const bool dark : {false, true}) {
        panel.setPalette(dark ? ui::darkPalette() : QApplication::style()->standardPalette());
        panel.delegate()->clearCache();
        panel.view()->doItemsLayout();
        panel.view()->scrollToBottom();
        QCoreApplication::processEvents();
        QVERIFY(panel.grab().save(QDir(dir).filePath(name + (dark ? QStringLiteral("_dark.png") : QStringLiteral("_light.png")))));
    }
    panel.setPalette(QApplication::style()->standardPalette());
}

QString text(const ui::ChatMessageModel* m, int row) { return m->data(m->index(row), ui::ChatMessageModel::MarkdownRole).toString(); }

bool sendAndWait(ui::ChatPanel& panel, const QString& message)
{
    panel.input()->setFocus();
    panel.input()->setPlainText(message);
    QTest::keyClick(panel.input(), Qt::Key_Return);
    if (!panel.client()->isBusy())
        return false;
    return QTest::qWaitFor([&] { return !panel.client()->isBusy(); }, 20000);
}

} // namespace

class TestChatPanel : public QObject {
    Q_OBJECT

private slots:
    void echoEditRegenerateCopy()
    {
        Fixture fx;
        QVERIFY(fx.start());
        ui::ChatPanel panel;
        QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.resize(640, 520);
        panel.setChat(fx.chat.get());
        panel.show();
        QVERIFY(panel.openInstance(QStringLiteral("echo"), QStringLiteral("t1")).isEmpty());
        QVERIFY(!panel.openInstance(QStringLiteral("nope"), QStringLiteral("t1")).isEmpty());
        QVERIFY(panel.openInstance(QStringLiteral("echo"), QStringLiteral("t1")).isEmpty());

        // Shift+Enter is a new line, Enter sends.
        panel.input()->setFocus();
        QTest::keyClicks(panel.input(), QStringLiteral("hello"));
        QTest::keyClick(panel.input(), Qt::Key_Return, Qt::ShiftModifier);
        QTest::keyClicks(panel.input(), QStringLiteral("**world**"));
        QCOMPARE(panel.input()->toPlainText(), QStringLiteral("hello\n**world**"));
        QTest::keyClick(panel.input(), Qt::Key_Return);
        QVERIFY(panel.input()->toPlainText().isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return !panel.client()->isBusy(); }, 10000));
        ui::ChatMessageModel* m = panel.model();
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(text(m, 1), QStringLiteral("hello\n**world**"));

        QVERIFY(sendAndWait(panel, QStringLiteral("second")));
        QCOMPARE(m->rowCount(), 4);

        // Edit the first message and resend: what followed it is replaced.
        panel.editMessage(0);
        QCOMPARE(panel.input()->toPlainText(), QStringLiteral("hello\n**world**"));
        panel.input()->setPlainText(QStringLiteral("edited"));
        panel.sendInput();
        QVERIFY(QTest::qWaitFor([&] { return !panel.client()->isBusy(); }, 10000));
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(text(m, 0), QStringLiteral("edited"));
        QCOMPARE(text(m, 1), QStringLiteral("edited"));

        // Regenerate: the last reply again, no duplicate in the saved transcript.
        panel.regenerate();
        QVERIFY(QTest::qWaitFor([&] { return !panel.client()->isBusy(); }, 10000));
        QCOMPARE(m->rowCount(), 2);

        // A second panel opens the class and instance opened last (kept in
        // the settings) and sees the saved transcript.
        ui::ChatPanel other;
        other.setChat(fx.chat.get());
        QCOMPARE(other.agentBox()->currentText(), QStringLiteral("echo"));
        QCOMPARE(other.instanceEdit()->text(), QStringLiteral("t1"));
        QCOMPARE(other.model()->rowCount(), 2);
        QCOMPARE(text(other.model(), 0), QStringLiteral("edited"));

        // Copy puts the message's Markdown on the clipboard; the link is laid out and clickable.
        panel.view()->scrollToBottom();
        QCoreApplication::processEvents();
        const QModelIndex first = m->index(0);
        QRect copy = panel.delegate()->actionRect(first, QStringLiteral("copy"));
        QVERIFY(!copy.isEmpty());
        const QRect item = panel.view()->visualRect(first);
        QTest::mouseClick(panel.view()->viewport(), Qt::LeftButton, {}, item.topLeft() + copy.center());
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("edited"));
        saveShots(panel, QStringLiteral("chat_panel_echo"));
    }

    void approvalCardApproveButton()
    {
        Fixture fx;
        QVERIFY(fx.start());
        ui::ChatPanel panel;
        panel.resize(640, 520);
        panel.setChat(fx.chat.get());
        panel.show();
        QVERIFY(panel.openInstance(QStringLiteral("gate"), QStringLiteral("t2")).isEmpty());
        QVERIFY(sendAndWait(panel, QStringLiteral("ship it")));
        ui::ChatMessageModel* m = panel.model();
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(m->data(m->index(1), ui::ChatMessageModel::ToolCountRole).toInt(), 1);
        const OJson part = m->at(1).ui["parts"][1];
        QCOMPARE(part["state"], "approval-requested");
        const QString callId = QString::fromStdString(part["toolCallId"].get<std::string>());
        panel.view()->scrollToBottom();
        QCoreApplication::processEvents();
        saveShots(panel, QStringLiteral("chat_panel_approval"));
        QCoreApplication::processEvents();
        const QModelIndex reply = m->index(1);
        const QRect approve = panel.delegate()->actionRect(reply, QStringLiteral("approve:") + callId);
        QVERIFY(!approve.isEmpty());
        QTest::mouseClick(panel.view()->viewport(), Qt::LeftButton, {}, panel.view()->visualRect(reply).topLeft() + approve.center());
        // The continuation: the tool part gets its result and the output says the text.
        QVERIFY(QTest::qWaitFor([&] { return m->rowCount() == 2 && text(m, 1) == QStringLiteral("ship it") && !panel.client()->isBusy(); }, 10000));
        QCOMPARE(m->at(1).ui["parts"][1]["state"], "output-available");
    }

    // The graph editor's Run: the trace pane lists each node with its
    // inputs and outputs, and the canvas outlines the nodes that ran.
    void graphEditorRunTracesNodes()
    {
        Fixture fx;
        QVERIFY(fx.start());
        ui::GraphEditor editor;
        editor.resize(1000, 700);
        editor.setAgent(*fx.project->agent(QStringLiteral("echo"))->graph, QStringLiteral("agents/echo.agent.json"));
        QVERIFY(!editor.runAction()->isEnabled());
        editor.setRunner(fx.chat.get(), QStringLiteral("echo"));
        QVERIFY(editor.runAction()->isEnabled());
        editor.show();
        editor.tracePane()->messageEdit()->setText(QStringLiteral("trace me"));
        editor.runAction()->trigger();
        QVERIFY(editor.tracePane()->isVisible());
        QVERIFY(QTest::qWaitFor([&] { return !editor.tracePane()->isRunning(); }, 10000));
        QTreeWidget* tree = editor.tracePane()->tree();
        QCOMPARE(tree->topLevelItemCount(), 2);
        QCOMPARE(tree->topLevelItem(0)->text(0), QStringLiteral("in"));
        QCOMPARE(tree->topLevelItem(1)->text(0), QStringLiteral("out"));
        QCOMPARE(tree->topLevelItem(1)->text(4), QStringLiteral("done"));
        bool sawInput = false;
        for (int i = 0; i < tree->topLevelItem(1)->childCount(); ++i)
            sawInput |= tree->topLevelItem(1)->child(i)->text(4) == QStringLiteral("trace me");
        QVERIFY(sawInput);
        for (const char* id : {"in", "out"})
            QCOMPARE(editor.scene()->nodeItem(id)->runState(), ui::NodeItem::RunState::Done);
        QVERIFY(editor.tracePane()->statusLabel()->text().contains(QStringLiteral("trace me")));
        const QString dir = QDir::current().filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        QVERIFY(editor.grab().save(QDir(dir).filePath(QStringLiteral("graph_editor_run_light.png"))));
        editor.setRunner(nullptr, {});
    }

    void tinyModelStreams()
    {
        const QString file = QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");
        if (!QFile::exists(file))
            QSKIP("the tiny model is not there (shared/models/stories260K.gguf)");
        inference::EngineConfig config;
        config.modelPath = file.toStdString();
        config.threads = 1;
        auto engine = inference::Engine::load(config);
        QVERIFY2(engine, engine ? "" : engine.error().c_str());
        Fixture fx;
        QVERIFY(fx.start());
        ui::ChatPanel panel;
        panel.resize(640, 520);
        panel.setChat(fx.chat.get());
        panel.show();
        QVERIFY(panel.openInstance(QStringLiteral("story"), QStringLiteral("t3")).isEmpty());
        QVERIFY(!panel.statusLabel()->text().isEmpty()); // no model loaded yet: the panel says so
        panel.setEngine(std::shared_ptr<inference::Engine>(std::move(*engine)), QStringLiteral("stories260K"));
        QVERIFY(sendAndWait(panel, QStringLiteral("Once upon a time")));
        ui::ChatMessageModel* m = panel.model();
        QCOMPARE(m->rowCount(), 2);
        QVERIFY(!text(m, 1).isEmpty());
        QVERIFY(m->at(1).error.isEmpty());
        const QVariantMap metrics = m->data(m->index(1), ui::ChatMessageModel::MetricsRole).toMap();
        QVERIFY(metrics.contains(QStringLiteral("ttftMs")));
        QVERIFY(metrics.value(QStringLiteral("tokensPerSecond")).toDouble() > 0);
        QVERIFY(metrics.value(QStringLiteral("completionTokens")).toInt() > 0);
        qInfo("the tiny model answered %s (TTFT %.0f ms, %.1f tok/s)", qPrintable(text(m, 1)), metrics.value(QStringLiteral("ttftMs")).toDouble(),
              metrics.value(QStringLiteral("tokensPerSecond")).toDouble());
        saveShots(panel, QStringLiteral("chat_panel_model"));
        fx.chat->setEngine(nullptr); // the engine goes before the test's end
    }
};

QTEST_MAIN(TestChatPanel)
#include "test_chat_panel.moc"
