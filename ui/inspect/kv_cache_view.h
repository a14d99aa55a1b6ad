#pragma once
// The KV-cache view: plots of an inference::Engine's KV cache and scheduler
// over time, built from EngineStats snapshots.
//
// Plots: KV blocks used / cached / free; running and waiting sequences and
// the last step's batch size; generated tokens per second; the prefix-cache
// hit rate (hits / (hits + misses) since load, in percent); a histogram of
// the time to first token; and a block map, one cell per KV block in block
// order, coloured by the sequence that holds it (EngineStats::kvBlockOwners),
// with prefix blocks shared by several sequences, cached and free blocks in
// neutral colours taken from the palette.
//
// Plots and map take their colours from the palette and follow it when it
// changes (a theme switch).
//
// Feed it with addSample() (any thread's stats, called on the GUI thread), or
// give it an engine with setEngine(): it then polls Engine::stats() every
// 500 ms while it is visible. It keeps the last maxSamples() samples.
#include "inference/engine.h"

#include <QColor>
#include <QElapsedTimer>
#include <QVector>
#include <QWidget>

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

class QCustomPlot;
class QLabel;
class QTimer;

namespace outpost::ui {

// The block map: a grid of cells, one per KV block.
class KvBlockMap : public QWidget {
    Q_OBJECT
public:
    // What a cell shows: a sequence's block (index into the sequences of the
    // last snapshot), a prefix block shared by several sequences, a cached
    // block or a free one.
    struct Cell {
        enum Kind { Sequence, Shared, Cached, Free } kind = Free;
        int sequence = -1;
    };

    explicit KvBlockMap(QWidget* parent = nullptr);

    // Shows the blocks of a snapshot, cell i for block i, from its
    // kvBlockOwners. A snapshot without owners (one made by hand, or of an
    // engine that does not fill them) is laid out from the per-sequence
    // counts instead: each sequence's blocks together, then the cached ones,
    // then the free ones (shares of the cache, not placement); sequence
    // blocks beyond kvBlocksTotal are cut at the total.
    void setStats(const inference::EngineStats& stats);

    int cellCount() const { return int(m_cells.size()); }
    Cell cell(int index) const; // Free for an index out of range
    // The colour a cell is drawn with (from the palette for cached and free).
    QColor cellColor(int index) const;
    // A sequence's colour: fixed per request id, so it stays the same while
    // the request lives.
    static QColor sequenceColor(std::uint64_t requestId);

    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    std::vector<Cell> m_cells;
    std::vector<std::uint64_t> m_requests; // request id per sequence index
};

class KvCacheView : public QWidget {
    Q_OBJECT
public:
    explicit KvCacheView(QWidget* parent = nullptr);
    ~KvCacheView() override;

    // Polls engine->stats() every 500 ms while the view is visible; nullptr
    // stops polling. Time is measured from this call.
    void setEngine(std::shared_ptr<inference::Engine> engine);

    void setMaxSamples(int count); // at least 2; drops the oldest beyond it
    int maxSamples() const { return m_maxSamples; }
    int sampleCount() const { return int(m_times.size()); }
    void clear();

    // For tests and tooling: number of points in a plot's graph, and its last
    // value (0 when empty). Graphs: "used", "cached", "free", "running",
    // "waiting", "batch", "tokens", "hitrate"; unknown names give 0.
    int graphPointCount(const QString& name) const;
    double graphLastValue(const QString& name) const;
    // The TTFT histogram's bar heights (counts per bucket, overflow last).
    QVector<double> ttftBarValues() const;
    const KvBlockMap* blockMap() const { return m_blockMap; }

public slots:
    void addSample(const outpost::inference::EngineStats& stats, double secondsSinceStart);
    void pollEngine();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Series;
    void rebuild();
    void applyPalette();

    int m_maxSamples = 600;
    std::deque<double> m_times;
    std::unique_ptr<Series> m_series; // values per graph, and the graphs

    QCustomPlot* m_blocksPlot = nullptr;
    QCustomPlot* m_seqPlot = nullptr;
    QCustomPlot* m_tpsPlot = nullptr;
    QCustomPlot* m_hitPlot = nullptr;
    QCustomPlot* m_ttftPlot = nullptr;
    KvBlockMap* m_blockMap = nullptr;
    QLabel* m_summary = nullptr;
    QVector<double> m_ttftValues;

    std::shared_ptr<inference::Engine> m_engine;
    QTimer* m_timer = nullptr;
    QElapsedTimer m_clock; // started by setEngine()
};

} // namespace outpost::ui
