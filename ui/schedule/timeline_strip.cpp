#include "ui/schedule/timeline_strip.h"

#include <QDateTime>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace outpost::ui {

namespace {
constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
} // namespace

TimelineStrip::TimelineStrip(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

QSize TimelineStrip::sizeHint() const
{
    return {640, fontMetrics().height() * 2 + 52};
}

QSize TimelineStrip::minimumSizeHint() const
{
    return {240, sizeHint().height()};
}

void TimelineStrip::setMarks(qint64 nowMs, QList<Mark> marks)
{
    // At equal times the preview goes first, so a real schedule is drawn over it.
    std::stable_sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) {
        return a.ms != b.ms ? a.ms < b.ms : (a.kind == Mark::Preview && b.kind != Mark::Preview);
    });
    m_marks = std::move(marks);
    m_start = nowMs;
    // Fit the horizon to the latest mark within a week, rounded up to a
    // readable span, so near alarms are not squeezed into the left edge.
    qint64 latest = nowMs;
    for (const Mark& m : m_marks)
        if (m.fitsHorizon && m.ms <= nowMs + 7 * kDay)
            latest = std::max(latest, m.ms);
    const qint64 span = std::max<qint64>(latest - nowMs, 1);
    static const qint64 spans[] = {kHour, 3 * kHour, 6 * kHour, 12 * kHour, kDay, 2 * kDay, 7 * kDay};
    qint64 chosen = 7 * kDay;
    for (qint64 s : spans)
        if (span * 21 / 20 <= s) {
            chosen = s;
            break;
        }
    m_end = nowMs + chosen;
    update();
}

int TimelineStrip::visibleMarks() const
{
    return int(std::count_if(m_marks.begin(), m_marks.end(), [this](const Mark& m) { return m.ms >= m_start && m.ms <= m_end; }));
}

qreal TimelineStrip::xOf(qint64 ms, const QRectF& axis) const
{
    const double t = double(ms - m_start) / double(std::max<qint64>(m_end - m_start, 1));
    return axis.left() + std::clamp(t, 0.0, 1.0) * axis.width();
}

void TimelineStrip::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QRectF frame = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(pal.color(QPalette::Mid));
    p.setBrush(pal.color(QPalette::Base));
    p.drawRoundedRect(frame, 4, 4);

    const int fh = fontMetrics().height();
    const QRectF axis(frame.left() + 16, frame.top() + fh + 14, frame.width() - 32, 0);

    // Ticks: a step that gives four to eight labels over the horizon.
    const qint64 span = m_end - m_start;
    static const qint64 steps[] = {5 * kMinute, 10 * kMinute, 15 * kMinute, 30 * kMinute, kHour, 2 * kHour, 3 * kHour, 6 * kHour, 12 * kHour, kDay};
    qint64 step = kDay;
    for (qint64 s : steps)
        if (span / s <= 8) {
            step = s;
            break;
        }
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(QPointF(axis.left(), axis.top()), QPointF(axis.right(), axis.top()));
    const QDateTime startLocal = QDateTime::fromMSecsSinceEpoch(m_start);
    const qint64 offset = qint64(startLocal.offsetFromUtc()) * 1000;
    qint64 tick = ((m_start + offset) / step + 1) * step - offset;
    const QString format = step >= kDay ? QStringLiteral("ddd d") : QStringLiteral("HH:mm");
    for (; tick < m_end; tick += step) {
        const qreal x = xOf(tick, axis);
        p.setPen(pal.color(QPalette::Mid));
        p.drawLine(QPointF(x, axis.top() - 3), QPointF(x, axis.top() + 3));
        p.setPen(pal.color(QPalette::PlaceholderText));
        const QString label = QDateTime::fromMSecsSinceEpoch(tick).toString(format);
        const qreal w = fontMetrics().horizontalAdvance(label);
        if (x - w / 2 > axis.left() + fontMetrics().horizontalAdvance(tr("now")) + 12 && x + w / 2 < axis.right())
            p.drawText(QPointF(x - w / 2, axis.top() - 6), label);
    }

    // Now.
    const QColor accent = pal.color(QPalette::Highlight);
    p.setPen(QPen(accent, 2));
    p.drawLine(QPointF(axis.left(), frame.top() + 6), QPointF(axis.left(), frame.bottom() - 6));
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QPointF(axis.left() + 4, axis.top() - 6), tr("now"));

    // Marks; labels of close marks would overlap, so a label is drawn only
    // where there is room since the last one.
    const QColor scheduled = QColor(0x2e, 0x86, 0xc1);
    const QColor preview = QColor(0x27, 0xae, 0x60);
    const QColor failed = QColor(0xc0, 0x39, 0x2b);
    qreal lastLabelEnd = axis.left() - 1;
    int later = 0;
    for (const Mark& m : m_marks) {
        if (m.ms > m_end) {
            ++later;
            continue;
        }
        const qreal x = xOf(m.ms, axis);
        const QColor c = m.kind == Mark::Preview ? preview : m.kind == Mark::Failed ? failed : scheduled;
        p.setPen(QPen(c, 1.5, m.kind == Mark::Preview ? Qt::DashLine : Qt::SolidLine));
        p.drawLine(QPointF(x, axis.top()), QPointF(x, axis.top() + 14));
        p.setBrush(m.kind == Mark::Preview ? pal.color(QPalette::Base) : c);
        p.setPen(QPen(c, 1.5));
        p.drawEllipse(QPointF(x, axis.top()), 5, 5);
        if (!m.label.isEmpty() && x >= lastLabelEnd) {
            const QString text = fontMetrics().elidedText(m.label, Qt::ElideRight, 120);
            p.setPen(pal.color(QPalette::Text));
            p.drawText(QPointF(x + 2, axis.top() + 14 + fh - 2), text);
            lastLabelEnd = x + fontMetrics().horizontalAdvance(text) + 8;
        }
    }
    if (later > 0) {
        const QString text = tr("+%n later", nullptr, later);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QPointF(frame.right() - fontMetrics().horizontalAdvance(text) - 8, frame.bottom() - 8), text);
    }
}

} // namespace outpost::ui
