#include "ui/graph/graph_editor.h"

#include "core/agent/node_types.h"
#include "ui/graph/graph_document.h"
#include "ui/graph/graph_items.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/node_palette.h"
#include "ui/graph/property_panel.h"
#include "ui/graph/trace_pane.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QResizeEvent>
#include <QSplitter>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace outpost::ui {

GraphEditor::GraphEditor(QWidget* parent) : QWidget(parent)
{
    m_document = new GraphDocument(this);
    m_scene = new GraphScene(m_document, this);
    m_view = new GraphView(this);
    m_view->setScene(m_scene);
    m_palette = new NodePalette(this);
    m_properties = new PropertyPanel(m_document, this);
    m_toolBar = new QToolBar(this);
    m_toolBar->setIconSize(QSize(16, 16));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_zoomLabel = new QLabel(this);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(m_palette);
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_properties);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setSizes({170, 700, 300});
    m_splitter->setChildrenCollapsible(false);
    m_palette->setMinimumWidth(140);

    auto* statusRow = new QHBoxLayout;
    statusRow->setContentsMargins(8, 2, 8, 4);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_zoomLabel);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolBar);
    // The trace pane sits under the canvas, hidden until the first Run.
    m_tracePane = new TracePane(this);
    m_runSplitter = new QSplitter(Qt::Vertical, this);
    m_runSplitter->addWidget(m_splitter);
    m_runSplitter->addWidget(m_tracePane);
    m_runSplitter->setStretchFactor(0, 1);
    m_runSplitter->setStretchFactor(1, 0);
    m_tracePane->hide();
    layout->addWidget(m_runSplitter, 1);
    layout->addLayout(statusRow);

    createActions();

    // Every connection has a receiver owned by this editor, so nothing
    // reaches a deleted scene or panel.
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &GraphEditor::updateSelection);
    connect(m_scene, &GraphScene::message, this, &GraphEditor::showMessage);
    connect(m_properties, &PropertyPanel::message, this, &GraphEditor::showMessage);
    connect(m_document, &GraphDocument::changed, this, &GraphEditor::updateSelection);
    connect(m_document, &GraphDocument::changed, this, &GraphEditor::updateStatus);
    connect(m_document, &GraphDocument::diagnosticsChanged, this, &GraphEditor::diagnosticsChanged);
    connect(m_document->undoStack(), &QUndoStack::cleanChanged, this, [this](bool clean) { emit modifiedChanged(!clean); });
    connect(m_palette, &NodePalette::nodeTypeActivated, this, &GraphEditor::addNode);
    connect(m_view, &GraphView::nodeTypeDropped, this, &GraphEditor::addNodeAt);
    connect(m_view, &GraphView::zoomChanged, this, [this](qreal z) { m_zoomLabel->setText(tr("%1 %").arg(qRound(z * 100))); });
    m_zoomLabel->setText(tr("%1 %").arg(100));
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &GraphEditor::showContextMenu);

    retranslate();
    clear();
}

GraphEditor::~GraphEditor()
{
    // The scene goes before the document it listens to.
    m_view->setScene(nullptr);
    delete m_scene;
    m_scene = nullptr;
}

QUndoStack* GraphEditor::undoStack() const
{
    return m_document->undoStack();
}

void GraphEditor::createActions()
{
    const auto make = [this](QAction*& slot, const QString& icon, QKeySequence key) {
        slot = new QAction(this);
        slot->setIcon(QIcon::fromTheme(icon));
        if (!key.isEmpty())
            slot->setShortcut(key);
        slot->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(slot);
        return slot;
    };
    // Short texts for the tool bar; what would be undone is in the tooltip.
    QUndoStack* stack = m_document->undoStack();
    make(m_undo, QStringLiteral("edit-undo"), QKeySequence::Undo);
    make(m_redo, QStringLiteral("edit-redo"), QKeySequence::Redo);
    connect(m_undo, &QAction::triggered, stack, &QUndoStack::undo);
    connect(m_redo, &QAction::triggered, stack, &QUndoStack::redo);
    connect(stack, &QUndoStack::canUndoChanged, m_undo, &QAction::setEnabled);
    connect(stack, &QUndoStack::canRedoChanged, m_redo, &QAction::setEnabled);
    connect(stack, &QUndoStack::undoTextChanged, m_undo, [this](const QString& text) {
        m_undo->setToolTip(text.isEmpty() ? tr("Undo") : tr("Undo: %1").arg(text));
    });
    connect(stack, &QUndoStack::redoTextChanged, m_redo, [this](const QString& text) {
        m_redo->setToolTip(text.isEmpty() ? tr("Redo") : tr("Redo: %1").arg(text));
    });
    m_undo->setEnabled(false);
    m_redo->setEnabled(false);
    make(m_cut, QStringLiteral("edit-cut"), QKeySequence::Cut);
    make(m_copy, QStringLiteral("edit-copy"), QKeySequence::Copy);
    make(m_paste, QStringLiteral("edit-paste"), QKeySequence::Paste);
    make(m_delete, QStringLiteral("edit-delete"), QKeySequence::Delete);
    m_delete->setShortcuts({QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)});
    make(m_selectAll, QStringLiteral("edit-select-all"), QKeySequence::SelectAll);
    make(m_zoomIn, QStringLiteral("zoom-in"), QKeySequence::ZoomIn);
    m_zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    make(m_zoomOut, QStringLiteral("zoom-out"), QKeySequence::ZoomOut);
    make(m_resetZoom, QStringLiteral("zoom-original"), QKeySequence(Qt::CTRL | Qt::Key_0));
    make(m_fit, QStringLiteral("zoom-fit-best"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    make(m_arrange, QStringLiteral("distribute-horizontal"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    make(m_save, QStringLiteral("document-save"), QKeySequence::Save);

    // Clipboard and delete act on the canvas; in a text field the field's
    // own shortcuts win (they are handled before these, by ShortcutOverride).
    connect(m_cut, &QAction::triggered, this, &GraphEditor::cut);
    connect(m_copy, &QAction::triggered, this, &GraphEditor::copy);
    connect(m_paste, &QAction::triggered, this, &GraphEditor::paste);
    connect(m_delete, &QAction::triggered, this, &GraphEditor::deleteSelection);
    connect(m_selectAll, &QAction::triggered, this, &GraphEditor::selectAll);
    connect(m_zoomIn, &QAction::triggered, m_view, &GraphView::zoomIn);
    connect(m_zoomOut, &QAction::triggered, m_view, &GraphView::zoomOut);
    connect(m_resetZoom, &QAction::triggered, m_view, &GraphView::resetZoom);
    connect(m_fit, &QAction::triggered, this, &GraphEditor::fitToView);
    connect(m_arrange, &QAction::triggered, this, &GraphEditor::autoLayout);
    connect(m_save, &QAction::triggered, this, [this] {
        m_properties->commitPending();
        emit saveRequested();
    });

    m_toolBar->addAction(m_save);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_undo);
    m_toolBar->addAction(m_redo);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_cut);
    m_toolBar->addAction(m_copy);
    m_toolBar->addAction(m_paste);
    m_toolBar->addAction(m_delete);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_arrange);
    m_toolBar->addAction(m_fit);
    m_toolBar->addAction(m_zoomOut);
    m_toolBar->addAction(m_zoomIn);

    m_run = new QAction(this);
    m_run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_run->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_run->setEnabled(false); // until setRunner
    addAction(m_run);
    connect(m_run, &QAction::triggered, this, [this] {
        m_tracePane->show();
        if (m_runSplitter->sizes().value(1) < 80)
            m_runSplitter->setSizes({std::max(200, height() - 260), 220});
        if (!m_tracePane->run())
            m_tracePane->messageEdit()->setFocus();
    });
    connect(m_tracePane, &TracePane::runStarted, this, [this] {
        for (NodeItem* item : m_scene->nodeItems())
            item->setRunState(NodeItem::RunState::None);
    });
    connect(m_tracePane, &TracePane::nodeRunState, this, [this](const QString& nodeId, TracePane::NodeState state) {
        if (NodeItem* item = m_scene->nodeItem(nodeId.toStdString()))
            item->setRunState(state == TracePane::NodeState::Running ? NodeItem::RunState::Running
                              : state == TracePane::NodeState::Done  ? NodeItem::RunState::Done
                              : state == TracePane::NodeState::Error ? NodeItem::RunState::Error
                                                                     : NodeItem::RunState::None);
    });
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_run);
}

void GraphEditor::setRunner(StudioChat* chat, const QString& className)
{
    m_tracePane->setRunner(chat, className);
    m_run->setEnabled(chat != nullptr && !className.isEmpty());
}

void GraphEditor::retranslate()
{
    m_undo->setText(tr("Undo"));
    m_redo->setText(tr("Redo"));
    m_cut->setText(tr("Cut"));
    m_copy->setText(tr("Copy"));
    m_paste->setText(tr("Paste"));
    m_delete->setText(tr("Delete"));
    m_selectAll->setText(tr("Select All"));
    m_zoomIn->setText(tr("Zoom In"));
    m_zoomOut->setText(tr("Zoom Out"));
    m_resetZoom->setText(tr("Actual Size"));
    m_fit->setText(tr("Fit to View"));
    m_arrange->setText(tr("Arrange"));
    m_arrange->setToolTip(tr("Lay the nodes out left to right, following the edges"));
    m_save->setText(tr("Save"));
    if (m_run) {
        m_run->setText(tr("Run"));
        m_run->setToolTip(tr("Send a test message to the agent and trace each node as it runs (%1)").arg(m_run->shortcut().toString(QKeySequence::NativeText)));
    }
    m_palette->setToolTip(tr("Drag a node onto the canvas, or double-click it"));
    updateStatus();
}

void GraphEditor::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // The canvas gets what the palette and the property panel leave, the
    // first time the editor has a real width (sizes given before that are
    // scaled to the first width, which squeezes the canvas in a narrow window).
    if (!m_splitterSized && width() > 400) {
        m_splitterSized = true;
        const int side = m_palette->minimumWidth() + 20;
        const int props = std::max(300, m_properties->minimumWidth());
        m_splitter->setSizes({side, std::max(200, m_splitter->width() - side - props), props});
    }
}

void GraphEditor::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void GraphEditor::setAgent(const core::AgentGraph& graph, const QString& relativePath)
{
    m_lastMessage.clear();
    m_pasteCount = 0;
    m_document->setGraph(graph, relativePath);
    m_splitter->setEnabled(true);
    m_toolBar->setEnabled(true);
    m_properties->showNode({});
    fitToView();
    updateStatus();
}

void GraphEditor::clear()
{
    m_document->setGraph(core::AgentGraph{}, {});
    m_properties->showNode({});
    m_splitter->setEnabled(false);
    m_toolBar->setEnabled(false);
    m_lastMessage.clear();
    updateStatus();
}

const core::AgentGraph& GraphEditor::graph() const
{
    return m_document->graph();
}

bool GraphEditor::isModified() const
{
    return !m_document->undoStack()->isClean();
}

QString GraphEditor::save(core::Project& project)
{
    m_properties->commitPending();
    const QString error = project.saveAgent(m_document->graph());
    if (error.isEmpty()) {
        m_document->undoStack()->setClean();
        showMessage(tr("Saved %1").arg(m_document->file().isEmpty() ? m_document->graph().name : m_document->file()));
    } else {
        showMessage(tr("Not saved: %1").arg(error));
    }
    return error;
}

void GraphEditor::showMessage(const QString& text)
{
    m_lastMessage = text;
    updateStatus();
    emit message(text);
}

void GraphEditor::updateStatus()
{
    const core::Diagnostics& problems = m_document->diagnostics();
    QString text;
    if (!m_splitter->isEnabled())
        text = tr("No agent open");
    else if (problems.isEmpty())
        text = tr("%n node(s), %1 edge(s) · no problems", nullptr, static_cast<int>(graph().nodes.size()))
                   .arg(graph().edges.size());
    else
        text = tr("%n problem(s): %1", nullptr, static_cast<int>(problems.size())).arg(problems.front().message);
    if (!m_lastMessage.isEmpty())
        text = m_lastMessage + QStringLiteral("  ·  ") + text;
    m_status->setText(text);
}

void GraphEditor::updateSelection()
{
    const auto ids = m_scene->selectedNodeIds();
    m_properties->showNode(ids.size() == 1 ? ids.front() : std::string());
    const bool any = !ids.empty() || !m_scene->selectedEdges().empty();
    m_delete->setEnabled(any);
    m_cut->setEnabled(!ids.empty());
    m_copy->setEnabled(!ids.empty());
}

void GraphEditor::copy()
{
    const auto ids = m_scene->selectedNodeIds();
    if (ids.empty())
        return;
    const core::Json fragment = m_document->copy(ids);
    auto* data = new QMimeData;
    const QByteArray bytes = QByteArray::fromStdString(fragment.dump(2));
    data->setData(QLatin1String(GraphDocument::kMimeType), bytes);
    data->setText(QString::fromUtf8(bytes));
    QGuiApplication::clipboard()->setMimeData(data);
    m_pasteCount = 0;
    showMessage(tr("Copied %n node(s)", nullptr, static_cast<int>(ids.size())));
}

void GraphEditor::cut()
{
    const auto ids = m_scene->selectedNodeIds();
    if (ids.empty())
        return;
    copy();
    m_document->undoStack()->beginMacro(tr("Cut %n node(s)", nullptr, static_cast<int>(ids.size())));
    m_document->remove(ids);
    m_document->undoStack()->endMacro();
}

void GraphEditor::paste()
{
    const QMimeData* data = QGuiApplication::clipboard()->mimeData();
    if (!data)
        return;
    QByteArray bytes = data->data(QLatin1String(GraphDocument::kMimeType));
    if (bytes.isEmpty())
        bytes = data->text().toUtf8();   // JSON pasted from a text editor
    const core::Json fragment = core::Json::parse(bytes.toStdString(), nullptr, false);
    ++m_pasteCount;
    QString error;
    const auto ids = m_document->paste(fragment.is_discarded() ? core::Json() : fragment, QPointF(40, 40) * m_pasteCount, &error);
    if (ids.empty()) {
        --m_pasteCount;
        showMessage(tr("Nothing pasted: %1").arg(error));
        return;
    }
    m_scene->selectNodes(ids);
}

void GraphEditor::deleteSelection()
{
    const auto ids = m_scene->selectedNodeIds();
    const auto edges = m_scene->selectedEdges();
    if (ids.empty() && edges.empty())
        return;
    m_document->remove(ids, edges);
}

void GraphEditor::selectAll()
{
    std::vector<std::string> ids;
    for (const auto& n : graph().nodes)
        ids.push_back(n.id);
    m_scene->selectNodes(ids);
}

void GraphEditor::autoLayout()
{
    m_document->autoLayout();
    fitToView();
}

void GraphEditor::fitToView()
{
    m_view->fitToView();
}

void GraphEditor::addNode(const QString& type)
{
    // Near the middle of the view, moved down a step while a node already
    // sits there, so repeated additions do not pile up.
    QPointF at = m_view->mapToScene(m_view->viewport()->rect().center()) - QPointF(NodeItem::kWidth / 2, 40);
    const auto occupied = [&](QPointF p) {
        for (const auto& n : graph().nodes)
            if (std::abs(n.x - p.x()) < 20 && std::abs(n.y - p.y()) < 20)
                return true;
        return false;
    };
    for (int i = 0; i < 50 && occupied(QPointF(std::round(at.x() / 10) * 10, std::round(at.y() / 10) * 10)); ++i)
        at += QPointF(30, 30);
    addNodeAt(type, at);
}

void GraphEditor::addNodeAt(const QString& type, QPointF scenePos)
{
    if (!m_splitter->isEnabled())
        return;
    const QPointF snapped(std::round(scenePos.x() / NodeItem::kGrid) * NodeItem::kGrid,
                          std::round(scenePos.y() / NodeItem::kGrid) * NodeItem::kGrid);
    const std::string id = m_document->addNode(type.toStdString(), snapped);
    if (id.empty()) {
        showMessage(tr("Unknown node type \"%1\"").arg(type));
        return;
    }
    m_scene->selectNodes({id});
    m_view->setFocus();
}

QMenu* GraphEditor::contextMenu(QPoint viewportPos)
{
    const QPointF at = m_view->mapToScene(viewportPos);
    for (QGraphicsItem* item : m_view->items(viewportPos)) {
        if (item->type() == NodeItem::Type || item->type() == EdgeItem::Type) {
            if (!item->isSelected()) {
                m_scene->clearSelection();
                item->setSelected(true);
            }
            break;
        }
    }
    auto* menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    QMenu* add = menu->addMenu(tr("Add node"));
    add->setEnabled(m_splitter->isEnabled());
    std::vector<std::string> categories;
    for (const auto& spec : core::nodeTypes())
        if (std::find(categories.begin(), categories.end(), spec.category) == categories.end())
            categories.push_back(spec.category);
    for (const auto& category : categories) {
        add->addSection(NodePalette::categoryTitle(category));
        for (const auto& spec : core::nodeTypes()) {
            if (spec.category != category)
                continue;
            const QString type = QString::fromStdString(spec.type);
            QAction* a = add->addAction(QCoreApplication::translate("outpost::core::NodeTypes", spec.title));
            connect(a, &QAction::triggered, this, [this, type, at] { addNodeAt(type, at); });
        }
    }
    menu->addSeparator();
    menu->addAction(m_cut);
    menu->addAction(m_copy);
    menu->addAction(m_paste);
    menu->addAction(m_delete);
    menu->addSeparator();
    menu->addAction(m_selectAll);
    menu->addAction(m_arrange);
    menu->addAction(m_fit);
    return menu;
}

void GraphEditor::showContextMenu(QPoint viewportPos)
{
    contextMenu(viewportPos)->popup(m_view->viewport()->mapToGlobal(viewportPos));
}

} // namespace outpost::ui
