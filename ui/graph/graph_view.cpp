#include "ui/graph/graph_view.h"

#include "ui/graph/node_palette.h"

#include <QDragEnterEvent>
#include <QGraphicsItem>
#include <QMimeData>
#include <QScrollBar>
#include <QWheelEvent>

#include <cmath>

namespace outpost::ui {

GraphView::GraphView(QWidget* parent) : QGraphicsView(parent)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setDragMode(QGraphicsView::RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setTransformationAnchor(QGraphicsView::NoAnchor);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setFrameShape(QFrame::NoFrame);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
}

qreal GraphView::zoom() const
{
    return transform().m11();
}

void GraphView::setZoom(qreal value, QPoint anchor)
{
    value = std::clamp(value, kMinZoom, kMaxZoom);
    if (std::abs(value - zoom()) < 1e-9)
        return;
    const QPoint at = anchor.isNull() ? viewport()->rect().center() : anchor;
    m_autoFit = false;
    const QPointF before = mapToScene(at);
    setTransform(QTransform::fromScale(value, value));
    // Keep the scene point under `at` where it was.
    const QPointF after = mapToScene(at);
    const QPointF delta = (after - before) * value;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + static_cast<int>(std::lround(delta.x())));
    verticalScrollBar()->setValue(verticalScrollBar()->value() + static_cast<int>(std::lround(delta.y())));
    emit zoomChanged(value);
}

void GraphView::zoomIn() { setZoom(zoom() * 1.25); }
void GraphView::zoomOut() { setZoom(zoom() / 1.25); }
void GraphView::resetZoom() { setZoom(1.0); }

void GraphView::fitToView()
{
    if (!scene())
        return;
    QRectF bounds;
    for (QGraphicsItem* item : scene()->items())
        if (!item->parentItem() && item->isVisible())
            bounds |= item->sceneBoundingRect();
    if (bounds.isEmpty()) {
        resetZoom();
        centerOn(0, 0);
        m_autoFit = true;
        return;
    }
    bounds.adjust(-40, -40, 40, 40);
    const qreal sx = viewport()->width() / bounds.width();
    const qreal sy = viewport()->height() / bounds.height();
    const qreal value = std::clamp(std::min(sx, sy), kMinZoom, 1.0);
    setTransform(QTransform::fromScale(value, value));
    centerOn(bounds.center());
    m_autoFit = true;
    emit zoomChanged(value);
}

void GraphView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    if (m_autoFit)
        fitToView();
}

void GraphView::drawBackground(QPainter* painter, const QRectF& rect)
{
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Base).lightnessF() < 0.5;
    const QColor bg = dark ? pal.color(QPalette::Base).darker(110) : pal.color(QPalette::Window).lighter(103);
    painter->fillRect(rect, bg);
    // Dots every 20 units, a stronger dot every 100; skipped when zoomed
    // out so far that they would blur into a grey wash.
    const qreal step = 20;
    if (zoom() < 0.45)
        return;
    QColor minor = pal.color(QPalette::Text);
    minor.setAlphaF(dark ? 0.12f : 0.10f);
    QColor major = minor;
    major.setAlphaF(dark ? 0.28f : 0.22f);
    const qreal left = std::floor(rect.left() / step) * step;
    const qreal top = std::floor(rect.top() / step) * step;
    QVector<QPointF> minorDots, majorDots;
    for (qreal x = left; x < rect.right(); x += step)
        for (qreal y = top; y < rect.bottom(); y += step) {
            const bool isMajor = std::fmod(std::abs(x), 100.0) < 0.5 && std::fmod(std::abs(y), 100.0) < 0.5;
            (isMajor ? majorDots : minorDots).push_back(QPointF(x, y));
        }
    painter->setPen(QPen(minor, 1.5 / zoom(), Qt::SolidLine, Qt::RoundCap));
    painter->drawPoints(minorDots.constData(), static_cast<int>(minorDots.size()));
    painter->setPen(QPen(major, 2.5 / zoom(), Qt::SolidLine, Qt::RoundCap));
    painter->drawPoints(majorDots.constData(), static_cast<int>(majorDots.size()));
}

void GraphView::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const qreal steps = event->angleDelta().y() / 120.0;
        setZoom(zoom() * std::pow(1.15, steps), event->position().toPoint());
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void GraphView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
        m_panning = true;
        m_panFrom = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_panning) {
        const QPoint now = event->position().toPoint();
        const QPoint delta = now - m_panFrom;
        m_panFrom = now;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_panning && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        m_panning = false;
        viewport()->setCursor(m_spaceHeld ? Qt::OpenHandCursor : Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = true;
        viewport()->setCursor(Qt::OpenHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        if (!m_panning)
            viewport()->setCursor(Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void GraphView::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasFormat(QLatin1String(NodePalette::kMimeType)))
        event->acceptProposedAction();
    else
        QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent* event)
{
    if (event->mimeData()->hasFormat(QLatin1String(NodePalette::kMimeType)))
        event->acceptProposedAction();
    else
        QGraphicsView::dragMoveEvent(event);
}

void GraphView::dropEvent(QDropEvent* event)
{
    if (!event->mimeData()->hasFormat(QLatin1String(NodePalette::kMimeType))) {
        QGraphicsView::dropEvent(event);
        return;
    }
    const QString type = QString::fromUtf8(event->mimeData()->data(QLatin1String(NodePalette::kMimeType)));
    emit nodeTypeDropped(type, mapToScene(event->position().toPoint()));
    event->acceptProposedAction();
}

} // namespace outpost::ui
