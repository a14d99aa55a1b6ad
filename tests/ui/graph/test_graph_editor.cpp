// The graph editor on the offscreen platform: programmatic edits and mouse
// gestures on the canvas, each undone and redone to the exact JSON; refused
// connections; the property panel's editors; copy and paste; automatic
// layout; validation shown on nodes; byte-stable saving of the sample
// project. Screenshots (light and dark) land in screenshots/ of the working
// folder.
#include "core/agent/node_types.h"
#include "core/project/project.h"
#include "core/project/sample_project.h"
#include "ui/graph/graph_document.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_items.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/node_palette.h"
#include "ui/graph/property_panel.h"
#include "ui/main/theme.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using namespace outpost;
using core::GraphEdge;
using core::Json;

namespace {

std::string dump(const core::AgentGraph& g) { return g.toJson().dump(2); }

core::AgentGraph sampleGraph(const QString& className, QTemporaryDir& dir)
{
    const QString root = dir.filePath(QStringLiteral("hello"));
    if (!QFileInfo::exists(root))
        core::installSampleProject(root);
    auto project = core::Project::open(root);
    if (!project.ok())
        return {};
    const core::AgentFile* agent = project.value->agent(className);
    return agent && agent->graph ? *agent->graph : core::AgentGraph{};
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

void sendMouse(QWidget* target, QEvent::Type type, QPoint pos, Qt::MouseButton button, Qt::MouseButtons buttons,
               Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QMouseEvent event(type, QPointF(pos), target->mapToGlobal(QPointF(pos)), button, buttons, modifiers);
    QApplication::sendEvent(target, &event);
}

// A left-button drag on the view's viewport, in steps, as a user makes it.
void drag(ui::GraphView* view, QPointF fromScene, QPointF toScene, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QWidget* vp = view->viewport();
    const QPoint a = view->mapFromScene(fromScene);
    const QPoint b = view->mapFromScene(toScene);
    sendMouse(vp, QEvent::MouseButtonPress, a, Qt::LeftButton, Qt::LeftButton, modifiers);
    for (int i = 1; i <= 8; ++i)
        sendMouse(vp, QEvent::MouseMove, a + (b - a) * i / 8, Qt::NoButton, Qt::LeftButton, modifiers);
    sendMouse(vp, QEvent::MouseButtonRelease, b, Qt::LeftButton, Qt::NoButton, modifiers);
}

QPointF portPos(ui::GraphScene* scene, const std::string& node, const std::string& port, bool output)
{
    ui::NodeItem* item = scene->nodeItem(node);
    if (!item)
        return {};
    ui::PortItem* p = item->port(port, output);
    return p ? p->anchor() : QPointF();
}

} // namespace

class TestGraphEditor : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    }

    void programmaticEditsUndoRedo()
    {
        ui::GraphDocument doc;
        doc.setGraph(sampleGraph(QStringLiteral("assistant"), m_dir), QStringLiteral("agents/assistant.agent.json"));
        QCOMPARE(doc.graph().nodes.size(), std::size_t(5));
        QVERIFY(doc.diagnostics().isEmpty());
        std::vector<std::string> states{dump(doc.graph())};
        const auto step = [&] { states.push_back(dump(doc.graph())); };

        const std::string tool = doc.addNode("tool", {300, 400});
        QCOMPARE(tool, std::string("tool"));
        QCOMPARE(doc.graph().nodes.back().properties, Json::object());   // required "tool" has no default
        step();
        QCOMPARE(doc.addNode("llm", {0, 0}), std::string("llm"));
        step();
        QCOMPARE(doc.connectPorts({"llm", "toolCalls", "tool", "arguments"}), QString());
        step();
        doc.setProperty("answer", "temperature", Json(1.5));
        step();
        // Consecutive edits of one property merge into one undo step.
        const int before = doc.undoStack()->count();
        doc.setProperty("answer", "temperature", Json(1.25));
        QCOMPARE(doc.undoStack()->count(), before);
        states.back() = dump(doc.graph());
        doc.setProperty("recall", "topK", std::nullopt);   // back to the default: the key goes away
        QVERIFY(!doc.graph().node("recall")->properties.contains("topK"));
        step();
        QCOMPARE(doc.renameNode("answer", "reply"), QString());
        QVERIFY(doc.graph().node("reply"));
        QCOMPARE(doc.graph().edges[1].to, std::string("reply"));
        step();
        QVERIFY(!doc.renameNode("reply", "in").isEmpty());          // taken
        QVERIFY(!doc.renameNode("reply", "9 bad").isEmpty());       // invalid
        doc.moveNodes({{"reply", QPointF(480.4, 130.6)}});
        QCOMPARE(doc.graph().node("reply")->x, 480.0);   // whole numbers only
        doc.moveNodes({{"reply", QPointF(500, 140)}});   // merges with the previous move
        step();
        doc.remove({"recall"});
        QVERIFY(!doc.graph().node("recall"));
        QCOMPARE(doc.graph().edges.size(), std::size_t(4));   // its two edges went too
        step();
        doc.disconnectPorts({"reply", "reply", "remember", "content"});
        step();

        QCOMPARE(doc.undoStack()->count(), static_cast<int>(states.size()) - 1);
        for (int i = static_cast<int>(states.size()) - 2; i >= 0; --i) {
            doc.undoStack()->undo();
            QCOMPARE(dump(doc.graph()), states[static_cast<std::size_t>(i)]);
        }
        QVERIFY(doc.undoStack()->isClean());
        for (std::size_t i = 1; i < states.size(); ++i) {
            doc.undoStack()->redo();
            QCOMPARE(dump(doc.graph()), states[i]);
        }
    }

    void incompatibleConnectionsRefused()
    {
        ui::GraphDocument doc;
        doc.setGraph(sampleGraph(QStringLiteral("assistant"), m_dir));
        const std::string original = dump(doc.graph());
        const int commands = doc.undoStack()->count();
        // json output into a message input
        doc.addNode("tool", {0, 300});
        const std::string afterAdd = dump(doc.graph());
        QVERIFY(doc.connectPorts({"tool", "result", "out", "message"}).contains(QStringLiteral("cannot connect")));
        // text output into a message input
        QVERIFY(!doc.connectPorts({"recall", "context", "answer", "prompt"}).isEmpty());
        // a cycle
        QVERIFY(doc.connectPorts({"answer", "reply", "recall", "query"}).contains(QStringLiteral("cycle")));
        // a loop, unknown ports and nodes, inputs used as outputs, duplicates
        QVERIFY(!doc.connectPorts({"answer", "reply", "answer", "prompt"}).isEmpty());
        QVERIFY(!doc.connectPorts({"answer", "nope", "out", "message"}).isEmpty());
        QVERIFY(!doc.connectPorts({"ghost", "reply", "out", "message"}).isEmpty());
        QVERIFY(!doc.connectPorts({"out", "message", "answer", "prompt"}).isEmpty());
        QVERIFY(!doc.connectPorts({"answer", "reply", "out", "message"}).isEmpty());
        QCOMPARE(dump(doc.graph()), afterAdd);
        QCOMPARE(doc.undoStack()->count(), commands + 1);
        // Any accepts every type; an occupied input is replaced in one step.
        doc.addNode("router", {0, 500});
        QCOMPARE(doc.connectPorts({"tool", "result", "router", "in"}), QString());
        QCOMPARE(doc.connectPorts({"router", "then", "answer", "prompt"}), QString());
        QCOMPARE(doc.graph().edges.size(), std::size_t(6));
        QCOMPARE(doc.graph().edgeInto("answer", "prompt"), 5);
        doc.undoStack()->undo();
        QCOMPARE(doc.graph().edges[1], (GraphEdge{"in", "message", "answer", "prompt"}));
        doc.undoStack()->undo();
        doc.undoStack()->undo();
        doc.undoStack()->undo();
        QCOMPARE(dump(doc.graph()), original);
    }

    void gesturesOnTheCanvas()
    {
        ui::GraphEditor editor;
        editor.resize(1300, 760);
        editor.setAgent(sampleGraph(QStringLiteral("assistant"), m_dir), QStringLiteral("agents/assistant.agent.json"));
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.view()->resetZoom();
        editor.view()->centerOn(350, 200);
        const std::string original = dump(editor.graph());
        ui::GraphScene* scene = editor.scene();
        QCOMPARE(scene->nodeItems().size(), 5);
        QCOMPARE(scene->edgeItems().size(), 5);

        // Drag a node by its header: one move, snapped to the grid.
        ui::NodeItem* answer = scene->nodeItem("answer");
        QVERIFY(answer);
        drag(editor.view(), answer->pos() + QPointF(100, 20), answer->pos() + QPointF(153, 44));
        QCOMPARE(editor.graph().node("answer")->x, 510.0);
        QCOMPARE(editor.graph().node("answer")->y, 140.0);
        QCOMPARE(editor.undoStack()->count(), 1);
        QVERIFY(answer->isSelected());
        // The property panel follows the selection.
        QCOMPARE(editor.propertyPanel()->nodeId(), std::string("answer"));
        // The edges followed the node.
        ui::EdgeItem* edge = scene->edgeItem({"answer", "reply", "out", "message"});
        QVERIFY(edge);
        QCOMPARE(edge->path().elementAt(0), QPainterPath::Element(edge->path().elementAt(0)));
        QVERIFY(qAbs(edge->path().pointAtPercent(0).x() - (510 + ui::NodeItem::kWidth)) < 0.5);

        // Arrow keys nudge the selection; nudges merge with the drag.
        editor.view()->setFocus();
        QTest::keyClick(editor.view()->viewport(), Qt::Key_Right);
        QCOMPARE(editor.graph().node("answer")->x, 520.0);
        QCOMPARE(editor.undoStack()->count(), 1);

        // Connect by dragging output -> input (a second llm's prompt).
        editor.document()->addNode("llm", {500, 400});
        QCoreApplication::processEvents();
        drag(editor.view(), portPos(scene, "answer", "reply", true), portPos(scene, "llm", "prompt", false));
        QVERIFY(editor.graph().edgeInto("llm", "prompt") >= 0);
        const std::string connected = dump(editor.graph());
        // ... and input -> output the other way round.
        drag(editor.view(), portPos(scene, "llm", "context", false), portPos(scene, "recall", "context", true));
        QCOMPARE(editor.graph().edges.back(), (GraphEdge{"recall", "context", "llm", "context"}));
        editor.undoStack()->undo();
        QCOMPARE(dump(editor.graph()), connected);

        // Incompatible drags are refused and say why.
        QSignalSpy messages(&editor, &ui::GraphEditor::message);
        drag(editor.view(), portPos(scene, "answer", "toolCalls", true), portPos(scene, "llm", "context", false));
        QCOMPARE(dump(editor.graph()), connected);
        QCOMPARE(messages.size(), 1);
        QVERIFY(messages.front().front().toString().contains(QStringLiteral("cannot connect")));
        QVERIFY(editor.statusLabel()->text().contains(QStringLiteral("cannot connect")));
        drag(editor.view(), portPos(scene, "answer", "reply", true), portPos(scene, "recall", "context", true));
        QCOMPARE(dump(editor.graph()), connected);
        QCOMPARE(messages.size(), 2);

        // An undo in the middle of a connection drag cancels the drag.
        {
            QWidget* vp = editor.view()->viewport();
            const QPoint from = editor.view()->mapFromScene(portPos(scene, "llm", "reply", true));
            sendMouse(vp, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
            sendMouse(vp, QEvent::MouseMove, from + QPoint(40, 10), Qt::NoButton, Qt::LeftButton);
            editor.undoStack()->undo();   // removes the edge into llm.prompt
            editor.undoStack()->undo();   // removes the llm node and its ports
            sendMouse(vp, QEvent::MouseMove, from + QPoint(80, 20), Qt::NoButton, Qt::LeftButton);
            sendMouse(vp, QEvent::MouseButtonRelease, from + QPoint(80, 20), Qt::LeftButton, Qt::NoButton);
            QVERIFY(!editor.graph().node("llm"));
            editor.undoStack()->redo();
            editor.undoStack()->redo();
            QCOMPARE(dump(editor.graph()), connected);
        }

        // Rubber band over empty canvas selects the nodes it crosses.
        scene->clearSelection();
        drag(editor.view(), QPointF(-20, -20), QPointF(240, 130));
        const auto selected = scene->selectedNodeIds();
        QCOMPARE(selected, (std::vector<std::string>{"in", "recall"}));
        // Delete removes them and their edges; undo brings all back.
        editor.deleteAction()->trigger();
        QVERIFY(!editor.graph().node("in"));
        editor.undoStack()->undo();
        QCOMPARE(dump(editor.graph()), connected);

        // Select an edge by clicking it, delete it.
        scene->clearSelection();
        ui::EdgeItem* e = scene->edgeItem({"answer", "reply", "remember", "content"});
        QVERIFY(e);
        const QPoint onEdge = editor.view()->mapFromScene(e->path().pointAtPercent(0.5));
        QTest::mouseClick(editor.view()->viewport(), Qt::LeftButton, {}, onEdge);
        QCOMPARE(scene->selectedEdges().size(), std::size_t(1));
        editor.deleteSelection();
        QCOMPARE(editor.graph().edges.size(), std::size_t(5));

        while (editor.undoStack()->canUndo())
            editor.undoStack()->undo();
        QCOMPARE(dump(editor.graph()), original);
        QVERIFY(!editor.isModified());
        while (editor.undoStack()->canRedo())
            editor.undoStack()->redo();
        QVERIFY(editor.graph().node("llm"));
    }

    void paletteAddsNodes()
    {
        ui::GraphEditor editor;
        editor.resize(1200, 700);
        editor.setAgent(sampleGraph(QStringLiteral("assistant"), m_dir));
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QTreeWidgetItem* code = editor.nodePalette()->itemForType(QStringLiteral("code"));
        QVERIFY(code);
        QCOMPARE(editor.nodePalette()->topLevelItemCount(), 5);   // flow, model, tools, memory, state
        emit editor.nodePalette()->itemActivated(code, 0);
        QVERIFY(editor.graph().node("code"));
        QCOMPARE(editor.scene()->selectedNodeIds(), (std::vector<std::string>{"code"}));
        // A second one lands beside it, with a fresh id.
        emit editor.nodePalette()->itemActivated(code, 0);
        QVERIFY(editor.graph().node("code2"));
        QVERIFY(editor.graph().node("code2")->x != editor.graph().node("code")->x);
        // A type dropped from the palette lands where it was dropped, on the grid.
        emit editor.view()->nodeTypeDropped(QStringLiteral("approval"), QPointF(103, 207));
        QCOMPARE(editor.graph().nodes.back().type, std::string("approval"));
        QCOMPARE(editor.graph().nodes.back().x, 100.0);
        QCOMPARE(editor.graph().nodes.back().y, 210.0);
        emit editor.view()->nodeTypeDropped(QStringLiteral("no-such-type"), QPointF(0, 0));
        QCOMPARE(editor.graph().nodes.size(), std::size_t(8));

        // The canvas menu adds a node where it was opened, and a right
        // click on a node selects it for the menu's actions.
        const QPoint spot = editor.view()->mapFromScene(QPointF(300, 500));
        QMenu* menu = editor.contextMenu(spot);
        QAction* addMenu = menu->actions().front();
        QVERIFY(addMenu->menu());
        QAction* addSchedule = nullptr;
        for (QAction* a : addMenu->menu()->actions())
            if (a->text() == QStringLiteral("Schedule"))
                addSchedule = a;
        QVERIFY(addSchedule);
        addSchedule->trigger();
        QCOMPARE(editor.graph().nodes.back().type, std::string("schedule"));
        QVERIFY(qAbs(editor.graph().nodes.back().x - 300) <= 5 && qAbs(editor.graph().nodes.back().y - 500) <= 5);
        delete menu;
        const QPoint onRecall = editor.view()->mapFromScene(editor.scene()->nodeItem("recall")->pos() + QPointF(60, 20));
        delete editor.contextMenu(onRecall);
        QCOMPARE(editor.scene()->selectedNodeIds(), (std::vector<std::string>{"recall"}));
    }

    void propertyPanelEdits()
    {
        ui::GraphEditor editor;
        editor.resize(1200, 700);
        core::AgentGraph graph = sampleGraph(QStringLiteral("reminder"), m_dir);
        editor.setAgent(graph);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const std::string original = dump(editor.graph());
        ui::PropertyPanel* panel = editor.propertyPanel();

        editor.scene()->selectNodes({"write"});
        QCOMPARE(panel->nodeId(), std::string("write"));
        auto* temperature = qobject_cast<QDoubleSpinBox*>(panel->editor("temperature"));
        QVERIFY(temperature);
        QCOMPARE(temperature->value(), 0.2);
        QCOMPARE(temperature->maximum(), 2.0);
        temperature->setValue(0.9);
        QCOMPARE(editor.graph().node("write")->properties["temperature"], Json(0.9));
        auto* maxTokens = qobject_cast<QSpinBox*>(panel->editor("maxTokens"));
        QVERIFY(maxTokens);
        QCOMPARE(maxTokens->minimum(), 1);
        maxTokens->setValue(100);
        QCOMPARE(editor.graph().node("write")->properties["maxTokens"], Json(100));
        auto* model = qobject_cast<QLineEdit*>(panel->editor("model"));
        QVERIFY(model);
        model->setText(QStringLiteral("qwen"));
        emit model->editingFinished();
        QCOMPARE(editor.graph().node("write")->properties["model"], Json("qwen"));
        auto* tools = qobject_cast<QListWidget*>(panel->editor("tools"));
        QVERIFY(tools);
        auto* prompt = qobject_cast<QPlainTextEdit*>(panel->editor("systemPrompt"));
        QVERIFY(prompt);
        QCOMPARE(prompt->toPlainText(), QStringLiteral("Turn the request into a one-line reminder."));
        // Property order is kept: the edited keys stay where they were.
        QCOMPARE(editor.graph().node("write")->properties.begin().key(), std::string("systemPrompt"));
        // Undo of a property edit also refreshes the panel.
        editor.undoStack()->undo();
        QVERIFY(!editor.graph().node("write")->properties.contains("model"));
        QCOMPARE(model->text(), QString());

        // Text typed but not yet confirmed still goes to the node it was
        // typed for when the selection moves on.
        QTest::keyClicks(model, QStringLiteral("pending"));
        editor.scene()->selectNodes({"again"});
        QCOMPARE(editor.graph().node("write")->properties["model"], Json("pending"));
        QCOMPARE(panel->nodeId(), std::string("again"));

        // Choice, object and boolean editors.
        auto* kind = qobject_cast<QComboBox*>(panel->editor("kind"));
        QVERIFY(kind);
        QCOMPARE(kind->currentText(), QStringLiteral("cron"));
        kind->setCurrentIndex(kind->findText(QStringLiteral("every")));
        QCOMPARE(editor.graph().node("again")->properties["kind"], Json("every"));
        auto* payload = qobject_cast<QPlainTextEdit*>(panel->editor("payload"));
        QVERIFY(payload);
        payload->setFocus();
        payload->setPlainText(QStringLiteral("[1, 2"));
        const int commands = editor.undoStack()->count();
        panel->commitPending();
        QCOMPARE(editor.undoStack()->count(), commands);   // not an object: refused
        payload->setPlainText(QStringLiteral("{\"text\": \"hi\"}"));
        panel->commitPending();
        QCOMPARE(editor.graph().node("again")->properties["payload"], Json::parse(R"({"text":"hi"})"));

        editor.document()->addNode("tool", {0, 400});
        editor.scene()->selectNodes({"tool"});
        auto* approval = qobject_cast<QCheckBox*>(panel->editor("needsApproval"));
        QVERIFY(approval);
        approval->setChecked(true);
        QCOMPARE(editor.graph().node("tool")->properties["needsApproval"], Json(true));

        // Rename through the id field; a taken id is refused with a message.
        QSignalSpy messages(&editor, &ui::GraphEditor::message);
        panel->idEditor()->setText(QStringLiteral("in"));
        emit panel->idEditor()->editingFinished();
        QCOMPARE(messages.size(), 1);
        QVERIFY(editor.graph().node("tool"));
        panel->idEditor()->setText(QStringLiteral("lookup"));
        emit panel->idEditor()->editingFinished();
        QVERIFY(editor.graph().node("lookup"));
        QCOMPARE(editor.scene()->selectedNodeIds(), (std::vector<std::string>{"lookup"}));   // selection survives

        while (editor.undoStack()->canUndo())
            editor.undoStack()->undo();
        QCOMPARE(dump(editor.graph()), original);
    }

    void copyPaste()
    {
        ui::GraphEditor editor;
        editor.setAgent(sampleGraph(QStringLiteral("assistant"), m_dir));
        const std::string original = dump(editor.graph());
        editor.scene()->selectNodes({"recall", "answer"});
        editor.copy();
        const QMimeData* data = QGuiApplication::clipboard()->mimeData();
        QVERIFY(data && data->hasFormat(QLatin1String(ui::GraphDocument::kMimeType)));
        const Json fragment = Json::parse(data->text().toStdString());
        QCOMPARE(fragment["nodes"].size(), std::size_t(2));
        QCOMPARE(fragment["edges"].size(), std::size_t(1));   // recall.context -> answer.context

        editor.paste();
        QCOMPARE(editor.graph().nodes.size(), std::size_t(7));
        QCOMPARE(editor.scene()->selectedNodeIds(), (std::vector<std::string>{"recall2", "answer2"}));
        const core::GraphNode* copy = editor.graph().node("answer2");
        QVERIFY(copy);
        QCOMPARE(copy->x, 500.0);
        QCOMPARE(copy->y, 160.0);
        QCOMPARE(copy->properties, editor.graph().node("answer")->properties);
        QCOMPARE(editor.graph().edges.back(), (GraphEdge{"recall2", "context", "answer2", "context"}));
        editor.paste();   // a second paste cascades further
        QCOMPARE(editor.graph().node("answer3")->x, 540.0);

        // Cut is one undo step.
        editor.scene()->selectNodes({"answer3"});
        editor.cut();
        QVERIFY(!editor.graph().node("answer3"));
        editor.undoStack()->undo();
        QVERIFY(editor.graph().node("answer3"));

        // Text that is not a fragment pastes nothing and says so.
        QGuiApplication::clipboard()->setText(QStringLiteral("{\"nodes\": 3}"));
        const std::size_t count = editor.graph().nodes.size();
        editor.paste();
        QCOMPARE(editor.graph().nodes.size(), count);
        QGuiApplication::clipboard()->setText(QStringLiteral("not json"));
        editor.paste();
        QGuiApplication::clipboard()->setText(
            QStringLiteral(R"({"outpostGraphFragment":1,"nodes":[{"id":"x","type":"warp-drive"}]})"));
        editor.paste();
        QCOMPARE(editor.graph().nodes.size(), count);
        // A fragment pasted as text (from a file, say) works too.
        QGuiApplication::clipboard()->setText(QString::fromStdString(fragment.dump()));
        editor.paste();
        QCOMPARE(editor.graph().nodes.size(), count + 2);

        while (editor.undoStack()->canUndo())
            editor.undoStack()->undo();
        QCOMPARE(dump(editor.graph()), original);
    }

    void autoLayoutIsDeterministic()
    {
        ui::GraphDocument doc;
        doc.setGraph(sampleGraph(QStringLiteral("assistant"), m_dir));
        const std::string original = dump(doc.graph());
        doc.autoLayout();
        const std::string first = dump(doc.graph());
        const auto& g = doc.graph();
        QCOMPARE(g.node("in")->x, 0.0);
        for (const auto& e : g.edges)
            QVERIFY2(g.node(e.from)->x < g.node(e.to)->x, (e.from + " -> " + e.to).c_str());
        // Column by longest path: recall (1), answer (2: in -> recall -> answer), out (3).
        QCOMPARE(g.node("recall")->x, 280.0);
        QCOMPARE(g.node("answer")->x, 560.0);
        QCOMPARE(g.node("out")->x, 840.0);
        // From scrambled positions the result is the same.
        std::map<std::string, QPointF> scrambled;
        double k = 0;
        for (const auto& n : g.nodes) {
            scrambled[n.id] = QPointF(1000 - 137 * k, 37 * (k + 1));
            k += 1;
        }
        doc.moveNodes(scrambled);
        doc.autoLayout();
        QCOMPARE(dump(doc.graph()), first);
        // Arranging an arranged graph changes nothing and pushes nothing.
        const int count = doc.undoStack()->count();
        doc.autoLayout();
        QCOMPARE(doc.undoStack()->count(), count);
        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QCOMPARE(dump(doc.graph()), original);

        // A graph with a cycle (from a hand-edited file) still lays out.
        core::AgentGraph cyclic = doc.graph();
        cyclic.edges.push_back({"answer", "reply", "recall", "query"});
        const auto positions = cyclic.layeredLayout();
        QCOMPARE(positions.size(), cyclic.nodes.size());
        QCOMPARE(cyclic.layeredLayout(), positions);
    }

    void validationShownOnNodes()
    {
        ui::GraphEditor editor;
        editor.setAgent(sampleGraph(QStringLiteral("assistant"), m_dir));
        QSignalSpy diagnostics(&editor, &ui::GraphEditor::diagnosticsChanged);
        ui::NodeItem* answer = editor.scene()->nodeItem("answer");
        QVERIFY(!answer->hasProblems());
        editor.document()->disconnectPorts({"in", "message", "answer", "prompt"});
        QCOMPARE(diagnostics.size(), 1);
        QVERIFY(answer->hasProblems());
        QVERIFY(answer->toolTip().contains(QStringLiteral("is not connected")));
        QVERIFY(answer->toolTip().contains(QStringLiteral("prompt")));
        QVERIFY(editor.statusLabel()->text().contains(QStringLiteral("not connected")));
        editor.document()->setProperty("recall", "topK", Json(1000));   // out of range
        QVERIFY(editor.scene()->nodeItem("recall")->hasProblems());
        editor.undoStack()->undo();
        editor.undoStack()->undo();
        QVERIFY(!answer->hasProblems());
        QVERIFY(!editor.scene()->nodeItem("recall")->hasProblems());
        QVERIFY(editor.document()->diagnostics().isEmpty());
    }

    void byteStableSave()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("hello"));
        QCOMPARE(core::installSampleProject(root), QString());
        auto loaded = core::Project::open(root);
        QVERIFY(loaded.ok());
        core::Project& project = *loaded.value;
        QCOMPARE(project.agents().size(), std::size_t(2));
        ui::GraphEditor editor;
        editor.resize(1200, 700);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        for (const core::AgentFile& agent : std::vector<core::AgentFile>(project.agents())) {
            const QString path = project.absolutePath(agent.relativePath);
            const QByteArray before = readAll(path);
            QVERIFY(!before.isEmpty());
            editor.setAgent(*agent.graph, agent.relativePath);
            // Showing, fitting and selecting must not change the model.
            editor.fitToView();
            editor.selectAll();
            QCOMPARE(editor.save(project), QString());
            QCOMPARE(readAll(path), before);
            // Edits then undone save the same bytes too.
            editor.document()->moveNodes({{"in", QPointF(-200, 0)}});
            editor.document()->setProperty("in", "x", Json(1));
            editor.autoLayout();
            QVERIFY(editor.isModified());
            while (editor.undoStack()->canUndo())
                editor.undoStack()->undo();
            QCOMPARE(editor.save(project), QString());
            QCOMPARE(readAll(path), before);
            QVERIFY(!editor.isModified());
        }
        // A real edit is saved and reads back equal.
        editor.setAgent(*project.agent(QStringLiteral("assistant"))->graph, QStringLiteral("agents/assistant.agent.json"));
        editor.document()->setProperty("answer", "temperature", Json(0.3));
        QCOMPARE(editor.save(project), QString());
        auto reopened = core::Project::open(root);
        QVERIFY(reopened.ok());
        QCOMPARE(dump(*reopened.value->agent(QStringLiteral("assistant"))->graph), dump(editor.graph()));
    }

    void zoomAndPan()
    {
        ui::GraphEditor editor;
        editor.resize(1000, 600);
        editor.setAgent(sampleGraph(QStringLiteral("assistant"), m_dir));
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        ui::GraphView* view = editor.view();
        view->resetZoom();
        QCOMPARE(view->zoom(), 1.0);
        // Ctrl+wheel zooms in around the cursor.
        const QPoint at = view->viewport()->rect().center();
        QWheelEvent wheel(QPointF(at), view->viewport()->mapToGlobal(QPointF(at)), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view->viewport(), &wheel);
        QVERIFY(view->zoom() > 1.1);
        // Keyboard zoom through the editor's actions, clamped.
        for (int i = 0; i < 30; ++i)
            editor.zoomOutAction()->trigger();
        QCOMPARE(view->zoom(), ui::GraphView::kMinZoom);
        editor.resetZoomAction()->trigger();
        QCOMPARE(view->zoom(), 1.0);
        // Fit shows every node.
        editor.fitAction()->trigger();
        for (ui::NodeItem* n : editor.scene()->nodeItems())
            QVERIFY(view->mapToScene(view->viewport()->rect()).boundingRect().contains(n->sceneBoundingRect()));
        // Middle-button drag pans without changing the model.
        const QPointF centre = view->mapToScene(view->viewport()->rect().center());
        QWidget* vp = view->viewport();
        sendMouse(vp, QEvent::MouseButtonPress, QPoint(300, 300), Qt::MiddleButton, Qt::MiddleButton);
        sendMouse(vp, QEvent::MouseMove, QPoint(200, 250), Qt::NoButton, Qt::MiddleButton);
        sendMouse(vp, QEvent::MouseButtonRelease, QPoint(200, 250), Qt::MiddleButton, Qt::NoButton);
        QVERIFY(view->mapToScene(view->viewport()->rect().center()) != centre);
        QCOMPARE(editor.undoStack()->count(), 0);
    }

    void deletedSceneGetsNoSignals()
    {
        ui::GraphDocument doc;
        doc.setGraph(sampleGraph(QStringLiteral("assistant"), m_dir));
        auto* scene = new ui::GraphScene(&doc);
        QCOMPARE(scene->nodeItems().size(), 5);
        delete scene;
        doc.addNode("llm", {0, 0});
        doc.undoStack()->undo();
        // An editor with no agent is inert.
        ui::GraphEditor editor;
        editor.paste();
        editor.deleteSelection();
        editor.autoLayout();
        emit editor.view()->nodeTypeDropped(QStringLiteral("llm"), QPointF());
        QVERIFY(editor.graph().nodes.empty());
    }

    void screenshots()
    {
        const QString dir = QDir::current().filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        const QPalette light = QApplication::style()->standardPalette();
        for (const bool dark : {false, true}) {
            QApplication::setPalette(dark ? ui::darkPalette() : light);
            ui::GraphEditor editor;
            editor.resize(1280, 720);
            editor.setAgent(sampleGraph(QStringLiteral("assistant"), m_dir), QStringLiteral("agents/assistant.agent.json"));
            editor.show();
            QVERIFY(QTest::qWaitForWindowExposed(&editor));
            // One problem on show: a tool node with its required input free.
            editor.document()->addNode("tool", {460, 340});
            editor.document()->connectPorts({"answer", "toolCalls", "tool", "arguments"});
            editor.scene()->selectNodes({"answer"});
            editor.fitToView();
            for (int i = 0; i < 3; ++i)
                QCoreApplication::processEvents();
            QVERIFY(editor.grab().save(QDir(dir).filePath(dark ? QStringLiteral("graph_editor_dark.png")
                                                               : QStringLiteral("graph_editor_light.png"))));
            editor.document()->disconnectPorts({"answer", "toolCalls", "tool", "arguments"});
            editor.scene()->selectNodes({"tool"});
            QCoreApplication::processEvents();
            QVERIFY(editor.grab().save(QDir(dir).filePath(dark ? QStringLiteral("graph_editor_problem_dark.png")
                                                               : QStringLiteral("graph_editor_problem_light.png"))));
        }
        QApplication::setPalette(light);
    }
};

QTEST_MAIN(TestGraphEditor)
#include "test_graph_editor.moc"
