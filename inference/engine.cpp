// The engine: request intake on the callers' threads, and one scheduling
// thread that steps every running sequence together.
//
// Request life (all transitions on the engine thread, in loop()):
//   submit()      -> `incoming` (under the mutex; the prompt is tokenized
//                    and checked on the caller's thread)
//   intake        -> a Seq in `active`, its scheduler::Sequence added to the
//                    scheduler (waiting), or finished at once on an error
//   each step     -> the scheduler plans; the forward pass runs; each
//                    sequence whose last token was computed samples one
//                    token, which is streamed; stop conditions finish it
//   finish()      -> removed from the scheduler (its blocks released, full
//                    prefix blocks staying cached), the final event sent,
//                    then waiters woken.
// Invariant: a Seq is in `active` exactly while its sequence is known to
// the scheduler; every path out goes through finish(), so no block leaks.
#include "inference/engine.h"

#include "inference/chat/chat_template.h"
#include "inference/gguf/gguf_file.h"
#include "inference/kv/block_pool.h"
#include "inference/kv/kv_cache.h"
#include "inference/model/model.h"
#include "inference/runtime/thread_pool.h"
#include "inference/sampling/json_constraint.h"
#include "inference/sampling/sampler.h"
#include "inference/scheduler/scheduler.h"
#include "inference/tokenizer/streaming_decoder.h"
#include "inference/tokenizer/tokenizer.h"
#include "inference/unicode/unicode.h"
#include "inference/util/rate_window.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace outpost::inference {

using Clock = std::chrono::steady_clock;

const char* finishReasonName(FinishReason reason)
{
    switch (reason) {
    case FinishReason::Stop: return "stop";
    case FinishReason::Length: return "length";
    case FinishReason::Cancelled: return "cancelled";
    case FinishReason::Error: return "error";
    case FinishReason::None: break;
    }
    return "none";
}

// A request's shared state. Invariants: `done` goes false -> true once,
// under `mutex`, after `result` is complete; `cancelled` may be set at any
// time and is read by the engine thread between steps.
struct RequestHandle::State {
    std::uint64_t id = 0;
    GenerationRequest request;
    Clock::time_point submitted;
    std::atomic<bool> cancelled{false};
    // Prepared on the submitting thread: the prompt, or why it cannot run.
    std::vector<std::int32_t> prompt;
    std::string error;
    std::shared_ptr<const sampling::JsonSchema> schema;
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    GenerationResult result;
};

std::uint64_t RequestHandle::id() const { return m_state ? m_state->id : 0; }

void RequestHandle::cancel()
{
    if (m_state)
        m_state->cancelled = true;
}

bool RequestHandle::finished() const
{
    if (!m_state)
        return true;
    std::lock_guard lock(m_state->mutex);
    return m_state->done;
}

GenerationResult RequestHandle::wait()
{
    if (!m_state) {
        GenerationResult r;
        r.finish = FinishReason::Error;
        r.error = "invalid request handle";
        return r;
    }
    std::unique_lock lock(m_state->mutex);
    m_state->cv.wait(lock, [&] { return m_state->done; });
    return m_state->result;
}

namespace {

LatencyHistogram makeHistogram()
{
    LatencyHistogram h;
    h.upperMs = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
    h.counts.assign(h.upperMs.size() + 1, 0);
    return h;
}

void record(LatencyHistogram& h, double ms)
{
    const auto it = std::lower_bound(h.upperMs.begin(), h.upperMs.end(), ms);
    ++h.counts[static_cast<std::size_t>(it - h.upperMs.begin())];
    ++h.total;
    h.sumMs += ms;
}

int batchBucket(int sequences)
{
    // 1, 2, 3-4, 5-8, ..., 65-128, more
    int bucket = 0;
    for (int bound = 1; bound < sequences && bucket < 8; bound *= 2)
        ++bucket;
    return bucket;
}

double msBetween(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// Runs a request's callback. One that throws cancels its own request (at
// the next step); the exception never reaches the engine thread.
void deliver(RequestHandle::State& state, const TokenEvent& ev)
{
    if (!state.request.onToken)
        return;
    try {
        state.request.onToken(ev);
    } catch (...) {
        state.cancelled = true;
    }
}

// A request's final event: delivered, then its callback and prompt dropped
// (nothing is delivered after it, and a callback that holds the request's
// own handle would keep the state alive for ever).
void deliverFinal(RequestHandle::State& state, const TokenEvent& ev)
{
    deliver(state, ev);
    state.request.onToken = nullptr;
    state.request.promptTokens = {};
    state.request.messages = {};
    state.prompt = {};
}

// Hands `result` to the request's waiters, once.
void publishResult(RequestHandle::State& state, GenerationResult result)
{
    {
        std::lock_guard lock(state.mutex);
        if (state.done)
            return;
        state.result = std::move(result);
        state.done = true;
    }
    state.cv.notify_all();
}

kv::KvType kvTypeOf(KvCacheType type)
{
    switch (type) {
    case KvCacheType::F16: return kv::KvType::F16;
    case KvCacheType::Q8_0: return kv::KvType::Q8_0;
    case KvCacheType::F32: break;
    }
    return kv::KvType::F32;
}

} // namespace

// One request in flight on the engine thread.
struct Seq {
    std::shared_ptr<RequestHandle::State> state;
    scheduler::Sequence seq;
    std::optional<sampling::Sampler> sampler;
    std::optional<sampling::JsonConstraint> json;
    std::optional<tokenizer::StreamingDecoder> decoder;
    GenerationResult result;
    std::string held;           // text not yet streamed (it may start a stop string)
    int promptTokens = 0;
    Clock::time_point firstToken, lastToken;
    Clock::time_point prefillStart;
    bool dropTail = false;      // a stop string ended it: nothing more is streamed
    bool rejected = false;      // refused before it ran (TokenEvent::rejected)
};

struct Engine::Impl {
    EngineConfig config;
    ModelInfo info;
    std::unique_ptr<model::Model> model;
    std::optional<tokenizer::Tokenizer> tok;
    std::optional<chat::ChatTemplate> chatTemplate;
    std::unique_ptr<runtime::ThreadPool> pool;
    std::optional<kv::KvCache> cache;
    std::unique_ptr<kv::BlockPool> blocks;
    std::unique_ptr<scheduler::Scheduler> sched;
    model::Workspace ws;
    int seqContext = 0;                 // positions one sequence may hold
    bool contextCutByKv = false;        // seqContext is below the asked context: the KV budget holds no more
    std::vector<std::string> pieces;    // bytes of each token (JSON masks)
    std::vector<bool> eog;
    std::optional<sampling::JsonTokenMasker> jsonMasker;  // over pieces and eog; engine thread, built for the first JSON request
    std::size_t longestToken = 1;       // bytes of the longest token text, control tokens included

    // Intake and shutdown, under `mutex`.
    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::shared_ptr<RequestHandle::State>> incoming;
    bool stopping = false;
    std::uint64_t nextId = 1;

    // Engine thread only.
    std::map<std::uint64_t, std::unique_ptr<Seq>> active;
    std::vector<float> logits, masked;
    std::vector<bool> allowed;

    // The snapshot stats() returns, refreshed after every step, and the
    // tokens generated per step in the last two seconds (stats() reads the
    // rate from them, so it falls to 0 while the engine is idle).
    mutable std::mutex statsMutex;
    EngineStats snapshot;
    RateWindow recent;
    std::thread worker;

    void loop();
    void intake(const std::shared_ptr<RequestHandle::State>& state);
    void step();
    void guardedStep();
    void sampleNext(Seq& s, const float* row);
    void emitToken(Seq& s, std::int32_t token, bool eogToken);
    void finish(Seq& s, FinishReason reason, std::string error = {});
    void abandon(const std::shared_ptr<RequestHandle::State>& state, const std::string& error);
    void refreshStats(int stepSequences, int stepTokens, int generatedNow);
    // Tokens a sequence of `tokens` tokens may still generate: it may hold
    // seqContext + 1 (the last one sampled is never computed).
    int roomAfter(std::size_t tokens) const { return seqContext + 1 - static_cast<int>(tokens); }
    void refreshCounts();
    void refreshKv(EngineStats& s);
    void refreshOwners(EngineStats& s);
    std::vector<std::int32_t> ownersScratch;  // engine thread only: reused by refreshOwners()
    Result<std::vector<std::int32_t>> promptOf(const GenerationRequest& r) const;
    Status checkPromptBytes(std::size_t bytes, std::size_t slack = 1) const;
    std::size_t bytesBeyondContext() const;
    Result<std::string> render(const std::vector<ChatTurn>& messages) const;
};

Engine::Engine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Engine::~Engine()
{
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->stopping = true;
    }
    m_impl->wake.notify_all();
    if (m_impl->worker.joinable())
        m_impl->worker.join();
}

Result<std::unique_ptr<Engine>> Engine::load(const EngineConfig& config)
{
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    if (config.threads < 0 || config.contextLength < 0 || config.kvBlockTokens <= 0 || config.stepTokens <= 0
        || !(config.kvMemoryMiB >= 0) || config.maxSequences <= 0)
        return Error{"engine settings: threads, context length and KV memory must be >= 0; KV block size, step tokens "
                     "and the sequence limit must be > 0"};
    auto model = model::Model::load(config.modelPath);
    if (!model)
        return Error{model.error()};
    impl->model = std::move(model.value());
    auto tok = tokenizer::Tokenizer::fromGguf(impl->model->file());
    if (!tok)
        return Error{tok.error()};
    if (tok->vocabSize() != static_cast<std::size_t>(impl->model->config().vocab))
        return Error{config.modelPath + ": the tokenizer has " + std::to_string(tok->vocabSize())
                     + " tokens but the model's embedding has " + std::to_string(impl->model->config().vocab)};
    impl->tok = std::move(tok.value());
    const auto templateSource = impl->model->file().getString("tokenizer.chat_template").value_or("");
    auto tmpl = chat::ChatTemplate::forModel(templateSource);
    const bool ownTemplate = tmpl.ok() && !tmpl->isChatml();
    if (!tmpl) {
        // A broken template should not make the model unusable for plain
        // prompts; chat falls back to ChatML.
        impl->chatTemplate = chat::ChatTemplate::chatml();
    } else {
        impl->chatTemplate = std::move(tmpl.value());
    }

    const auto& mc = impl->model->config();
    int context = config.contextLength > 0 ? config.contextLength : std::min(mc.contextTrain, 4096);
    context = std::max(context, 1);
    impl->pool = std::make_unique<runtime::ThreadPool>(config.threads);
    const kv::KvType kvType = kvTypeOf(config.kvType);
    // Size the pool from the memory budget (whole blocks).
    auto probe = impl->model->kvConfig(config.kvBlockTokens, config.kvBlockTokens, kvType);
    const std::size_t rowBytes = kvType == kv::KvType::Q8_0 ? static_cast<std::size_t>(probe.kvDim) / 32 * 34
                                                            : static_cast<std::size_t>(probe.kvDim) * (kvType == kv::KvType::F16 ? 2 : 4);
    const std::size_t blockBytes = rowBytes * 2 * static_cast<std::size_t>(probe.layers) * static_cast<std::size_t>(config.kvBlockTokens);
    const std::size_t contextBlocks = (static_cast<std::size_t>(context) + static_cast<std::size_t>(config.kvBlockTokens) - 1)
        / static_cast<std::size_t>(config.kvBlockTokens);
    std::size_t poolBlocks;
    if (config.kvMemoryMiB > 0) {
        const double bytes = config.kvMemoryMiB * 1048576.0;
        if (!(bytes < 1e15))
            return Error{"engine settings: a KV memory budget of " + std::to_string(config.kvMemoryMiB) + " MiB is not usable"};
        poolBlocks = std::max<std::size_t>(1, static_cast<std::size_t>(bytes) / std::max<std::size_t>(blockBytes, 1));
    } else {
        const std::size_t cap = std::max<std::size_t>(contextBlocks, (std::size_t{1} << 30) / std::max<std::size_t>(blockBytes, 1));
        poolBlocks = std::min(contextBlocks * 4, cap);
    }
    if (poolBlocks > static_cast<std::size_t>(1) << 30)
        return Error{config.modelPath + ": a KV cache of " + std::to_string(poolBlocks) + " blocks is too large"};
    auto kc = impl->model->kvConfig(static_cast<int>(poolBlocks) * config.kvBlockTokens, config.kvBlockTokens, kvType);
    auto cache = kv::KvCache::create(kc);
    if (!cache)
        return Error{config.modelPath + ": " + cache.error()};
    impl->cache.emplace(std::move(cache.value()));
    const int poolTokens = impl->cache->config().blocks * impl->cache->config().blockTokens;
    // A sequence holds at most what the whole cache holds.
    impl->seqContext = std::min(context, poolTokens);
    impl->contextCutByKv = poolTokens < context;
    impl->blocks = std::make_unique<kv::BlockPool>(impl->cache->config().blocks);
    scheduler::SchedulerConfig sc;
    sc.blockTokens = config.kvBlockTokens;
    sc.stepTokens = config.stepTokens;
    sc.maxRunning = config.maxSequences;
    sc.prefixCache = config.prefixCache;
    impl->sched = std::make_unique<scheduler::Scheduler>(sc, *impl->blocks);

    const auto vocab = impl->tok->vocabSize();
    impl->pieces.resize(vocab);
    impl->eog.resize(vocab);
    for (std::size_t i = 0; i < vocab; ++i) {
        const auto id = static_cast<std::int32_t>(i);
        impl->eog[i] = impl->tok->isEog(id);
        if (!impl->tok->isControl(id))
            impl->pieces[i] = impl->tok->tokenToPiece(id, false);
        impl->longestToken = std::max({impl->longestToken, impl->pieces[i].size(), impl->tok->tokenText(id).size()});
    }

    auto& info = impl->info;
    info.path = config.modelPath;
    info.architecture = mc.architecture;
    info.name = mc.name;
    info.parameters = mc.parameters;
    info.vocabSize = mc.vocab;
    info.layers = mc.layers;
    info.embedding = mc.embd;
    info.contextTrain = mc.contextTrain;
    info.contextLength = impl->seqContext;
    info.threads = impl->pool->size();
    info.hasChatTemplate = ownTemplate;

    impl->snapshot.ttft = makeHistogram();
    impl->snapshot.interToken = makeHistogram();
    impl->snapshot.batchSizeCounts.assign(9, 0);
    impl->refreshStats(0, 0, 0);
    Impl* raw = impl.get();
    impl->worker = std::thread([raw] { raw->loop(); });
    return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

const ModelInfo& Engine::info() const { return m_impl->info; }

std::vector<std::int32_t> Engine::tokenize(const std::string& text, bool addSpecial, bool parseSpecial) const
{
    return m_impl->tok->tokenize(text, addSpecial, parseSpecial);
}

std::string Engine::detokenize(std::span<const std::int32_t> tokens) const
{
    return m_impl->tok->detokenize(tokens);
}

Result<std::string> Engine::Impl::render(const std::vector<ChatTurn>& messages) const
{
    chat::ChatContext ctx;
    for (const auto& m : messages) {
        chat::ChatMessage cm;
        cm.role = m.role;
        cm.content = m.content;
        ctx.messages.push_back(std::move(cm));
    }
    ctx.addGenerationPrompt = true;
    if (tok->bos() >= 0)
        ctx.bosToken = tok->tokenText(tok->bos());
    if (tok->eos() >= 0)
        ctx.eosToken = tok->tokenText(tok->eos());
    return chatTemplate->render(ctx);
}

Result<std::string> Engine::renderChat(const std::vector<ChatTurn>& messages) const
{
    return m_impl->render(messages);
}

// Bytes of text that surely hold more tokens than the context: a token
// covers at most longestToken bytes (four times that, for normalisers that
// drop characters). Text this long is refused (or cut, for embeddings)
// before tokenizing, which would hold the calling thread for seconds.
std::size_t Engine::Impl::bytesBeyondContext() const
{
    return static_cast<std::size_t>(seqContext) * longestToken * 4 + 1;
}

// `slack`: how many times more bytes than the prompt's the text may hold
// (messages before a template that may drop some of them).
Status Engine::Impl::checkPromptBytes(std::size_t bytes, std::size_t slack) const
{
    if (bytes / slack < bytesBeyondContext())
        return Status::success();
    return Error{"the prompt is " + std::to_string(bytes) + " bytes, far more than the " + std::to_string(seqContext)
                 + " tokens the context holds; shorten it"};
}

Result<std::vector<std::int32_t>> Engine::Impl::promptOf(const GenerationRequest& r) const
{
    if (!r.promptTokens.empty()) {
        for (auto id : r.promptTokens)
            if (id < 0 || static_cast<std::size_t>(id) >= tok->vocabSize())
                return Error{"prompt token " + std::to_string(id) + " is outside the vocabulary"};
        return r.promptTokens;
    }
    if (!r.messages.empty()) {
        // Templates may drop text (earlier reasoning, say), so the messages
        // get a looser bound than the rendered prompt.
        std::size_t bytes = 0;
        for (const auto& m : r.messages)
            bytes += m.content.size();
        if (auto st = checkPromptBytes(bytes, 16); !st)
            return Error{st.error()};
        auto text = render(r.messages);
        if (!text)
            return Error{"chat template: " + text.error()};
        if (auto st = checkPromptBytes(text->size()); !st)
            return Error{st.error()};
        // Templates write the BOS text themselves; tokenizing with special
        // tokens parsed would then give two BOS tokens.
        auto ids = tok->tokenize(*text, true, true);
        if (ids.size() >= 2 && ids[0] == tok->bos() && ids[1] == tok->bos())
            ids.erase(ids.begin());
        return ids;
    }
    if (auto st = checkPromptBytes(r.prompt.size()); !st)
        return Error{st.error()};
    return tok->tokenize(r.prompt, r.addSpecial, false);
}

RequestHandle Engine::submit(GenerationRequest request)
{
    auto state = std::make_shared<RequestHandle::State>();
    state->request = std::move(request);
    state->submitted = Clock::now();
    // Tokenizing and template rendering happen here, on the caller's thread,
    // so the engine thread only steps the model.
    const auto& req = state->request;
    if (auto prompt = m_impl->promptOf(req); !prompt) {
        state->error = prompt.error();
    } else {
        state->prompt = std::move(prompt.value());
        const int n = static_cast<int>(state->prompt.size());
        if (n == 0)
            state->error = "the prompt is empty (no tokens)";
        else if (n >= m_impl->seqContext)
            state->error = "the prompt has " + std::to_string(n) + " tokens but the context holds "
                + std::to_string(m_impl->seqContext) + " (one more is needed to generate); shorten it or raise the "
                + (m_impl->contextCutByKv ? "KV memory budget (the context is cut to what it holds)" : "context length");
    }
    if (state->error.empty() && !req.jsonSchema.empty()) {
        auto schema = sampling::JsonSchema::parse(req.jsonSchema);
        if (!schema) {
            state->error = schema.error();
        } else {
            state->schema = std::move(schema.value());
            const std::size_t shortest = state->schema->minimalLength();
            const int room = m_impl->roomAfter(state->prompt.size());
            if (static_cast<std::size_t>(std::max(req.maxTokens, 0)) < shortest)
                state->error = "JSON schema: maxTokens " + std::to_string(req.maxTokens) + " is below the "
                    + std::to_string(shortest) + " tokens the shortest valid value may need";
            else if (static_cast<std::size_t>(std::max(room, 0)) < shortest)
                state->error = "JSON schema: the context has room for " + std::to_string(room) + " tokens after the "
                    + std::to_string(state->prompt.size()) + "-token prompt, below the " + std::to_string(shortest)
                    + " tokens the shortest valid value may need; shorten the prompt";
        }
    }
    for (const auto& s : req.stop)
        if (s.empty() && state->error.empty())
            state->error = "stop strings must not be empty";
    {
        std::lock_guard lock(m_impl->mutex);
        state->id = m_impl->nextId++;
        if (!m_impl->stopping) {
            m_impl->incoming.push_back(state);
            m_impl->wake.notify_all();
            return RequestHandle(state);
        }
    }
    // The engine is shutting down and its thread may be gone: finished here,
    // its final event delivered on this thread.
    state->cancelled = true;
    TokenEvent ev;
    ev.final = true;
    ev.finish = FinishReason::Cancelled;
    deliverFinal(*state, ev);
    GenerationResult result;
    result.finish = FinishReason::Cancelled;
    publishResult(*state, std::move(result));
    return RequestHandle(state);
}

GenerationResult Engine::generate(GenerationRequest request)
{
    return submit(std::move(request)).wait();
}

EngineStats Engine::stats() const
{
    std::lock_guard lock(m_impl->statsMutex);
    EngineStats s = m_impl->snapshot;
    // What runs now: the rate falls to 0 while idle, and the last step's
    // batch is not current once nothing runs.
    s.tokensPerSecond = m_impl->recent.at(Clock::now());
    if (s.requestsRunning == 0)
        s.lastStepSequences = s.lastStepTokens = 0;
    return s;
}

// The cheap part of refreshStats() after one request finished: the KV
// cache's state as it is now (blocks, sequences, owners) and the queue
// counts. The other sequences are read again too: the step that finished
// this one may have given them blocks since the last refreshStats(), and
// owners and sequences must agree.
void Engine::Impl::refreshCounts()
{
    std::lock_guard lock(statsMutex);
    refreshKv(snapshot);
}

// Everything of `s` that describes the KV cache and the queues now. Under
// statsMutex.
void Engine::Impl::refreshKv(EngineStats& s)
{
    s.kvBlocksUsed = blocks->used();
    s.kvBlocksCached = blocks->cached();
    s.kvBlocksFree = blocks->free();
    s.prefixHits = blocks->hits;
    s.prefixMisses = blocks->misses;
    s.evictions = blocks->evictions;
    s.preemptions = sched->preemptions();
    s.sequences.clear();
    for (const auto& [id, seq] : active)
        s.sequences.push_back({id, static_cast<int>(seq->seq.table.blocks.size()), seq->seq.computed, seq->seq.running});
    refreshOwners(s);
    s.requestsRunning = static_cast<int>(sched->running().size());
    std::lock_guard intakeLock(mutex);
    s.requestsQueued = static_cast<int>(sched->waiting().size() + incoming.size());
}

// The block map of `s` from the scheduler's, with running-sequence indices
// turned into indices in s.sequences (both sorted by request id). Under
// statsMutex, so owners and sequences always come from the same moment.
void Engine::Impl::refreshOwners(EngineStats& s)
{
    sched->blockOwners(ownersScratch);
    const auto& running = sched->running();
    std::vector<std::int32_t> index(running.size(), EngineStats::kBlockFree);
    for (std::size_t i = 0; i < running.size(); ++i) {
        const auto it = std::lower_bound(s.sequences.begin(), s.sequences.end(), running[i]->id,
                                         [](const SequenceKv& q, std::uint64_t id) { return q.request < id; });
        if (it != s.sequences.end() && it->request == running[i]->id)
            index[i] = static_cast<std::int32_t>(it - s.sequences.begin());
    }
    static_assert(scheduler::Scheduler::kOwnerFree == EngineStats::kBlockFree
                  && scheduler::Scheduler::kOwnerCached == EngineStats::kBlockCached
                  && scheduler::Scheduler::kOwnerShared == EngineStats::kBlockShared);
    // Usually every active sequence runs and the indices already agree.
    bool identity = true;
    for (std::size_t i = 0; i < index.size(); ++i)
        identity = identity && index[i] == static_cast<std::int32_t>(i);
    if (!identity)
        for (auto& owner : ownersScratch)
            if (owner >= 0)
                owner = index[static_cast<std::size_t>(owner)];
    // Swap, not copy: the old vector becomes next time's scratch.
    s.kvBlockOwners.swap(ownersScratch);
}

void Engine::Impl::refreshStats(int stepSequences, int stepTokens, int generatedNow)
{
    const auto now = Clock::now();
    std::lock_guard lock(statsMutex);
    recent.add(now, generatedNow);
    auto& s = snapshot;
    const auto kvs = cache->stats();
    s.kvBlocksTotal = blocks->capacity();
    s.kvBlockTokens = kvs.blockTokens;
    s.kvBytesPerToken = kvs.bytesPerToken;
    s.kvBytesTotal = kvs.bytesTotal;
    refreshKv(s);
    if (stepSequences > 0) {
        ++s.steps;
        s.lastStepSequences = stepSequences;
        s.lastStepTokens = stepTokens;
        ++s.batchSizeCounts[static_cast<std::size_t>(batchBucket(stepSequences))];
    }
    s.tokensGenerated += static_cast<std::uint64_t>(generatedNow);
}

void Engine::Impl::finish(Seq& s, FinishReason reason, std::string error)
{
    sched->remove(&s.seq);
    GenerationResult result = std::move(s.result);
    std::string tail;
    if (s.decoder && reason != FinishReason::Error && !s.dropTail)
        tail = s.held + s.decoder->flush();
    s.held.clear();
    result.finish = reason;
    result.error = std::move(error);
    result.rejected = s.rejected && reason == FinishReason::Error;
    result.text += tail;
    const auto now = Clock::now();
    result.stats.promptTokens = s.promptTokens;
    result.stats.totalMs = msBetween(s.state->submitted, now);
    if (result.stats.generatedTokens > 1) {
        const double decodeMs = msBetween(s.firstToken, s.lastToken);
        result.stats.tokensPerSecond = decodeMs > 0 ? (result.stats.generatedTokens - 1) / (decodeMs / 1000.0) : 0;
    }
    TokenEvent ev;
    ev.final = true;
    ev.finish = reason;
    ev.error = result.error;
    ev.rejected = result.rejected;
    ev.text = std::move(tail);
    deliverFinal(*s.state, ev);
    {
        std::lock_guard lock(statsMutex);
        ++snapshot.requestsFinished;
    }
    auto state = s.state;
    const auto id = s.seq.id;
    active.erase(id);  // destroys s
    // Waiters see the blocks already back in the stats (when there is
    // memory to say so: a waiter must never be left waiting).
    try {
        refreshCounts();
    } catch (const std::exception&) {
    }
    publishResult(*state, std::move(result));
}

// Ends a request that cannot be finished the usual way (finish() itself ran
// out of memory): out of the scheduler and the active set, its waiters told.
void Engine::Impl::abandon(const std::shared_ptr<RequestHandle::State>& state, const std::string& error)
{
    if (auto it = active.find(state->id); it != active.end()) {
        sched->remove(&it->second->seq);
        active.erase(it);
    }
    GenerationResult result;
    result.finish = FinishReason::Error;
    result.error = error;
    publishResult(*state, std::move(result));
}

void Engine::Impl::intake(const std::shared_ptr<RequestHandle::State>& state)
{
    auto s = std::make_unique<Seq>();
    s->state = state;
    s->seq.id = state->id;
    s->promptTokens = static_cast<int>(state->prompt.size());
    Seq& ref = *s;
    active.emplace(state->id, std::move(s));
    if (state->cancelled)
        return finish(ref, FinishReason::Cancelled);
    // Refused before it runs: the caller's to fix (TokenEvent::rejected).
    auto reject = [&](std::string why) {
        ref.rejected = true;
        finish(ref, FinishReason::Error, std::move(why));
    };
    if (!state->error.empty())
        return reject(state->error);
    const auto& req = state->request;
    sampling::SamplerConfig sc;
    sc.temperature = req.sampling.temperature;
    sc.topK = req.sampling.topK;
    sc.topP = req.sampling.topP;
    sc.minP = req.sampling.minP;
    sc.repeatPenalty = req.sampling.repeatPenalty;
    sc.frequencyPenalty = req.sampling.frequencyPenalty;
    sc.presencePenalty = req.sampling.presencePenalty;
    sc.penaltyWindow = req.sampling.penaltyWindow;
    sc.seed = req.sampling.seed;
    auto sampler = sampling::Sampler::create(sc);
    if (!sampler)
        return reject("sampling settings: " + sampler.error());
    ref.sampler.emplace(std::move(sampler.value()));
    if (state->schema) {
        ref.json.emplace(state->schema);
        if (!jsonMasker)
            jsonMasker.emplace(pieces, eog);
    }
    ref.decoder.emplace(*tok, false, false);
    if (req.maxTokens <= 0)
        return finish(ref, FinishReason::Length);
    ref.seq.tokens = state->prompt;
    ref.prefillStart = Clock::now();
    sched->add(&ref.seq);
}

// Streams one sampled token and applies the stop conditions.
void Engine::Impl::emitToken(Seq& s, std::int32_t token, bool eogToken)
{
    const auto& req = s.state->request;
    const auto now = Clock::now();
    auto& result = s.result;
    result.tokens.push_back(token);
    const int n = ++result.stats.generatedTokens;
    {
        std::lock_guard lock(statsMutex);
        if (n == 1)
            record(snapshot.ttft, msBetween(s.state->submitted, now));
        else
            record(snapshot.interToken, msBetween(s.lastToken, now));
    }
    if (n == 1) {
        s.firstToken = now;
        result.stats.ttftMs = msBetween(s.state->submitted, now);
        const double prefillMs = msBetween(s.prefillStart, now);
        result.stats.promptTokensPerSecond = prefillMs > 0 ? s.promptTokens / (prefillMs / 1000.0) : 0;
    }
    s.lastToken = now;

    s.held += eogToken ? std::string() : s.decoder->push(token);
    TokenEvent ev;
    ev.token = token;
    std::optional<FinishReason> reason;
    if (eogToken)
        reason = FinishReason::Stop;
    std::size_t emit = s.held.size();
    if (!req.stop.empty() && !s.json) {
        std::size_t first = std::string::npos;
        for (const auto& stop : req.stop)
            first = std::min(first, s.held.find(stop));
        if (first != std::string::npos) {
            emit = first;
            reason = FinishReason::Stop;
        } else {
            // Hold back the longest tail that could still begin a stop string.
            std::size_t keep = 0;
            for (const auto& stop : req.stop)
                for (std::size_t k = std::min(stop.size() - 1, s.held.size()); k > keep; --k)
                    if (s.held.compare(s.held.size() - k, k, stop, 0, k) == 0) {
                        keep = k;
                        break;
                    }
            emit = s.held.size() - keep;
        }
    }
    ev.text = s.held.substr(0, emit);
    if (reason && !eogToken) {
        s.held.clear();      // a stop string: it and what follows are dropped
        s.dropTail = true;
    } else {
        s.held.erase(0, emit);
    }
    result.text += ev.text;
    deliver(*s.state, ev);

    if (!reason && s.json && s.json->finished())
        reason = FinishReason::Stop;
    if (!reason && n >= req.maxTokens)
        reason = FinishReason::Length;
    // The next forward would run at position size - 1.
    if (!reason && static_cast<int>(s.seq.tokens.size()) > seqContext)
        reason = FinishReason::Length;
    if (reason)
        finish(s, *reason);
}

void Engine::Impl::sampleNext(Seq& s, const float* row)
{
    const auto vocab = static_cast<std::size_t>(model->config().vocab);
    std::span<const float> view(row, vocab);
    if (s.json) {
        const auto& req = s.state->request;
        const int left = std::min(req.maxTokens - s.result.stats.generatedTokens, roomAfter(s.seq.tokens.size()));
        if (s.json->finished() || (s.json->complete() && left <= 1))
            return finish(s, FinishReason::Stop);
        jsonMasker->mask(*s.json, left, allowed);
        masked.assign(row, row + vocab);
        bool any = false;
        for (std::size_t i = 0; i < vocab; ++i) {
            if (!allowed[i])
                masked[i] = -std::numeric_limits<float>::infinity();
            else
                any = true;
        }
        if (!any)
            return finish(s, FinishReason::Error, "JSON schema: no token of the vocabulary can continue the value");
        view = std::span<const float>(masked.data(), vocab);
    }
    auto next = s.sampler->sample(view, s.seq.tokens);
    if (!next)
        return finish(s, FinishReason::Error, "sampling: " + next.error());
    const std::int32_t token = *next;
    s.seq.tokens.push_back(token);
    if (s.json && !eog[static_cast<std::size_t>(token)] && !s.json->feed(pieces[static_cast<std::size_t>(token)]))
        return finish(s, FinishReason::Error, "JSON schema: the sampled token does not continue the value");
    const bool eogToken = s.state->request.stopAtEndOfGeneration && eog[static_cast<std::size_t>(token)];
    emitToken(s, token, eogToken);
}

void Engine::Impl::step()
{
    const auto plan = sched->schedule();
    if (plan.entries.empty()) {
        refreshStats(0, 0, 0);
        return;
    }
    std::vector<model::BatchToken> batch;
    batch.reserve(static_cast<std::size_t>(plan.tokens));
    std::vector<kv::BlockTable*> tables;
    tables.reserve(plan.entries.size());
    for (std::size_t e = 0; e < plan.entries.size(); ++e) {
        const auto& entry = plan.entries[e];
        tables.push_back(&entry.seq->table);
        for (int i = entry.start; i < entry.start + entry.count; ++i)
            batch.push_back({entry.seq->tokens[static_cast<std::size_t>(i)], i, static_cast<std::int32_t>(e),
                             entry.logits && i == entry.start + entry.count - 1});
    }
    auto status = model->forward(batch, tables, *cache, *pool, ws, logits);
    if (!status) {
        for (const auto& entry : plan.entries)
            if (auto it = active.find(entry.seq->id); it != active.end())
                finish(*it->second, FinishReason::Error, status.error());
        refreshStats(0, 0, 0);
        return;
    }
    sched->commit(plan);
    const auto vocab = static_cast<std::size_t>(model->config().vocab);
    std::size_t row = 0;
    int generated = 0;
    for (const auto& entry : plan.entries) {
        if (!entry.logits)
            continue;
        const float* r = logits.data() + row * vocab;
        ++row;
        auto it = active.find(entry.seq->id);
        if (it == active.end())
            continue;
        Seq& s = *it->second;
        if (s.state->cancelled) {
            finish(s, FinishReason::Cancelled);
            continue;
        }
        ++generated;
        sampleNext(s, r);
    }
    refreshStats(static_cast<int>(plan.entries.size()), plan.tokens, generated);
}

void Engine::Impl::loop()
{
    for (;;) {
        std::deque<std::shared_ptr<RequestHandle::State>> arrived;
        bool stop = false;
        {
            std::unique_lock lock(mutex);
            wake.wait(lock, [&] { return stopping || !incoming.empty() || !active.empty(); });
            arrived.swap(incoming);
            stop = stopping;
        }
        for (auto& state : arrived) {
            if (stop)
                state->cancelled = true;
            try {
                intake(state);
            } catch (const std::exception& e) {
                abandon(state, std::string("engine: cannot take the request: ") + e.what());
            }
        }
        // Cancellations (and shutdown) take effect between steps.
        std::vector<Seq*> cancelled;
        for (auto& [id, s] : active)
            if (stop || s->state->cancelled)
                cancelled.push_back(s.get());
        for (Seq* s : cancelled)
            finish(*s, FinishReason::Cancelled);
        if (stop) {
            refreshStats(0, 0, 0);
            return;
        }
        if (!active.empty())
            guardedStep();
    }
}

// step(), with what it may throw (out of memory for logits, a workspace or
// KV rows) turned into an error for the requests of that step: every active
// one, since a half-done step leaves none of them in a known state.
void Engine::Impl::guardedStep()
{
    std::string error;
    try {
        step();
        return;
    } catch (const std::bad_alloc&) {
        error = "engine: out of memory during a step";
    } catch (const std::exception& e) {
        error = std::string("engine: ") + e.what();
    }
    std::vector<std::shared_ptr<RequestHandle::State>> all;
    for (auto& [id, s] : active)
        all.push_back(s->state);
    for (const auto& state : all) {
        const auto it = active.find(state->id);
        if (it == active.end())
            continue;
        try {
            finish(*it->second, FinishReason::Error, error);
        } catch (const std::exception&) {
            abandon(state, error);
        }
    }
    try {
        refreshStats(0, 0, 0);
    } catch (const std::exception&) {
    }
}

Result<std::vector<std::vector<float>>> Engine::embed(const std::vector<std::string>& texts) const
{
    const Impl& d = *m_impl;
    const int embd = d.model->config().embd;
    const int bt = d.config.kvBlockTokens;
    std::vector<std::vector<std::int32_t>> ids(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        // Cut to the context below anyway: a text of megabytes is cut to
        // bytes that still hold more tokens than that before tokenizing.
        const std::string_view text = texts[i];
        ids[i] = d.tok->tokenize(text.substr(0, unicode::cutPoint(text, d.bytesBeyondContext())), true, false);
        if (static_cast<int>(ids[i].size()) > d.seqContext)
            ids[i].resize(static_cast<std::size_t>(d.seqContext));
        if (ids[i].empty())
            return Error{"embed: text " + std::to_string(i) + " has no tokens"};
    }
    std::vector<std::vector<float>> out(texts.size());
    // Batches of whole texts up to the step budget; a text longer than the
    // budget goes alone, in chunks of it (each chunk attends to the ones
    // before it through the cache), so a forward pass never holds more than
    // stepTokens tokens of workspace. Each batch has its own cache of the
    // engine's KV type, sized for its texts: embedding never competes with
    // generation for KV blocks.
    const std::size_t step = static_cast<std::size_t>(d.config.stepTokens);
    model::Workspace ws;
    std::vector<float> hidden;
    std::vector<model::BatchToken> batch;
    std::size_t i = 0;
    while (i < texts.size()) {
        std::size_t j = i;
        std::size_t tokens = 0;
        int blocksNeeded = 0;
        while (j < texts.size() && (j == i || tokens + ids[j].size() <= step)) {
            tokens += ids[j].size();
            blocksNeeded += (static_cast<int>(ids[j].size()) + bt - 1) / bt;
            ++j;
        }
        auto cache = kv::KvCache::create(d.model->kvConfig(blocksNeeded * bt, bt, kvTypeOf(d.config.kvType)));
        if (!cache)
            return Error{"embed: " + cache.error()};
        std::vector<kv::BlockTable> tables(j - i);
        std::vector<kv::BlockTable*> ptrs;
        for (std::size_t k = i; k < j; ++k) {
            if (auto s = cache->reserve(tables[k - i], static_cast<int>(ids[k].size())); !s)
                return Error{"embed: " + s.error()};
            ptrs.push_back(&tables[k - i]);
        }
        std::vector<std::vector<double>> sums(j - i, std::vector<double>(static_cast<std::size_t>(embd), 0.0));
        auto run = [&]() -> Status {
            if (batch.empty())
                return Status::success();
            if (auto s = d.model->hiddenStates(batch, ptrs, *cache, *d.pool, ws, hidden); !s)
                return s;
            for (std::size_t t = 0; t < batch.size(); ++t) {
                auto& sum = sums[static_cast<std::size_t>(batch[t].seq)];
                const float* h = hidden.data() + t * static_cast<std::size_t>(embd);
                for (int e = 0; e < embd; ++e)
                    sum[static_cast<std::size_t>(e)] += h[e];
            }
            batch.clear();
            return Status::success();
        };
        for (std::size_t k = i; k < j; ++k)
            for (std::size_t p = 0; p < ids[k].size(); ++p) {
                batch.push_back({ids[k][p], static_cast<std::int32_t>(p), static_cast<std::int32_t>(k - i), false});
                if (batch.size() == step)
                    if (auto s = run(); !s)
                        return Error{"embed: " + s.error()};
            }
        if (auto s = run(); !s)
            return Error{"embed: " + s.error()};
        for (std::size_t k = i; k < j; ++k) {
            auto& sum = sums[k - i];
            double norm = 0;
            for (double& v : sum) {
                v /= static_cast<double>(ids[k].size());
                norm += v * v;
            }
            norm = std::sqrt(norm);
            auto& vec = out[k];
            vec.resize(static_cast<std::size_t>(embd));
            for (int e = 0; e < embd; ++e)
                vec[static_cast<std::size_t>(e)] = norm > 0 ? static_cast<float>(sum[static_cast<std::size_t>(e)] / norm) : 0.0f;
        }
        for (auto& t : tables)
            cache->release(t);
        i = j;
    }
    return out;
}

} // namespace outpost::inference
