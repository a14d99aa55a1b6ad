#pragma once
// The graph editor: the visual designer of one agent graph, for the studio's
// central area. Palette on the left, canvas in the middle, property panel on
// the right, a tool bar above and a status line below.
//
// Wiring it into a window:
//   editor->setAgent(*agentFile.graph, agentFile.relativePath);  // on agent selection
//   connect(editor, &GraphEditor::saveRequested, window, [=] { editor->save(project); });
//   connect(editor, &GraphEditor::modifiedChanged, window, &QWidget::setWindowModified);
//   connect(editor, &GraphEditor::diagnosticsChanged, problemsModel, ...);
//   editor->undoAction(), redoAction(), ... can be put in the window's menus;
//   their shortcuts only act while the editor has focus.
// The editor keeps its own copy of the graph; save() writes it through
// core::Project::saveAgent, byte for byte what toJson() gives.
#include "core/project/project.h"

#include <QWidget>

class QAction;
class QLabel;
class QMenu;
class QSplitter;
class QToolBar;
class QUndoStack;

namespace outpost::ui {

class GraphDocument;
class GraphScene;
class StudioChat;
class TracePane;
class GraphView;
class NodePalette;
class PropertyPanel;

class GraphEditor : public QWidget {
    Q_OBJECT

public:
    explicit GraphEditor(QWidget* parent = nullptr);
    ~GraphEditor() override;

    // Shows `graph` (a copy), clears the undo history and fits it in view.
    // `relativePath` names the file in diagnostics.
    void setAgent(const core::AgentGraph& graph, const QString& relativePath = {});
    // Shows an empty, disabled editor.
    void clear();

    const core::AgentGraph& graph() const;
    bool isModified() const;

    // Applies pending edits and writes the graph with project.saveAgent().
    // Returns "" on success (the editor is then unmodified), else the reason.
    QString save(core::Project& project);

    GraphDocument* document() const { return m_document; }
    GraphScene* scene() const { return m_scene; }
    GraphView* view() const { return m_view; }
    NodePalette* nodePalette() const { return m_palette; }
    PropertyPanel* propertyPanel() const { return m_properties; }
    QUndoStack* undoStack() const;
    QToolBar* toolBar() const { return m_toolBar; }
    QLabel* statusLabel() const { return m_status; }

    QAction* undoAction() const { return m_undo; }
    QAction* redoAction() const { return m_redo; }
    QAction* cutAction() const { return m_cut; }
    QAction* copyAction() const { return m_copy; }
    QAction* pasteAction() const { return m_paste; }
    QAction* deleteAction() const { return m_delete; }
    QAction* selectAllAction() const { return m_selectAll; }
    QAction* zoomInAction() const { return m_zoomIn; }
    QAction* zoomOutAction() const { return m_zoomOut; }
    QAction* resetZoomAction() const { return m_resetZoom; }
    QAction* fitAction() const { return m_fit; }
    QAction* arrangeAction() const { return m_arrange; }
    QAction* saveAction() const { return m_save; }
    // Run: shows the trace pane and sends its test message; each node is
    // outlined as it runs (TracePane).
    QAction* runAction() const { return m_run; }
    TracePane* tracePane() const { return m_tracePane; }
    // The chat service Run goes through and the agent class this graph is
    // (null or empty: Run is disabled). Call with null before the service goes.
    void setRunner(StudioChat* chat, const QString& className);

public slots:
    void copy();
    void cut();
    void paste();
    void deleteSelection();
    void selectAll();
    void autoLayout();
    void fitToView();
    // Adds a node of `type` near the middle of the view and selects it.
    void addNode(const QString& type);
    // The canvas menu at `viewportPos`: add a node there (by category),
    // clipboard, delete, arrange, fit. Right-clicking a node selects it.
    QMenu* contextMenu(QPoint viewportPos);

signals:
    void modifiedChanged(bool modified);
    void diagnosticsChanged();
    void saveRequested();
    void message(const QString& text);

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void createActions();
    void retranslate();
    void showMessage(const QString& text);
    void updateStatus();
    void updateSelection();
    void addNodeAt(const QString& type, QPointF scenePos);
    void showContextMenu(QPoint viewportPos);

    bool m_splitterSized = false; // the side panels got their widths once
    GraphDocument* m_document;
    GraphScene* m_scene;
    GraphView* m_view;
    NodePalette* m_palette;
    PropertyPanel* m_properties;
    QToolBar* m_toolBar;
    QSplitter* m_splitter;
    QSplitter* m_runSplitter;
    TracePane* m_tracePane;
    QLabel* m_status;
    QLabel* m_zoomLabel;
    QString m_lastMessage;
    int m_pasteCount = 0;

    QAction* m_undo = nullptr;
    QAction* m_redo = nullptr;
    QAction* m_cut = nullptr;
    QAction* m_copy = nullptr;
    QAction* m_paste = nullptr;
    QAction* m_delete = nullptr;
    QAction* m_selectAll = nullptr;
    QAction* m_zoomIn = nullptr;
    QAction* m_zoomOut = nullptr;
    QAction* m_resetZoom = nullptr;
    QAction* m_fit = nullptr;
    QAction* m_arrange = nullptr;
    QAction* m_save = nullptr;
    QAction* m_run = nullptr;
};

} // namespace outpost::ui
