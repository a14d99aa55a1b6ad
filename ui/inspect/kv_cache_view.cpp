#include "ui/inspect/kv_cache_view.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QGridLayout>
#include <QHash>
#include <QLabel>
#include <QPainter>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace outpost::ui {

namespace {

constexpr int kPollMs = 500;

QString bucketLabel(const std::vector<double>& upperMs, std::size_t index)
{
    if (index < upperMs.size())
        return QStringLiteral("≤%1").arg(upperMs[index], 0, 'g', 6);
    return upperMs.empty() ? QStringLiteral("*") : QStringLiteral(">%1").arg(upperMs.back(), 0, 'g', 6);
}

} // namespace

// ---------------------------------------------------------------- KvBlockMap

KvBlockMap::KvBlockMap(QWidget* parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setToolTip(tr("KV blocks: one cell per block, coloured by the sequence holding it; prefix blocks shared by several "
                  "sequences in the text colour, cached blocks in grey, free blocks empty"));
}

void KvBlockMap::setStats(const inference::EngineStats& stats)
{
    const int total = std::max(0, stats.kvBlocksTotal);
    m_cells.assign(std::size_t(total), Cell{});
    m_requests.clear();
    for (const auto& q : stats.sequences)
        m_requests.push_back(q.request);
    if (int(stats.kvBlockOwners.size()) == total) {
        const int sequences = int(stats.sequences.size());
        for (int b = 0; b < total; ++b) {
            const std::int32_t owner = stats.kvBlockOwners[std::size_t(b)];
            Cell& c = m_cells[std::size_t(b)];
            if (owner >= 0 && owner < sequences)
                c = Cell{Cell::Sequence, owner};
            else if (owner == inference::EngineStats::kBlockShared)
                c.kind = Cell::Shared;
            else if (owner == inference::EngineStats::kBlockCached)
                c.kind = Cell::Cached;
        }
        update();
        return;
    }
    int at = 0;
    for (std::size_t s = 0; s < stats.sequences.size(); ++s) {
        for (int b = 0; b < stats.sequences[s].blocks && at < total; ++b)
            m_cells[std::size_t(at++)] = Cell{Cell::Sequence, int(s)};
    }
    for (int b = 0; b < stats.kvBlocksCached && at < total; ++b)
        m_cells[std::size_t(at++)] = Cell{Cell::Cached, -1};
    // The rest stays Free.
    update();
}

KvBlockMap::Cell KvBlockMap::cell(int index) const
{
    if (index < 0 || index >= int(m_cells.size()))
        return Cell{};
    return m_cells[std::size_t(index)];
}

QColor KvBlockMap::sequenceColor(std::uint64_t requestId)
{
    // Golden-ratio hue steps keep consecutive ids far apart on the wheel.
    const double hue = std::fmod(double(requestId % 100000) * 0.6180339887, 1.0);
    return QColor::fromHsvF(float(hue), 0.65f, 0.9f);
}

QColor KvBlockMap::cellColor(int index) const
{
    const Cell c = cell(index);
    switch (c.kind) {
    case Cell::Sequence:
        return sequenceColor(m_requests[std::size_t(c.sequence)]);
    case Cell::Shared: {
        // Between text and background: stands out from the sequences' hues
        // and from cached grey in light and dark palettes alike.
        const QColor text = palette().color(QPalette::Text), base = palette().color(QPalette::Base);
        return QColor::fromRgbF(0.75f * text.redF() + 0.25f * base.redF(), 0.75f * text.greenF() + 0.25f * base.greenF(),
                                0.75f * text.blueF() + 0.25f * base.blueF());
    }
    case Cell::Cached:
        return palette().color(QPalette::Mid);
    case Cell::Free:
        break;
    }
    return palette().color(QPalette::Base);
}

QSize KvBlockMap::minimumSizeHint() const
{
    return {120, 60};
}

void KvBlockMap::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Window));
    const int n = int(m_cells.size());
    if (n == 0) {
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(rect(), Qt::AlignCenter, tr("No KV cache"));
        return;
    }
    // Square cells as large as fit: columns from the area per cell.
    const double w = std::max(1, width() - 2), h = std::max(1, height() - 2);
    int cols = std::max(1, int(std::ceil(std::sqrt(double(n) * w / h))));
    int rows = (n + cols - 1) / cols;
    const int side = std::max(1, int(std::min(w / cols, h / rows)));
    cols = std::max(1, int(w) / side);
    rows = (n + cols - 1) / cols;
    const bool gaps = side >= 4;
    // Mid, not Dark: a dark palette's Dark is about its Base, and the free
    // cells would melt into one area.
    const QColor border = palette().color(QPalette::Mid);
    for (int i = 0; i < n; ++i) {
        const QRect r(1 + (i % cols) * side, 1 + (i / cols) * side, gaps ? side - 1 : side, gaps ? side - 1 : side);
        p.fillRect(r, cellColor(i));
        if (gaps && m_cells[std::size_t(i)].kind == Cell::Free) {
            p.setPen(border);
            p.drawRect(r.adjusted(0, 0, -1, -1));
        }
    }
}

// --------------------------------------------------------------- KvCacheView

struct KvCacheView::Series {
    QHash<QString, std::deque<double>> values;
    QHash<QString, QCPGraph*> graphs;
};

KvCacheView::KvCacheView(QWidget* parent)
    : QWidget(parent)
    , m_series(std::make_unique<Series>())
{
    auto makePlot = [this](const QString& title, const QString& yLabel) {
        auto* plot = new QCustomPlot(this);
        plot->setMinimumSize(220, 150);
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title));
        plot->xAxis->setLabel(tr("seconds"));
        plot->yAxis->setLabel(yLabel);
        return plot;
    };
    m_blocksPlot = makePlot(tr("KV blocks"), tr("blocks"));
    m_seqPlot = makePlot(tr("Sequences"), tr("sequences"));
    m_tpsPlot = makePlot(tr("Generation speed"), tr("tokens/s"));
    m_hitPlot = makePlot(tr("Prefix-cache hit rate"), tr("%"));
    m_ttftPlot = makePlot(tr("Time to first token"), tr("requests"));
    m_ttftPlot->xAxis->setLabel(tr("ms"));

    auto addGraph = [this](QCustomPlot* plot, const QString& key, const QString& name, const QColor& color) {
        QCPGraph* g = plot->addGraph();
        g->setName(name);
        g->setPen(QPen(color, 2));
        m_series->graphs.insert(key, g);
        m_series->values.insert(key, {});
    };
    addGraph(m_blocksPlot, QStringLiteral("used"), tr("used"), QColor(0xe0, 0x60, 0x40));
    addGraph(m_blocksPlot, QStringLiteral("cached"), tr("cached"), QColor(0x40, 0x90, 0xe0));
    addGraph(m_blocksPlot, QStringLiteral("free"), tr("free"), QColor(0x60, 0xb0, 0x60));
    addGraph(m_seqPlot, QStringLiteral("running"), tr("running"), QColor(0xe0, 0x60, 0x40));
    addGraph(m_seqPlot, QStringLiteral("waiting"), tr("waiting"), QColor(0xd0, 0xa0, 0x20));
    addGraph(m_seqPlot, QStringLiteral("batch"), tr("batch size"), QColor(0x90, 0x60, 0xd0));
    addGraph(m_tpsPlot, QStringLiteral("tokens"), tr("tokens/s"), QColor(0x40, 0x90, 0xe0));
    addGraph(m_hitPlot, QStringLiteral("hitrate"), tr("hit rate"), QColor(0x60, 0xb0, 0x60));
    m_hitPlot->yAxis->setRange(0, 100);
    for (QCustomPlot* plot : {m_blocksPlot, m_seqPlot}) {
        plot->legend->setVisible(true);
        QFont small = font();
        small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
        plot->legend->setFont(small);
        plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    }
    auto* bars = new QCPBars(m_ttftPlot->xAxis, m_ttftPlot->yAxis);
    bars->setName(tr("TTFT"));
    bars->setPen(Qt::NoPen);
    bars->setBrush(QColor(0x40, 0x90, 0xe0));

    m_blockMap = new KvBlockMap(this);
    m_summary = new QLabel(this);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* mapBox = new QWidget(this);
    auto* mapLayout = new QVBoxLayout(mapBox);
    mapLayout->setContentsMargins(0, 0, 0, 0);
    auto* mapTitle = new QLabel(tr("Block map"), mapBox);
    mapTitle->setAlignment(Qt::AlignCenter);
    mapLayout->addWidget(mapTitle);
    mapLayout->addWidget(m_blockMap, 1);

    auto* grid = new QGridLayout;
    grid->addWidget(m_blocksPlot, 0, 0);
    grid->addWidget(m_seqPlot, 0, 1);
    grid->addWidget(m_tpsPlot, 0, 2);
    grid->addWidget(m_hitPlot, 1, 0);
    grid->addWidget(m_ttftPlot, 1, 1);
    grid->addWidget(mapBox, 1, 2);
    auto* layout = new QVBoxLayout(this);
    for (int c = 0; c < 3; ++c)
        grid->setColumnStretch(c, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);
    layout->addLayout(grid, 1);
    layout->addWidget(m_summary);

    m_timer = new QTimer(this);
    m_timer->setInterval(kPollMs);
    connect(m_timer, &QTimer::timeout, this, &KvCacheView::pollEngine);

    applyPalette();
    clear();
}

KvCacheView::~KvCacheView() = default;

void KvCacheView::setEngine(std::shared_ptr<inference::Engine> engine)
{
    m_engine = std::move(engine);
    m_clock.start();
    if (m_engine && isVisible())
        m_timer->start();
    else
        m_timer->stop();
}

void KvCacheView::pollEngine()
{
    if (!m_engine)
        return;
    addSample(m_engine->stats(), double(m_clock.elapsed()) / 1000.0);
}

void KvCacheView::setMaxSamples(int count)
{
    m_maxSamples = std::max(2, count);
    while (int(m_times.size()) > m_maxSamples) {
        m_times.pop_front();
        for (auto& v : m_series->values)
            v.pop_front();
    }
    rebuild();
}

void KvCacheView::clear()
{
    m_times.clear();
    for (auto& v : m_series->values)
        v.clear();
    m_ttftValues.clear();
    if (auto* bars = qobject_cast<QCPBars*>(m_ttftPlot->plottable(0)))
        bars->data()->clear();
    m_blockMap->setStats({});
    m_summary->setText(tr("No samples yet"));
    rebuild();
}

void KvCacheView::addSample(const inference::EngineStats& s, double secondsSinceStart)
{
    m_times.push_back(secondsSinceStart);
    auto push = [this](const char* key, double value) { m_series->values[QLatin1String(key)].push_back(value); };
    push("used", s.kvBlocksUsed);
    push("cached", s.kvBlocksCached);
    push("free", s.kvBlocksFree);
    push("running", s.requestsRunning);
    push("waiting", s.requestsQueued);
    push("batch", s.lastStepSequences);
    push("tokens", s.tokensPerSecond);
    const std::uint64_t lookups = s.prefixHits + s.prefixMisses;
    push("hitrate", lookups ? 100.0 * double(s.prefixHits) / double(lookups) : 0.0);
    while (int(m_times.size()) > m_maxSamples) {
        m_times.pop_front();
        for (auto& v : m_series->values)
            v.pop_front();
    }

    // TTFT histogram: bar i at x = i, labelled with its bucket bound.
    m_ttftValues.clear();
    QVector<double> keys;
    QVector<QString> labels;
    for (std::size_t i = 0; i < s.ttft.counts.size(); ++i) {
        keys.push_back(double(i));
        m_ttftValues.push_back(double(s.ttft.counts[i]));
        labels.push_back(bucketLabel(s.ttft.upperMs, i));
    }
    if (auto* bars = qobject_cast<QCPBars*>(m_ttftPlot->plottable(0))) {
        bars->setData(keys, m_ttftValues, true);
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        ticker->addTicks(keys, labels);
        m_ttftPlot->xAxis->setTicker(ticker);
        m_ttftPlot->xAxis->setTickLabelRotation(keys.size() > 6 ? 90 : 0);
        m_ttftPlot->xAxis->setRange(-0.6, std::max(1.0, double(keys.size()) - 0.4));
        const double top = m_ttftValues.isEmpty() ? 1.0 : *std::max_element(m_ttftValues.begin(), m_ttftValues.end());
        m_ttftPlot->yAxis->setRange(0, std::max(1.0, top * 1.1));
        m_ttftPlot->replot(QCustomPlot::rpQueuedReplot);
    }

    m_blockMap->setStats(s);
    m_summary->setText(tr("%1 blocks of %2 tokens (%3 MiB) · %4 used, %5 cached, %6 free · "
                          "%7 running, %8 waiting · prefix hits %9 / misses %10 · "
                          "preemptions %11 · evictions %12 · mean TTFT %13 ms")
                           .arg(s.kvBlocksTotal)
                           .arg(s.kvBlockTokens)
                           .arg(double(s.kvBytesTotal) / (1024.0 * 1024.0), 0, 'f', 1)
                           .arg(s.kvBlocksUsed)
                           .arg(s.kvBlocksCached)
                           .arg(s.kvBlocksFree)
                           .arg(s.requestsRunning)
                           .arg(s.requestsQueued)
                           .arg(s.prefixHits)
                           .arg(s.prefixMisses)
                           .arg(s.preemptions)
                           .arg(s.evictions)
                           .arg(s.ttft.meanMs(), 0, 'f', 1));
    rebuild();
}

void KvCacheView::rebuild()
{
    const QVector<double> keys(m_times.begin(), m_times.end());
    for (auto it = m_series->graphs.cbegin(); it != m_series->graphs.cend(); ++it) {
        const auto& v = m_series->values[it.key()];
        it.value()->setData(keys, QVector<double>(v.begin(), v.end()), true);
    }
    const double x0 = keys.isEmpty() ? 0.0 : keys.front();
    const double x1 = keys.isEmpty() ? 1.0 : std::max(keys.back(), x0 + 1.0);
    for (QCustomPlot* plot : {m_blocksPlot, m_seqPlot, m_tpsPlot, m_hitPlot}) {
        plot->xAxis->setRange(x0, x1);
        if (plot != m_hitPlot) {
            bool found = false;
            double top = 1.0;
            for (int g = 0; g < plot->graphCount(); ++g) {
                const QCPRange gr = plot->graph(g)->getValueRange(found);
                if (found)
                    top = std::max(top, gr.upper);
            }
            plot->yAxis->setRange(0, top * 1.1);
        }
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

int KvCacheView::graphPointCount(const QString& name) const
{
    const QCPGraph* g = m_series->graphs.value(name, nullptr);
    return g ? g->data()->size() : 0;
}

double KvCacheView::graphLastValue(const QString& name) const
{
    const QCPGraph* g = m_series->graphs.value(name, nullptr);
    if (!g || g->data()->isEmpty())
        return 0.0;
    return (g->data()->constEnd() - 1)->value;
}

QVector<double> KvCacheView::ttftBarValues() const
{
    return m_ttftValues;
}

void KvCacheView::applyPalette()
{
    const QPalette pal = palette();
    const QColor bg = pal.color(QPalette::Base);
    const QColor fg = pal.color(QPalette::Text);
    QColor gridColor = pal.color(QPalette::Mid);
    for (QCustomPlot* plot : {m_blocksPlot, m_seqPlot, m_tpsPlot, m_hitPlot, m_ttftPlot}) {
        plot->setBackground(bg);
        for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
            axis->setBasePen(QPen(fg));
            axis->setTickPen(QPen(fg));
            axis->setSubTickPen(QPen(fg));
            axis->setTickLabelColor(fg);
            axis->setLabelColor(fg);
            axis->grid()->setPen(QPen(gridColor, 0, Qt::DotLine));
            // QCustomPlot's default zero line is a fixed light grey: glaring
            // on a dark background (and through the first TTFT bar).
            axis->grid()->setZeroLinePen(QPen(gridColor, 0, Qt::DotLine));
        }
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0)))
            title->setTextColor(fg);
        QColor legendBg = bg;
        legendBg.setAlpha(200); // lines stay visible under the legend
        plot->legend->setBrush(legendBg);
        plot->legend->setTextColor(fg);
        plot->legend->setBorderPen(QPen(gridColor));
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
    m_blockMap->update();
}

void KvCacheView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_engine)
        m_timer->start();
}

void KvCacheView::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

void KvCacheView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_blocksPlot)
        applyPalette();
}

} // namespace outpost::ui
