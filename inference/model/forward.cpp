// Model::forward: the llama-family decoder on the CPU.
//
// Numerics follow the reference implementation closely where it is cheap to
// do so (RMSNorm sums in double, rope angles advanced by repeated float
// multiplication, softmax sums in double), so that logits agree with it to
// about 1e-5 on F32 weights rather than merely "closely".
#include "inference/model/model.h"
#include "inference/runtime/thread_pool.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>

namespace outpost::inference::model {

namespace {

// Inputs per gemm call: bounds the prepared activations touched per weight
// row so they stay in L1/L2 while a row range streams through.
constexpr std::size_t kGemmTile = 32;
// Bytes of weights (times inputs) per parallel-for piece at least: below
// this, handing a piece to another thread costs more than it saves, so small
// matrices (and small models) run on one thread.
constexpr std::size_t kMinPieceBytes = 16384;
// Half-precision attention dots shorter than this are summed in double:
// llama.cpp's F16 dot sums rows shorter than its SIMD step (64) that way, and
// matching it keeps logits of small-head models within 1e-4 of its own.
constexpr int kShortHalfDot = 64;
// Work items (multiply-adds) per attention or element-wise piece at least.
constexpr std::size_t kMinPieceWork = 16384;
// Activation values per piece of input preparation at least (quantising a
// value costs several operations: a 16-token batch of 768-wide rows is
// worth splitting, which kMinPieceWork would not do).
constexpr std::size_t kMinPrepareValues = 4096;

void rmsNorm(const float* x, const float* w, float* out, int n, float eps)
{
    const double sum = sumSquaresRow(x, n);
    const float mean = static_cast<float>(sum / n);
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (int i = 0; i < n; ++i)
        out[i] = (x[i] * scale) * w[i];
}

// Every half-precision value as a float (256 KiB, exact): the attention of
// small heads converts one element at a time, where a call per element (or
// a SIMD row conversion of 8 values) costs more than the arithmetic.
const float* halfTable()
{
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        for (std::uint32_t i = 0; i < 65536; ++i)
            t[i] = halfToFloat(static_cast<std::uint16_t>(i));
        return t;
    }();
    return table.data();
}

// Asks for `rows` rows of `bytes` each, `stride` bytes apart, to be brought
// into L2: the attention reads each KV block once per step, from memory (a
// batch's cache is larger than the caches), and the hardware prefetcher
// does not cross into the next block, which lies anywhere. Not into L1: a
// 16-token block of 12 heads of 64 is 24 KiB, and the next one brought into
// L1 evicts the block in use (on a 32 KiB-L1 core, attention took 0.38 of
// the matmuls' time with L1 prefetches, 0.31 with L2 ones).
void prefetchRows(const void* first, int rows, std::size_t bytes, std::size_t stride)
{
    const auto* p = static_cast<const char*>(first);
    for (int r = 0; r < rows; ++r, p += stride)
        for (std::size_t o = 0; o < bytes; o += 64)
            __builtin_prefetch(p + o, 0, 2);
}

// The same into L2 for a block's contiguous plane of `bytes`, one line in
// four: the L2 stream prefetcher fills in the rest of a contiguous run, and
// a prefetch per line measured no faster for four times the instructions.
void prefetchPlaneL2(const void* first, std::size_t bytes)
{
    const auto* p = static_cast<const char*>(first);
    for (std::size_t o = 0; o < bytes; o += 256)
        __builtin_prefetch(p + o, 0, 2);
}

// Heads up to this wide read value rows through halfTable() instead of a
// row conversion.
constexpr int kTableRow = 32;

} // namespace

// The forward pass's working state; one per call.
struct ForwardPass {
    const Model& m;
    const ModelConfig& c;
    std::span<const BatchToken> batch;
    std::span<kv::BlockTable* const> tables;
    kv::KvCache& cache;
    runtime::ThreadPool& pool;
    Workspace& ws;
    int n = 0;

    // Prepared inputs for activation rows x[0..n) of `cols` floats against
    // weights of `type`; reused across matmuls that read the same activations
    // (Q, K and V) until invalidate().
    Workspace::PreparedSet& prepared(TensorType type, const float* x, std::int64_t cols)
    {
        for (std::size_t i = 0; i < ws.preparedUsed; ++i)
            if (ws.prepared[i].type == type)
                return ws.prepared[i];
        if (ws.preparedUsed == ws.prepared.size())
            ws.prepared.push_back({type, {}, {}, 0});
        auto& set = ws.prepared[ws.preparedUsed++];
        set.type = type;
        set.tilesCount = 0;
        set.inputs.resize(static_cast<std::size_t>(n));
        const std::size_t grain = std::max<std::size_t>(1, kMinPrepareValues / static_cast<std::size_t>(cols));
        pool.parallelFor(static_cast<std::size_t>(n), grain, [&](std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i)
                prepareInput(type, x + i * static_cast<std::size_t>(cols), cols, set.inputs[i]);
        });
        return set;
    }
    void invalidate() { ws.preparedUsed = 0; }

    // One matrix product of a matmuls() call: y[b][r] = W[r] . x[b] for b in
    // [0, count), r in [0, W.rows).
    struct Product {
        const WeightView& w;
        float* y;
    };

    // The products of matrices that read the same activations (Q, K and V;
    // gate and up) as one parallel job over all their rows: the threads
    // meet once for all of them instead of once per matrix, and a thread
    // done with its share of one matrix goes on with the next. Each piece
    // of rows runs exactly as a single product would (packed groups whole,
    // assigned by their first row), so neither the cut nor the company
    // changes a result.
    void matmuls(std::initializer_list<Product> products, const float* x, std::size_t count)
    {
        struct Part {
            const WeightView* w;
            float* y;
            Workspace::PreparedSet* set;
            bool packed;
            std::size_t first;  // the first row of this matrix in the job's row space
        };
        // Prepare every input form first: prepared() may grow ws.prepared,
        // which would leave earlier references dangling.
        for (const auto& p : products)
            prepared(p.w.type, x, p.w.cols);
        std::array<Part, 3> parts{};
        std::size_t nparts = 0, total = 0, bytesPerRow = 0;
        for (const auto& p : products) {
            auto& set = prepared(p.w.type, x, p.w.cols);
            const bool packed = p.w.packed && packedGroupsAvailable(p.w.type);
            if (packed && set.tilesCount != count) {
                // The batch in the tile kernels' form, once for every thread
                // and for the products that share these inputs.
                prepareTiles(p.w.type, std::span<const PreparedInput>(set.inputs.data(), count), set.tiles);
                set.tilesCount = count;
            }
            parts.at(nparts++) = {&p.w, p.y, &set, packed, total};
            total += static_cast<std::size_t>(p.w.rows);
            bytesPerRow = std::max(bytesPerRow, p.w.rowBytes);
        }
        const auto groupRows = static_cast<std::size_t>(packedGroupRows());
        // Pieces of whole groups' worth of rows at least, and of
        // kMinPieceBytes of weights times inputs.
        const std::size_t grain = std::max(groupRows, kMinPieceBytes / std::max<std::size_t>(1, bytesPerRow * count));
        pool.parallelFor(total, grain, [&](std::size_t b, std::size_t e) {
            for (std::size_t i = 0; i < nparts; ++i) {
                const Part& p = parts[i];
                const auto rows = static_cast<std::size_t>(p.w->rows);
                if (e <= p.first || b >= p.first + rows)
                    continue;
                const std::size_t r0 = std::max(b, p.first) - p.first, r1 = std::min(e, p.first + rows) - p.first;
                const std::span<const PreparedInput> in(p.set->inputs.data(), count);
                if (p.packed) {
                    // The groups whose first row lies in [r0, r1).
                    const std::size_t g0 = (r0 + groupRows - 1) / groupRows, g1 = (r1 + groupRows - 1) / groupRows;
                    if (g0 < g1)
                        gemmPacked(p.w->type, p.w->packed, p.w->packedGroupBytes, static_cast<std::int64_t>(g0 * groupRows),
                                   static_cast<std::int64_t>(std::min(rows, g1 * groupRows)), in, p.y, rows,
                                   p.set->tiles.empty() ? nullptr : &p.set->tiles);
                    continue;
                }
                for (std::size_t t0 = 0; t0 < count; t0 += kGemmTile) {
                    const std::size_t tn = std::min(kGemmTile, count - t0);
                    gemm(p.w->type, p.w->data, p.w->rowBytes, static_cast<std::int64_t>(r0), static_cast<std::int64_t>(r1),
                         in.subspan(t0, tn), p.y + t0 * rows, rows);
                }
            }
        });
    }

    void matmul(const WeightView& w, const float* x, std::size_t count, float* y) { matmuls({{w, y}}, x, count); }

    // cos/sin of every rotated pair for every batch position.
    void ropeTables()
    {
        const int pairs = c.ropeDim / 2;
        ws.rope.resize(static_cast<std::size_t>(n) * static_cast<std::size_t>(pairs) * 2);
        const float thetaScale = std::pow(c.ropeBase, -2.0f / static_cast<float>(c.ropeDim));
        for (int t = 0; t < n; ++t) {
            float theta = static_cast<float>(batch[static_cast<std::size_t>(t)].pos);
            float* cs = ws.rope.data() + static_cast<std::size_t>(t) * static_cast<std::size_t>(pairs) * 2;
            for (int i = 0; i < pairs; ++i) {
                const float ff = c.ropeFreqFactors.empty() ? 1.0f : c.ropeFreqFactors[static_cast<std::size_t>(i)];
                const float angle = c.ropeFreqScale * (theta / ff);
                cs[2 * i] = std::cos(angle);
                cs[2 * i + 1] = std::sin(angle);
                theta *= thetaScale;
            }
        }
    }

    void rope(float* head, const float* cs) const
    {
        const int pairs = c.ropeDim / 2;
        for (int i = 0; i < pairs; ++i) {
            const int a = c.ropeStyle == RopeStyle::Normal ? 2 * i : i;
            const int b = c.ropeStyle == RopeStyle::Normal ? 2 * i + 1 : i + pairs;
            const float x0 = head[a], x1 = head[b];
            head[a] = x0 * cs[2 * i] - x1 * cs[2 * i + 1];
            head[b] = x0 * cs[2 * i + 1] + x1 * cs[2 * i];
        }
    }

    // How the chunked attention paths split their work: an item is one
    // token and a chunk of its heads, with enough items for every thread (a
    // single sequence splits its heads); `span` positions of scores per head.
    struct HeadChunks {
        int chunks = 1, perChunk = 1;
        std::size_t work = 0, grain = 1, span = 1;
    };
    HeadChunks headChunks() const
    {
        int maxPos = 0;
        std::size_t totalPositions = 0;
        for (const auto& bt : batch) {
            maxPos = std::max(maxPos, bt.pos);
            totalPositions += static_cast<std::size_t>(bt.pos) + 1;
        }
        HeadChunks hc;
        const int wanted = std::clamp((2 * pool.size() + n - 1) / n, 1, c.heads);
        hc.perChunk = (c.heads + wanted - 1) / wanted;
        hc.chunks = (c.heads + hc.perChunk - 1) / hc.perChunk; // none of them empty
        hc.work = static_cast<std::size_t>(n) * static_cast<std::size_t>(hc.chunks);
        const std::size_t perItem = std::max<std::size_t>(1, totalPositions / static_cast<std::size_t>(n))
            * static_cast<std::size_t>(c.headDim) * 2 * static_cast<std::size_t>(hc.perChunk);
        hc.grain = std::max<std::size_t>(1, kMinPieceWork / perItem);
        hc.span = static_cast<std::size_t>(maxPos) + 1;
        return hc;
    }
    // Item i of a split: its token, heads [h0, h1) (never empty), the
    // token's block table and the positions it attends to.
    struct ChunkItem {
        int t = 0, h0 = 0, h1 = 0, positions = 0;
        const kv::BlockTable* table = nullptr;
    };
    ChunkItem chunkItem(const HeadChunks& split, std::size_t item) const
    {
        ChunkItem it;
        it.t = static_cast<int>(item / static_cast<std::size_t>(split.chunks));
        it.h0 = static_cast<int>(item % static_cast<std::size_t>(split.chunks)) * split.perChunk;
        it.h1 = std::min(c.heads, it.h0 + split.perChunk);
        const auto& bt = batch[static_cast<std::size_t>(it.t)];
        it.table = tables[static_cast<std::size_t>(bt.seq)];
        it.positions = bt.pos + 1;
        return it;
    }

    // Attention over an F16 cache with heads of kShortHalfDot values or
    // more, for a chunk of heads of one token at a time: each KV block's
    // rows are visited once for all heads of the chunk (block-outer order),
    // so the block's contiguous memory is read while it is in L1 instead of
    // once per head with a stride. Every head's arithmetic is exactly that
    // of attention()'s per-head path (same calls with the same arguments),
    // so results do not depend on the chunking.
    void attentionF16Wide(int layer)
    {
        const int hd = c.headDim;
        const int group = c.heads / c.kvHeads;
        const int blockTokens = cache.config().blockTokens;
        const std::size_t kvDim = static_cast<std::size_t>(c.kvDim());
        const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
        const std::size_t qDim = static_cast<std::size_t>(c.qDim());
        const auto uhd = static_cast<std::size_t>(hd);
        const HeadChunks split = headChunks();
        const int chunks = split.chunks, perChunk = split.perChunk;
        const std::size_t span = split.span;

        pool.parallelFor(split.work, split.grain, [&](std::size_t begin, std::size_t end) {
            thread_local std::vector<float> scores, qrows;
            thread_local std::vector<std::uint16_t> half, probHalf;
            thread_local std::vector<double> vacc;
            const auto pc = static_cast<std::size_t>(perChunk);
            if (scores.size() < pc * span)
                scores.resize(pc * span);
            if (qrows.size() < pc * uhd)
                qrows.resize(pc * uhd);
            if (half.size() < uhd)
                half.resize(uhd);
            if (probHalf.size() < span)
                probHalf.resize(span);
            if (vacc.size() < pc * uhd)
                vacc.resize(pc * uhd);
            for (std::size_t item = begin; item < end; ++item) {
                const ChunkItem it = chunkItem(split, item);
                const int t = it.t, h0 = it.h0, h1 = it.h1, positions = it.positions;
                const kv::BlockTable& table = *it.table;
                if (item + 1 < end) {
                    // Everything the next item reads, into L2 while this
                    // one computes: one core's misses to L1 alone cannot
                    // keep enough lines in flight to stream the cache.
                    const auto& nt = batch[(item + 1) / static_cast<std::size_t>(chunks)];
                    const kv::BlockTable& ntable = *tables[static_cast<std::size_t>(nt.seq)];
                    for (int j0 = 0; j0 <= nt.pos; j0 += blockTokens) {
                        const int nblock = ntable.blocks[static_cast<std::size_t>(j0 / blockTokens)];
                        const int rowsUsed = std::min(blockTokens, nt.pos + 1 - j0);
                        prefetchPlaneL2(cache.key(nblock, layer, 0), static_cast<std::size_t>(rowsUsed) * kvDim * 2);
                        prefetchPlaneL2(cache.value(nblock, layer, 0), static_cast<std::size_t>(rowsUsed) * kvDim * 2);
                    }
                }
                auto headScores = [&](int h) { return scores.data() + static_cast<std::size_t>(h - h0) * span; };
                auto kvOffset = [&](int h) { return static_cast<std::size_t>(h / group) * uhd; };
                // The query rounded to half, as the reference does with an F16 cache.
                for (int h = h0; h < h1; ++h) {
                    const float* q = ws.q.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * uhd;
                    floatToHalfRow(q, half.data(), hd);
                    halfToFloatRow(half.data(), qrows.data() + static_cast<std::size_t>(h - h0) * uhd, hd);
                }
                // The bytes of a block row this chunk of heads reads.
                const std::size_t spanFirst = kvOffset(h0), spanBytes = (kvOffset(h1 - 1) + uhd - spanFirst) * 2;
                auto prefetchBlock = [&](const void* plane, int count) {
                    prefetchRows(static_cast<const std::uint16_t*>(plane) + spanFirst, count, spanBytes, kvDim * 2);
                };
                for (int j0 = 0; j0 < positions; j0 += blockTokens) {
                    const int block = table.blocks[static_cast<std::size_t>(j0 / blockTokens)];
                    const auto* rows = static_cast<const std::uint16_t*>(cache.key(block, layer, 0));
                    // The next block's keys, or else the first values.
                    if (j0 + blockTokens < positions)
                        prefetchBlock(cache.key(table.blocks[static_cast<std::size_t>(j0 / blockTokens) + 1], layer, 0),
                                      std::min(blockTokens, positions - j0 - blockTokens));
                    else
                        prefetchBlock(cache.value(table.blocks[0], layer, 0), std::min(blockTokens, positions));
                    for (int h = h0; h < h1; ++h)
                        dotHalfF32Rows(rows + kvOffset(h), kvDim, std::min(blockTokens, positions - j0),
                                       qrows.data() + static_cast<std::size_t>(h - h0) * uhd, hd, headScores(h) + j0);
                }
                for (int h = h0; h < h1; ++h) {
                    float* sc = headScores(h);
                    float maxScore = -std::numeric_limits<float>::infinity();
                    for (int j = 0; j < positions; ++j) {
                        const float sj = sc[j] * scale;
                        sc[j] = sj;
                        maxScore = std::max(maxScore, sj);
                    }
                    const double sum = expShiftedRow(sc, positions, maxScore);
                    const float inv = static_cast<float>(1.0 / sum);
                    for (int j = 0; j < positions; ++j)
                        sc[j] *= inv;
                    floatToHalfRow(sc, probHalf.data(), positions);
                    halfToFloatRow(probHalf.data(), sc, positions);
                    float* out = ws.attn.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * uhd;
                    std::fill(out, out + hd, 0.0f);
                }
                if (((positions + 31) / 32) * 32 < kShortHalfDot) {
                    // Short spans: products of halves summed in double (see attention()).
                    // Per head and element the sums run over positions in
                    // order, as there; blocks are visited once for all heads.
                    std::fill(vacc.begin(), vacc.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(h1 - h0) * uhd), 0.0);
                    for (int j0 = 0; j0 < positions; j0 += blockTokens) {
                        const int block = table.blocks[static_cast<std::size_t>(j0 / blockTokens)];
                        const auto* rows = static_cast<const std::uint16_t*>(cache.value(block, layer, 0));
                        for (int h = h0; h < h1; ++h)
                            axpyHalfRowsF64(headScores(h) + j0, rows + kvOffset(h), kvDim, std::min(blockTokens, positions - j0),
                                            vacc.data() + static_cast<std::size_t>(h - h0) * uhd, hd);
                    }
                    for (int h = h0; h < h1; ++h) {
                        float* out = ws.attn.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * uhd;
                        const double* acc = vacc.data() + static_cast<std::size_t>(h - h0) * uhd;
                        for (int d = 0; d < hd; ++d)
                            out[d] = static_cast<float>(acc[d]);
                    }
                    continue;
                }
                for (int j0 = 0; j0 < positions; j0 += blockTokens) {
                    const int block = table.blocks[static_cast<std::size_t>(j0 / blockTokens)];
                    const auto* rows = static_cast<const std::uint16_t*>(cache.value(block, layer, 0));
                    if (j0 + blockTokens < positions) {
                        prefetchBlock(cache.value(table.blocks[static_cast<std::size_t>(j0 / blockTokens) + 1], layer, 0),
                                      std::min(blockTokens, positions - j0 - blockTokens));
                    } else if (item + 1 < end) {
                        // The next item's first keys (its chunk of heads
                        // may differ; the whole rows cover any chunk).
                        const auto& nt = batch[(item + 1) / static_cast<std::size_t>(chunks)];
                        prefetchRows(cache.key(tables[static_cast<std::size_t>(nt.seq)]->blocks[0], layer, 0),
                                     std::min(blockTokens, nt.pos + 1), kvDim * 2, kvDim * 2);
                    }
                    for (int h = h0; h < h1; ++h)
                        axpyHalfF32Rows(headScores(h) + j0, rows + kvOffset(h), kvDim, std::min(blockTokens, positions - j0),
                                        ws.attn.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * uhd, hd);
                }
            }
        });
    }

    void attention(int layer)
    {
        if (cache.config().type == kv::KvType::F16 && c.headDim >= kShortHalfDot) {
            attentionF16Wide(layer);
            return;
        }
        if (cache.config().type == kv::KvType::Q8_0) {
            attentionQ8(layer);
            return;
        }
        // Here: an F32 cache, or an F16 one with heads under kShortHalfDot.
        const int hd = c.headDim;
        const int group = c.heads / c.kvHeads;
        const int blockTokens = cache.config().blockTokens;
        const bool f16 = cache.config().type == kv::KvType::F16;
        const float* h2f = halfTable();
        const std::size_t kvDim = static_cast<std::size_t>(c.kvDim());
        const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
        const std::size_t qDim = static_cast<std::size_t>(c.qDim());
        const std::size_t work = static_cast<std::size_t>(n) * static_cast<std::size_t>(c.heads);
        int maxPos = 0;
        for (const auto& bt : batch)
            maxPos = std::max(maxPos, bt.pos);
        std::size_t totalPositions = 0;
        for (const auto& bt : batch)
            totalPositions += static_cast<std::size_t>(bt.pos) + 1;
        const std::size_t perItem = std::max<std::size_t>(1, totalPositions / static_cast<std::size_t>(n)) * static_cast<std::size_t>(hd) * 2;
        const std::size_t grain = std::max<std::size_t>(1, kMinPieceWork / perItem);

        pool.parallelFor(work, grain, [&](std::size_t begin, std::size_t end) {
            // Scratch per thread, kept across calls (pieces may land on any thread).
            thread_local std::vector<float> scores;
            if (scores.size() < static_cast<std::size_t>(maxPos) + 1)
                scores.resize(static_cast<std::size_t>(maxPos) + 1);
            // An F16 cache computes as the reference engine does with one:
            // the query and the attention weights are rounded to half before
            // their dot products with half keys and values.
            thread_local std::vector<float> vrow, qrow;
            thread_local std::vector<std::uint16_t> half, probHalf;
            thread_local std::vector<double> vacc;
            if (f16 && vrow.size() < static_cast<std::size_t>(hd)) {
                vrow.resize(static_cast<std::size_t>(hd));
                qrow.resize(static_cast<std::size_t>(hd));
                half.resize(static_cast<std::size_t>(hd));
            }
            for (std::size_t item = begin; item < end; ++item) {
                const int t = static_cast<int>(item / static_cast<std::size_t>(c.heads));
                const int h = static_cast<int>(item % static_cast<std::size_t>(c.heads));
                const auto& bt = batch[static_cast<std::size_t>(t)];
                const kv::BlockTable& table = *tables[static_cast<std::size_t>(bt.seq)];
                const float* q = ws.q.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * static_cast<std::size_t>(hd);
                if (f16) {
                    floatToHalfRow(q, half.data(), hd);
                    halfToFloatRow(half.data(), qrow.data(), hd);
                    q = qrow.data();
                }
                const std::size_t kvOffset = static_cast<std::size_t>(h / group) * static_cast<std::size_t>(hd);
                const int positions = bt.pos + 1;
                float maxScore = -std::numeric_limits<float>::infinity();
                if (f16) {
                    // Short heads (wider ones take attentionF16Wide): products
                    // of two halves are exact in float and a row is summed in
                    // double, as the reference does. A block's rows four at a
                    // time, so that the four sums' add latencies overlap
                    // (each row's sum is the same operations in the same
                    // order as alone).
                    for (int j0 = 0; j0 < positions; j0 += blockTokens) {
                        const int block = table.blocks[static_cast<std::size_t>(j0 / blockTokens)];
                        const auto* rows = static_cast<const std::uint16_t*>(cache.key(block, layer, 0)) + kvOffset;
                        const int count = std::min(blockTokens, positions - j0);
                        for (int r0 = 0; r0 < count; r0 += 4) {
                            const int m = std::min(4, count - r0);
                            const std::uint16_t* k[4];
                            for (int i = 0; i < 4; ++i)
                                k[i] = rows + static_cast<std::size_t>(r0 + std::min(i, m - 1)) * kvDim;
                            double acc[4] = {0.0, 0.0, 0.0, 0.0};
                            for (int d = 0; d < hd; ++d)
                                for (int i = 0; i < 4; ++i)
                                    acc[i] += static_cast<double>(h2f[k[i][d]] * q[d]);
                            for (int i = 0; i < m; ++i)
                                scores[static_cast<std::size_t>(j0 + r0 + i)] = static_cast<float>(acc[i]);
                        }
                    }
                }
                for (int j = 0; j < positions; ++j) {
                    float s = scores[static_cast<std::size_t>(j)];
                    if (!f16) {
                        const int block = table.blocks[static_cast<std::size_t>(j / blockTokens)];
                        s = dotF32(static_cast<const float*>(cache.key(block, layer, j % blockTokens)) + kvOffset, q, hd);
                    }
                    s *= scale;
                    scores[static_cast<std::size_t>(j)] = s;
                    maxScore = std::max(maxScore, s);
                }
                const double sum = expShiftedRow(scores.data(), positions, maxScore);
                const float inv = static_cast<float>(1.0 / sum);
                for (int j = 0; j < positions; ++j)
                    scores[static_cast<std::size_t>(j)] *= inv;
                if (f16) {
                    // Round the weights to half in place (row conversions are vectorised).
                    if (probHalf.size() < static_cast<std::size_t>(positions))
                        probHalf.resize(static_cast<std::size_t>(positions));
                    floatToHalfRow(scores.data(), probHalf.data(), positions);
                    halfToFloatRow(probHalf.data(), scores.data(), positions);
                }
                float* out = ws.attn.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * static_cast<std::size_t>(hd);
                std::fill(out, out + hd, 0.0f);
                // Short spans in an F16 cache: products of halves summed in
                // double, as the reference's F16 dot does below its SIMD step
                // (it pads the span to a multiple of 32 positions).
                if (f16 && ((positions + 31) / 32) * 32 < kShortHalfDot) {
                    if (vacc.size() < static_cast<std::size_t>(hd))
                        vacc.resize(static_cast<std::size_t>(hd));
                    std::fill(vacc.begin(), vacc.begin() + hd, 0.0);
                    for (int j0 = 0; j0 < positions; j0 += blockTokens) {
                        const int block = table.blocks[static_cast<std::size_t>(j0 / blockTokens)];
                        const auto* rows = static_cast<const std::uint16_t*>(cache.value(block, layer, 0)) + kvOffset;
                        axpyHalfRowsF64(scores.data() + j0, rows, kvDim, std::min(blockTokens, positions - j0), vacc.data(), hd);
                    }
                    for (int d = 0; d < hd; ++d)
                        out[d] = static_cast<float>(vacc[static_cast<std::size_t>(d)]);
                    continue;
                }
                if (f16 && hd <= kTableRow) {
                    // Small heads: the sums live in a local array (no
                    // aliasing with the output), values come from the table.
                    // Same operations in the same order as below.
                    float acc[kTableRow] = {};
                    for (int j0 = 0; j0 < positions; j0 += blockTokens) {
                        const int block = table.blocks[static_cast<std::size_t>(j0 / blockTokens)];
                        const auto* rows = static_cast<const std::uint16_t*>(cache.value(block, layer, 0)) + kvOffset;
                        const int count = std::min(blockTokens, positions - j0);
                        for (int r = 0; r < count; ++r) {
                            const float p = scores[static_cast<std::size_t>(j0 + r)];
                            const std::uint16_t* vh = rows + static_cast<std::size_t>(r) * kvDim;
                            for (int d = 0; d < hd; ++d)
                                acc[d] += p * h2f[vh[d]];
                        }
                    }
                    std::copy(acc, acc + hd, out);
                    continue;
                }
                if (f16) {
                    // One SIMD multiply-add per value row, a block of rows per
                    // call (the result depends only on this token and head).
                    for (int j0 = 0; j0 < positions; j0 += blockTokens) {
                        const int block = table.blocks[static_cast<std::size_t>(j0 / blockTokens)];
                        const auto* rows = static_cast<const std::uint16_t*>(cache.value(block, layer, 0)) + kvOffset;
                        axpyHalfF32Rows(scores.data() + j0, rows, kvDim, std::min(blockTokens, positions - j0), out, hd);
                    }
                    continue;
                }
                for (int j = 0; j < positions; ++j) {
                    const float p = scores[static_cast<std::size_t>(j)];
                    const int block = table.blocks[static_cast<std::size_t>(j / blockTokens)];
                    const void* value = cache.value(block, layer, j % blockTokens);
                    // One SIMD multiply-add per value row (its result depends
                    // only on this token and head, never on the batch).
                    if (f16)
                        axpyHalfF32(p, static_cast<const std::uint16_t*>(value) + kvOffset, out, hd);
                    else
                        axpyF32(p, static_cast<const float*>(value) + kvOffset, out, hd);
                }
            }
        });
    }

    // Attention over a Q8_0 cache: keys and values are decoded to float and
    // used as they are (the query is not rounded). Like attentionF16Wide, an
    // item is one token and a chunk of its heads, and each cached row is
    // decoded once for the whole chunk (the slice of whole blocks covering
    // its heads), instead of once per head with a pass over the rows each.
    // Every head's arithmetic is the same calls on the same values in the
    // same order whatever the chunking.
    void attentionQ8(int layer)
    {
        const int hd = c.headDim;
        const int group = c.heads / c.kvHeads;
        const int blockTokens = cache.config().blockTokens;
        const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
        const std::size_t qDim = static_cast<std::size_t>(c.qDim());
        const auto uhd = static_cast<std::size_t>(hd);
        constexpr std::size_t kBlockBytes = 34; // a Q8_0 block of 32 values
        const HeadChunks split = headChunks();
        const int perChunk = split.perChunk;
        const std::size_t span = split.span;

        pool.parallelFor(split.work, split.grain, [&](std::size_t begin, std::size_t end) {
            thread_local std::vector<float> scores, row, maxes;
            const auto pc = static_cast<std::size_t>(perChunk);
            if (scores.size() < pc * span)
                scores.resize(pc * span);
            if (maxes.size() < pc)
                maxes.resize(pc);
            for (std::size_t item = begin; item < end; ++item) {
                const ChunkItem it = chunkItem(split, item);
                const int t = it.t, h0 = it.h0, h1 = it.h1, positions = it.positions;
                const kv::BlockTable& table = *it.table;
                auto kvOffset = [&](int h) { return static_cast<std::size_t>(h / group) * uhd; };
                // Whole blocks [first, last] of a row cover the chunk's heads
                // (heads narrower than a block may start inside one).
                const std::size_t first = kvOffset(h0) / 32, last = (kvOffset(h1 - 1) + uhd - 1) / 32;
                const std::size_t sliceValues = (last - first + 1) * 32;
                if (row.size() < sliceValues)
                    row.resize(sliceValues);
                auto headScores = [&](int h) { return scores.data() + static_cast<std::size_t>(h - h0) * span; };
                auto headRow = [&](int h) { return row.data() + (kvOffset(h) - first * 32); };
                auto decode = [&](const void* r) {
                    dequantizeRow(TensorType::Q8_0, static_cast<const std::uint8_t*>(r) + first * kBlockBytes, row.data(),
                                  static_cast<std::int64_t>(sliceValues));
                };
                std::fill(maxes.begin(), maxes.begin() + static_cast<std::ptrdiff_t>(h1 - h0), -std::numeric_limits<float>::infinity());
                for (int j = 0; j < positions; ++j) {
                    decode(cache.key(table.blocks[static_cast<std::size_t>(j / blockTokens)], layer, j % blockTokens));
                    for (int h = h0; h < h1; ++h) {
                        const float* q = ws.q.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * uhd;
                        const float s = dotF32(headRow(h), q, hd) * scale;
                        headScores(h)[j] = s;
                        maxes[static_cast<std::size_t>(h - h0)] = std::max(maxes[static_cast<std::size_t>(h - h0)], s);
                    }
                }
                for (int h = h0; h < h1; ++h) {
                    float* sc = headScores(h);
                    const double sum = expShiftedRow(sc, positions, maxes[static_cast<std::size_t>(h - h0)]);
                    // The weights times 1 / sum, kept in maxes' slot.
                    maxes[static_cast<std::size_t>(h - h0)] = static_cast<float>(1.0 / sum);
                    float* out = ws.attn.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * uhd;
                    std::fill(out, out + hd, 0.0f);
                }
                for (int j = 0; j < positions; ++j) {
                    decode(cache.value(table.blocks[static_cast<std::size_t>(j / blockTokens)], layer, j % blockTokens));
                    for (int h = h0; h < h1; ++h) {
                        float* out = ws.attn.data() + static_cast<std::size_t>(t) * qDim + static_cast<std::size_t>(h) * uhd;
                        axpyF32(headScores(h)[j] * maxes[static_cast<std::size_t>(h - h0)], headRow(h), out, hd);
                    }
                }
            }
        });
    }

    void storeKv(int layer)
    {
        const std::size_t kvDim = static_cast<std::size_t>(c.kvDim());
        const int blockTokens = cache.config().blockTokens;
        const bool f16 = cache.config().type == kv::KvType::F16;
        for (int t = 0; t < n; ++t) {
            const auto& bt = batch[static_cast<std::size_t>(t)];
            const kv::BlockTable& table = *tables[static_cast<std::size_t>(bt.seq)];
            const int block = table.blocks[static_cast<std::size_t>(bt.pos / blockTokens)];
            const float* k = ws.k.data() + static_cast<std::size_t>(t) * kvDim;
            const float* v = ws.v.data() + static_cast<std::size_t>(t) * kvDim;
            void* kd = cache.key(block, layer, bt.pos % blockTokens);
            void* vd = cache.value(block, layer, bt.pos % blockTokens);
            if (cache.config().type == kv::KvType::Q8_0) {
                quantizeRow(TensorType::Q8_0, k, kd, static_cast<std::int64_t>(kvDim));
                quantizeRow(TensorType::Q8_0, v, vd, static_cast<std::int64_t>(kvDim));
            } else if (f16) {
                floatToHalfRow(k, static_cast<std::uint16_t*>(kd), static_cast<std::int64_t>(kvDim));
                floatToHalfRow(v, static_cast<std::uint16_t*>(vd), static_cast<std::int64_t>(kvDim));
            } else {
                std::memcpy(kd, k, kvDim * sizeof(float));
                std::memcpy(vd, v, kvDim * sizeof(float));
            }
        }
    }

    // hidden == nullptr: logits of the tokens that want them. Otherwise the
    // final-normed hidden state of every token goes to *hidden (embd floats
    // per token, batch order) and the lm head is skipped.
    void run(std::vector<float>& logits, std::vector<float>* hidden = nullptr)
    {
        const std::size_t N = static_cast<std::size_t>(n);
        const std::size_t E = static_cast<std::size_t>(c.embd);
        const std::size_t Q = static_cast<std::size_t>(c.qDim());
        const std::size_t KV = static_cast<std::size_t>(c.kvDim());
        const std::size_t F = static_cast<std::size_t>(c.ffn);
        ws.x.resize(N * E);
        ws.xn.resize(N * E);
        ws.q.resize(N * Q);
        ws.k.resize(N * KV);
        ws.v.resize(N * KV);
        ws.attn.resize(N * Q);
        ws.gate.resize(N * F);
        ws.up.resize(N * F);
        ws.proj.resize(N * E);

        for (std::size_t t = 0; t < N; ++t) {
            const auto token = static_cast<std::size_t>(batch[t].token);
            dequantizeRow(m.m_tokenEmbd.type, m.m_tokenEmbd.data + token * m.m_tokenEmbd.rowBytes, ws.x.data() + t * E, c.embd);
        }
        ropeTables();
        const std::size_t pairs2 = static_cast<std::size_t>(c.ropeDim);

        for (int l = 0; l < c.layers; ++l) {
            const LayerWeights& L = m.m_layers[static_cast<std::size_t>(l)];
            for (std::size_t t = 0; t < N; ++t)
                rmsNorm(ws.x.data() + t * E, L.attnNorm.data(), ws.xn.data() + t * E, c.embd, c.rmsEps);
            invalidate();
            matmuls({{L.wq, ws.q.data()}, {L.wk, ws.k.data()}, {L.wv, ws.v.data()}}, ws.xn.data(), N);
            for (std::size_t t = 0; t < N; ++t) {
                if (!L.bq.empty()) {
                    for (std::size_t i = 0; i < Q; ++i)
                        ws.q[t * Q + i] += L.bq[i];
                    for (std::size_t i = 0; i < KV; ++i) {
                        ws.k[t * KV + i] += L.bk[i];
                        ws.v[t * KV + i] += L.bv[i];
                    }
                }
                const float* cs = ws.rope.data() + t * pairs2;
                for (int h = 0; h < c.heads; ++h)
                    rope(ws.q.data() + t * Q + static_cast<std::size_t>(h) * static_cast<std::size_t>(c.headDim), cs);
                for (int h = 0; h < c.kvHeads; ++h)
                    rope(ws.k.data() + t * KV + static_cast<std::size_t>(h) * static_cast<std::size_t>(c.headDim), cs);
            }
            storeKv(l);
            attention(l);
            invalidate();
            matmul(L.wo, ws.attn.data(), N, ws.proj.data());
            for (std::size_t i = 0; i < N * E; ++i)
                ws.x[i] += ws.proj[i];

            for (std::size_t t = 0; t < N; ++t)
                rmsNorm(ws.x.data() + t * E, L.ffnNorm.data(), ws.xn.data() + t * E, c.embd, c.rmsEps);
            invalidate();
            matmuls({{L.gate, ws.gate.data()}, {L.up, ws.up.data()}}, ws.xn.data(), N);
            // Element-wise, so the split never changes a result.
            pool.parallelFor(N, std::max<std::size_t>(1, kMinPieceWork / F), [&](std::size_t b, std::size_t e) {
                siluMulRow(ws.gate.data() + b * F, ws.up.data() + b * F, static_cast<std::int64_t>((e - b) * F));
            });
            invalidate();
            matmul(L.down, ws.gate.data(), N, ws.proj.data());
            for (std::size_t i = 0; i < N * E; ++i)
                ws.x[i] += ws.proj[i];
        }

        if (hidden) {
            hidden->resize(N * E);
            for (std::size_t t = 0; t < N; ++t)
                rmsNorm(ws.x.data() + t * E, m.m_outputNorm.data(), hidden->data() + t * E, c.embd, c.rmsEps);
            invalidate();
            return;
        }
        // Only the rows whose logits are wanted go through the final norm
        // and the lm head (the largest matrix of small models).
        std::size_t wanted = 0;
        for (std::size_t t = 0; t < N; ++t) {
            if (!batch[t].logits)
                continue;
            rmsNorm(ws.x.data() + t * E, m.m_outputNorm.data(), ws.xn.data() + wanted * E, c.embd, c.rmsEps);
            ++wanted;
        }
        logits.resize(wanted * static_cast<std::size_t>(c.vocab));
        if (wanted > 0) {
            invalidate();
            matmul(m.m_output, ws.xn.data(), wanted, logits.data());
        }
        invalidate();
    }
};

Status Model::forward(std::span<const BatchToken> batch, std::span<kv::BlockTable* const> tables, kv::KvCache& cache,
                      runtime::ThreadPool& pool, Workspace& ws, std::vector<float>& logits) const
{
    return forwardImpl(batch, tables, cache, pool, ws, logits, nullptr);
}

Status Model::hiddenStates(std::span<const BatchToken> batch, std::span<kv::BlockTable* const> tables, kv::KvCache& cache,
                           runtime::ThreadPool& pool, Workspace& ws, std::vector<float>& hidden) const
{
    std::vector<float> unused;
    return forwardImpl(batch, tables, cache, pool, ws, unused, &hidden);
}

Status Model::forwardImpl(std::span<const BatchToken> batch, std::span<kv::BlockTable* const> tables, kv::KvCache& cache,
                          runtime::ThreadPool& pool, Workspace& ws, std::vector<float>& logits, std::vector<float>* hidden) const
{
    if (batch.empty()) {
        logits.clear();
        return Status::success();
    }
    const auto& kc = cache.config();
    if (kc.layers != m_config.layers || kc.kvDim != m_config.kvDim())
        return Error{"forward: the KV cache was made for another model shape"};
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& bt = batch[i];
        auto at = [i] { return "forward: batch entry " + std::to_string(i) + ": "; };
        if (bt.token < 0 || bt.token >= m_config.vocab)
            return Error{at() + "token id " + std::to_string(bt.token) + " is outside the vocabulary (0.."
                         + std::to_string(m_config.vocab - 1) + ")"};
        if (bt.pos < 0)
            return Error{at() + "negative position " + std::to_string(bt.pos)};
        if (bt.seq < 0 || static_cast<std::size_t>(bt.seq) >= tables.size() || !tables[static_cast<std::size_t>(bt.seq)])
            return Error{at() + "sequence " + std::to_string(bt.seq) + " has no block table"};
        const auto& table = *tables[static_cast<std::size_t>(bt.seq)];
        const std::size_t blockIndex = static_cast<std::size_t>(bt.pos / kc.blockTokens);
        if (blockIndex >= table.blocks.size())
            return Error{at() + "position " + std::to_string(bt.pos) + " has no KV block reserved"};
        for (std::size_t b = 0; b <= blockIndex; ++b)
            if (table.blocks[b] < 0 || table.blocks[b] >= kc.blocks)
                return Error{at() + "block table holds an invalid block " + std::to_string(table.blocks[b])};
    }
    ForwardPass pass{*this, m_config, batch, tables, cache, pool, ws, static_cast<int>(batch.size())};
    pass.run(logits, hidden);
    for (const auto& bt : batch) {
        auto& table = *tables[static_cast<std::size_t>(bt.seq)];
        table.tokens = std::max(table.tokens, bt.pos + 1);
    }
    return Status::success();
}

} // namespace outpost::inference::model
