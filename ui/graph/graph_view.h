#pragma once
// The canvas: a QGraphicsView over a GraphScene with a dotted grid, zoom
// (Ctrl+wheel around the cursor, zoomIn/zoomOut/resetZoom for keyboard
// actions), pan (middle button, or Space and the left button; the wheel
// scrolls), rubber-band selection, fit-to-view, and drops of node types
// dragged from the palette.
#include <QGraphicsView>

namespace outpost::ui {

class GraphView : public QGraphicsView {
    Q_OBJECT

public:
    static constexpr qreal kMinZoom = 0.2;
    static constexpr qreal kMaxZoom = 3.0;

    explicit GraphView(QWidget* parent = nullptr);

    qreal zoom() const;
    // Sets the zoom (clamped to [kMinZoom, kMaxZoom]) keeping `anchor`
    // (viewport coordinates; the centre when null) in place.
    void setZoom(qreal zoom, QPoint anchor = {});

public slots:
    void zoomIn();
    void zoomOut();
    void resetZoom();
    // Shows every node, at most at 100 %.
    void fitToView();

signals:
    void zoomChanged(qreal zoom);
    // A node type from the palette was dropped at `scenePos`.
    void nodeTypeDropped(const QString& type, QPointF scenePos);

protected:
    void drawBackground(QPainter* painter, const QRectF& rect) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    bool m_panning = false;
    // Set by fitToView(), cleared by any explicit zoom: while set, the view
    // fits again when it is resized (e.g. first shown), so a graph opened
    // before the window is laid out is not left at a tiny zoom.
    bool m_autoFit = false;
    bool m_spaceHeld = false;
    QPoint m_panFrom;
};

} // namespace outpost::ui
