#include "ui/graph/graph_items.h"

#include "ui/graph/graph_scene.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QGraphicsSceneHoverEvent>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace outpost::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

bool isDark(const QPalette& p) { return p.color(QPalette::Base).lightnessF() < 0.5; }

QPalette scenePalette(const QGraphicsItem* item)
{
    return item->scene() ? item->scene()->palette() : QPalette();
}

const QColor kErrorColor(220, 53, 69);
constexpr qreal kPortRadius = 5.5;

} // namespace

QColor portColor(core::PortType type)
{
    switch (type) {
    case core::PortType::Message: return QColor(59, 130, 246);   // blue
    case core::PortType::Text: return QColor(34, 170, 94);       // green
    case core::PortType::Json: return QColor(234, 150, 20);      // amber
    case core::PortType::Any: return QColor(150, 130, 200);      // lavender
    }
    return Qt::gray;
}

QColor categoryColor(const std::string& category)
{
    if (category == "flow")
        return QColor(99, 102, 241);
    if (category == "model")
        return QColor(139, 92, 246);
    if (category == "tools")
        return QColor(234, 115, 22);
    if (category == "memory")
        return QColor(20, 160, 150);
    if (category == "state")
        return QColor(219, 39, 119);
    return QColor(120, 120, 130);
}

// ---- PortItem -----------------------------------------------------------------

PortItem::PortItem(QGraphicsItem* parent, const core::PortSpec& spec, bool output)
    : QGraphicsItem(parent), m_name(spec.name), m_type(spec.type), m_output(output), m_required(spec.required)
{
    setAcceptHoverEvents(true);
    setCursor(Qt::CrossCursor);
    setZValue(1);
    const QString direction = output ? QCoreApplication::translate("outpost::ui::GraphScene", "output")
                                     : QCoreApplication::translate("outpost::ui::GraphScene", "input");
    setToolTip(QCoreApplication::translate("outpost::ui::GraphScene", "%1 %2 \"%3\"%4")
                   .arg(core::portTypeName(m_type), direction, qs(m_name),
                        m_required ? QCoreApplication::translate("outpost::ui::GraphScene", " (required)") : QString()));
}

std::string PortItem::nodeId() const
{
    const auto* node = static_cast<const NodeItem*>(parentItem());
    return node ? node->nodeId() : std::string();
}

QRectF PortItem::boundingRect() const
{
    const qreal r = kPortRadius + 4;
    return QRectF(-r, -r, 2 * r, 2 * r);
}

QPainterPath PortItem::shape() const
{
    // A larger target than the dot, so ports are easy to hit.
    QPainterPath path;
    path.addEllipse(QPointF(0, 0), kPortRadius + 4, kPortRadius + 4);
    return path;
}

void PortItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const QPalette pal = scenePalette(this);
    QColor fill = portColor(m_type);
    qreal r = kPortRadius;
    if (m_hovered || m_hint == Hint::Accepting)
        r += 1.5;
    painter->setRenderHint(QPainter::Antialiasing);
    if (m_hint == Hint::Accepting) {
        QColor glow = fill;
        glow.setAlphaF(0.35f);
        painter->setPen(Qt::NoPen);
        painter->setBrush(glow);
        painter->drawEllipse(QPointF(0, 0), r + 3.5, r + 3.5);
    }
    if (m_hint == Hint::Refusing)
        fill.setAlphaF(0.25f);
    painter->setPen(QPen(pal.color(QPalette::Base), 2));
    painter->setBrush(m_connected || m_hovered || m_hint == Hint::Accepting ? fill : pal.color(QPalette::Base));
    painter->drawEllipse(QPointF(0, 0), r, r);
    if (!(m_connected || m_hovered || m_hint == Hint::Accepting)) {
        painter->setPen(QPen(fill, 2));
        painter->setBrush(Qt::NoBrush);
        painter->drawEllipse(QPointF(0, 0), r - 1, r - 1);
    }
}

void PortItem::setHint(Hint hint)
{
    if (m_hint != hint) {
        m_hint = hint;
        update();
    }
}

void PortItem::setConnected(bool connected)
{
    if (m_connected != connected) {
        m_connected = connected;
        update();
    }
}

void PortItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event)
{
    m_hovered = true;
    update();
    QGraphicsItem::hoverEnterEvent(event);
}

void PortItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event)
{
    m_hovered = false;
    update();
    QGraphicsItem::hoverLeaveEvent(event);
}

// ---- NodeItem -----------------------------------------------------------------

NodeItem::NodeItem(GraphScene* scene) : m_scene(scene)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges | ItemIsFocusable);
    setAcceptHoverEvents(true);
    setZValue(2);
}

QString NodeItem::title() const
{
    if (const auto* spec = core::findNodeType(m_type))
        return QCoreApplication::translate("outpost::core::NodeTypes", spec->title);
    return qs(m_type);
}

qreal NodeItem::height() const
{
    std::size_t rows = 0;
    if (const auto* spec = core::findNodeType(m_type))
        rows = std::max(spec->inputs.size(), spec->outputs.size());
    qreal h = kHeaderHeight + 8 + static_cast<qreal>(rows) * kRowHeight + 6;
    if (!m_summary.isEmpty())
        h += 20;
    return std::max<qreal>(h, kHeaderHeight + 26);
}

QRectF NodeItem::boundingRect() const
{
    // Room for the selection, error and run outlines and the port dots.
    return QRectF(-10, -7, kWidth + 20, height() + 14);
}

QPainterPath NodeItem::shape() const
{
    QPainterPath path;
    path.addRoundedRect(QRectF(0, 0, kWidth, height()), 8, 8);
    return path;
}

void NodeItem::setRunState(RunState state)
{
    if (state == m_runState)
        return;
    m_runState = state;
    update();
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const QPalette pal = scenePalette(this);
    const bool dark = isDark(pal);
    const QRectF card(0, 0, kWidth, height());
    const auto* spec = core::findNodeType(m_type);
    const QColor accent = spec ? categoryColor(spec->category) : kErrorColor;
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);

    // Soft shadow.
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0, 0, 0, dark ? 90 : 28));
    painter->drawRoundedRect(card.translated(0, 3), 8, 8);

    // Body and header band tinted by the category.
    const QColor body = dark ? pal.color(QPalette::Base).lighter(135) : pal.color(QPalette::Base);
    painter->setBrush(body);
    painter->drawRoundedRect(card, 8, 8);
    QColor band = accent;
    band.setAlphaF(dark ? 0.38f : 0.16f);
    QPainterPath header;
    header.addRoundedRect(QRectF(0, 0, kWidth, kHeaderHeight), 8, 8);
    QPainterPath bottomHalf;
    bottomHalf.addRect(QRectF(0, kHeaderHeight / 2, kWidth, kHeaderHeight / 2));
    header = header.united(bottomHalf);
    painter->setBrush(band);
    painter->drawPath(header);
    painter->setBrush(accent);
    painter->drawRoundedRect(QRectF(10, 12, 4, kHeaderHeight - 24), 2, 2);

    // Title and id.
    const QColor text = pal.color(QPalette::Text);
    QColor dim = text;
    dim.setAlphaF(0.6f);
    QFont titleFont = painter->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(std::max<qreal>(8.0, titleFont.pointSizeF()));
    painter->setFont(titleFont);
    painter->setPen(text);
    const QFontMetricsF tfm(titleFont);
    painter->drawText(QRectF(22, 6, kWidth - 30, tfm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      tfm.elidedText(title(), Qt::ElideRight, kWidth - 48));
    QFont idFont = titleFont;
    idFont.setBold(false);
    idFont.setPointSizeF(titleFont.pointSizeF() * 0.85);
    painter->setFont(idFont);
    painter->setPen(dim);
    const QFontMetricsF ifm(idFont);
    painter->drawText(QRectF(22, 8 + tfm.height(), kWidth - 30, ifm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      ifm.elidedText(qs(m_id), Qt::ElideMiddle, kWidth - 34));

    // Port labels beside their dots.
    QFont portFont = idFont;
    painter->setFont(portFont);
    const QFontMetricsF pfm(portFont);
    for (const PortItem* port : m_ports) {
        const QPointF p = port->pos();
        const QString label = qs(port->name()) + (port->isRequired() && !port->isOutput() ? QStringLiteral(" *") : QString());
        painter->setPen(text);
        if (port->isOutput())
            painter->drawText(QRectF(kWidth / 2, p.y() - kRowHeight / 2, kWidth / 2 - 14, kRowHeight), Qt::AlignRight | Qt::AlignVCenter,
                              pfm.elidedText(label, Qt::ElideRight, kWidth / 2 - 14));
        else
            painter->drawText(QRectF(14, p.y() - kRowHeight / 2, kWidth / 2 - 14, kRowHeight), Qt::AlignLeft | Qt::AlignVCenter,
                              pfm.elidedText(label, Qt::ElideRight, kWidth / 2 - 14));
    }
    if (!m_summary.isEmpty()) {
        painter->setPen(dim);
        painter->drawText(QRectF(12, card.bottom() - 24, kWidth - 24, 18), Qt::AlignLeft | Qt::AlignVCenter,
                          pfm.elidedText(m_summary, Qt::ElideRight, kWidth - 24));
    }

    // Run trace outline (outside the problem outline, so both show).
    if (m_runState != RunState::None) {
        const QColor colour = m_runState == RunState::Running ? QColor(70, 140, 240)
                              : m_runState == RunState::Done  ? QColor(60, 170, 90)
                                                              : QColor(235, 130, 30);
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(colour, m_runState == RunState::Running ? 4 : 3));
        painter->drawRoundedRect(card.adjusted(-4, -4, 4, 4), 11, 11);
    }

    // Outline: red when the validator found problems, highlight when selected.
    painter->setBrush(Qt::NoBrush);
    if (!m_problems.isEmpty()) {
        painter->setPen(QPen(kErrorColor, isSelected() ? 3 : 2));
        painter->drawRoundedRect(card.adjusted(-1, -1, 1, 1), 9, 9);
        // A small badge in the header's corner.
        painter->setPen(Qt::NoPen);
        painter->setBrush(kErrorColor);
        const QPointF c(kWidth - 16, 16);
        painter->drawEllipse(c, 8, 8);
        painter->setPen(QPen(Qt::white, 2, Qt::SolidLine, Qt::RoundCap));
        painter->drawLine(c + QPointF(0, -4), c + QPointF(0, 1));
        painter->drawPoint(c + QPointF(0, 4));
        if (isSelected()) {
            painter->setBrush(Qt::NoBrush);
            painter->setPen(QPen(pal.color(QPalette::Highlight), 1.5, Qt::DashLine));
            painter->drawRoundedRect(card.adjusted(-4, -4, 4, 4), 11, 11);
        }
    } else if (isSelected()) {
        painter->setPen(QPen(pal.color(QPalette::Highlight), 2.5));
        painter->drawRoundedRect(card.adjusted(-1, -1, 1, 1), 9, 9);
    } else {
        QColor border = pal.color(QPalette::Mid);
        border.setAlphaF(dark ? 0.9f : 0.7f);
        painter->setPen(QPen(border, 1));
        painter->drawRoundedRect(card, 8, 8);
    }
}

void NodeItem::setNode(const core::GraphNode& node, std::size_t index)
{
    m_index = index;
    const bool typeChanged = node.type != m_type || m_ports.empty();
    const bool idChanged = node.id != m_id;
    m_id = node.id;
    QString summary;
    // One telling property under the ports, so the graph reads at a glance.
    static const char* const keys[] = {"model", "tool", "index", "condition", "path", "when", "question"};
    for (const char* key : keys) {
        const auto it = node.properties.find(key);
        if (it != node.properties.end() && it->is_string() && !it->get<std::string>().empty()) {
            summary = qs(it->get<std::string>());
            summary.replace(QLatin1Char('\n'), QLatin1Char(' '));
            break;
        }
    }
    const bool summaryChanged = summary != m_summary;
    if (summaryChanged || typeChanged)
        prepareGeometryChange();
    m_summary = summary;
    if (typeChanged) {
        m_type = node.type;
        rebuildPorts();
    }
    if (typeChanged || idChanged || summaryChanged) {
        updateToolTip();
        update();
    }
}

void NodeItem::setProblems(const QStringList& problems)
{
    if (problems == m_problems)
        return;
    m_problems = problems;
    updateToolTip();
    update();
}

void NodeItem::updateToolTip()
{
    QString tip = QStringLiteral("<b>%1</b> — %2").arg(title().toHtmlEscaped(), qs(m_id).toHtmlEscaped());
    if (const auto* spec = core::findNodeType(m_type))
        tip += QStringLiteral("<br>") + QCoreApplication::translate("outpost::core::NodeTypes", spec->description).toHtmlEscaped();
    for (const QString& p : m_problems)
        tip += QStringLiteral("<br><span style=\"color:#dc3545\">⚠ %1</span>").arg(p.toHtmlEscaped());
    setToolTip(tip);
}

void NodeItem::rebuildPorts()
{
    for (PortItem* p : m_ports)
        delete p;
    m_ports.clear();
    const auto* spec = core::findNodeType(m_type);
    if (!spec)
        return;
    const qreal top = kHeaderHeight + 8 + kRowHeight / 2;
    for (std::size_t i = 0; i < spec->inputs.size(); ++i) {
        auto* p = new PortItem(this, spec->inputs[i], false);
        p->setPos(0, top + static_cast<qreal>(i) * kRowHeight);
        m_ports.push_back(p);
    }
    for (std::size_t i = 0; i < spec->outputs.size(); ++i) {
        auto* p = new PortItem(this, spec->outputs[i], true);
        p->setPos(kWidth, top + static_cast<qreal>(i) * kRowHeight);
        m_ports.push_back(p);
    }
}

PortItem* NodeItem::port(const std::string& name, bool output) const
{
    for (PortItem* p : m_ports)
        if (p->name() == name && p->isOutput() == output)
            return p;
    return nullptr;
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value)
{
    if (change == ItemPositionChange && m_scene && !m_scene->isSyncing()) {
        // Dragged by the user: stay on the grid, so positions stay tidy
        // whole numbers in the file.
        const QPointF p = value.toPointF();
        return QPointF(std::round(p.x() / kGrid) * kGrid, std::round(p.y() / kGrid) * kGrid);
    }
    if (change == ItemPositionHasChanged && m_scene)
        m_scene->nodeMoved(this);
    return QGraphicsItem::itemChange(change, value);
}

// ---- EdgeItem -----------------------------------------------------------------

EdgeItem::EdgeItem(const core::GraphEdge& edge) : m_edge(edge)
{
    setFlags(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(0);
    setToolTip(QStringLiteral("%1.%2 → %3.%4").arg(qs(edge.from), qs(edge.fromPort), qs(edge.to), qs(edge.toPort)));
}

QPainterPath EdgeItem::curve(QPointF from, QPointF to)
{
    const qreal dx = std::max<qreal>(50, std::abs(to.x() - from.x()) * 0.5);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
    return path;
}

void EdgeItem::setEnds(PortItem* from, PortItem* to)
{
    m_from = from;
    m_to = to;
    updatePath();
}

void EdgeItem::setProblems(const QStringList& problems)
{
    if (problems == m_problems)
        return;
    m_problems = problems;
    QString tip = QStringLiteral("%1.%2 → %3.%4").arg(qs(m_edge.from), qs(m_edge.fromPort), qs(m_edge.to), qs(m_edge.toPort));
    for (const QString& p : problems)
        tip += QLatin1Char('\n') + p;
    setToolTip(tip);
    update();
}

void EdgeItem::updatePath()
{
    if (m_from && m_to)
        setPath(curve(m_from->anchor(), m_to->anchor()));
}

bool EdgeItem::touches(const NodeItem* node) const
{
    return (m_from && m_from->parentItem() == node) || (m_to && m_to->parentItem() == node);
}

QPainterPath EdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(12);
    return stroker.createStroke(path());
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const QPalette pal = scene() ? scene()->palette() : QPalette();
    QColor color = m_from ? portColor(m_from->portType()) : QColor(Qt::gray);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setBrush(Qt::NoBrush);
    if (isSelected() || m_hovered) {
        QColor halo = isSelected() ? pal.color(QPalette::Highlight) : color;
        halo.setAlphaF(0.35f);
        painter->setPen(QPen(halo, 8, Qt::SolidLine, Qt::RoundCap));
        painter->drawPath(path());
    }
    QPen pen(m_problems.isEmpty() ? color : kErrorColor, isSelected() ? 3 : 2.2, m_problems.isEmpty() ? Qt::SolidLine : Qt::DashLine,
             Qt::RoundCap);
    painter->setPen(pen);
    painter->drawPath(path());
}

void EdgeItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event)
{
    m_hovered = true;
    update();
    QGraphicsPathItem::hoverEnterEvent(event);
}

void EdgeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event)
{
    m_hovered = false;
    update();
    QGraphicsPathItem::hoverLeaveEvent(event);
}

} // namespace outpost::ui
