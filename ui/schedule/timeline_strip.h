#pragma once
// A horizontal strip of upcoming fire times: "now" at the left edge, the
// horizon at the right (an hour at least, a week at most, fitted to the
// marks), schedules as filled markers, a previewed schedule as hollow ones.
// Marks past the horizon are counted at the right edge.
#include <QList>
#include <QWidget>

namespace outpost::ui {

class TimelineStrip : public QWidget {
    Q_OBJECT

public:
    struct Mark {
        qint64 ms = 0;
        QString label;
        enum Kind { Scheduled, Preview, Failed } kind = Scheduled;
        bool fitsHorizon = true; // false: drawn if inside, but never widens the horizon (later repeats of a cron schedule)
    };

    explicit TimelineStrip(QWidget* parent = nullptr);

    // Sets the marks and fits the horizon to them, from `nowMs`.
    void setMarks(qint64 nowMs, QList<Mark> marks);
    const QList<Mark>& marks() const { return m_marks; }
    qint64 startMs() const { return m_start; }
    qint64 endMs() const { return m_end; }
    // Marks that fall inside the horizon.
    int visibleMarks() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    qreal xOf(qint64 ms, const QRectF& axis) const;

    qint64 m_start = 0;
    qint64 m_end = 3'600'000;
    QList<Mark> m_marks;
};

} // namespace outpost::ui
