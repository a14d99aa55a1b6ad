#include "inference/engine.h"

#include "inference/chat/chat_template.h"
#include "inference/gguf/gguf_file.h"
#include "inference/kv/kv_cache.h"
#include "inference/model/model.h"
#include "inference/runtime/thread_pool.h"
#include "inference/sampling/sampler.h"
#include "inference/tokenizer/streaming_decoder.h"
#include "inference/tokenizer/tokenizer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
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

struct Engine::Impl {
    EngineConfig config;
    ModelInfo info;
    std::unique_ptr<model::Model> model;
    std::optional<tokenizer::Tokenizer> tok;
    std::optional<chat::ChatTemplate> chatTemplate;
    std::unique_ptr<runtime::ThreadPool> pool;
    std::optional<kv::KvCache> cache;
    model::Workspace ws;

    // The queue. Invariant: a request is in `queue` until the engine thread
    // takes it; `running` counts the one it works on.
    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::shared_ptr<RequestHandle::State>> queue;
    bool stopping = false;
    int running = 0;
    std::shared_ptr<RequestHandle::State> current; // the request being run, for the destructor to cancel
    std::uint64_t nextId = 1;
    std::atomic<std::uint64_t> finished{0};
    std::atomic<std::uint64_t> generated{0};
    std::atomic<int> kvUsed{0};
    std::thread worker;

    void loop();
    void runRequest(RequestHandle::State& state);
    Result<std::vector<std::int32_t>> promptOf(const GenerationRequest& r) const;
    Result<std::string> render(const std::vector<ChatTurn>& messages) const;
};

Engine::Engine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Engine::~Engine()
{
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->stopping = true;
        for (auto& s : m_impl->queue)
            s->cancelled = true;
        if (m_impl->current)
            m_impl->current->cancelled = true;
    }
    m_impl->wake.notify_all();
    if (m_impl->worker.joinable())
        m_impl->worker.join();
}

Result<std::unique_ptr<Engine>> Engine::load(const EngineConfig& config)
{
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    if (config.threads < 0 || config.contextLength < 0 || config.kvBlockTokens <= 0 || config.prefillChunk <= 0)
        return Error{"engine settings: threads and context length must be >= 0, KV block size and prefill chunk > 0"};
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
    impl->pool = std::make_unique<runtime::ThreadPool>(config.threads);
    auto cache = kv::KvCache::create(impl->model->kvConfig(context, config.kvBlockTokens, config.kvF16 ? kv::KvType::F16 : kv::KvType::F32));
    if (!cache)
        return Error{config.modelPath + ": " + cache.error()};
    impl->cache.emplace(std::move(cache.value()));
    // The cache holds whole blocks; the context is what they hold.
    context = impl->cache->config().blocks * impl->cache->config().blockTokens;

    auto& info = impl->info;
    info.path = config.modelPath;
    info.architecture = mc.architecture;
    info.name = mc.name;
    info.parameters = mc.parameters;
    info.vocabSize = mc.vocab;
    info.layers = mc.layers;
    info.embedding = mc.embd;
    info.contextTrain = mc.contextTrain;
    info.contextLength = context;
    info.threads = impl->pool->size();
    info.hasChatTemplate = ownTemplate;

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

Result<std::vector<std::int32_t>> Engine::Impl::promptOf(const GenerationRequest& r) const
{
    if (!r.promptTokens.empty()) {
        for (auto id : r.promptTokens)
            if (id < 0 || static_cast<std::size_t>(id) >= tok->vocabSize())
                return Error{"prompt token " + std::to_string(id) + " is outside the vocabulary"};
        return r.promptTokens;
    }
    if (!r.messages.empty()) {
        auto text = render(r.messages);
        if (!text)
            return Error{"chat template: " + text.error()};
        // Templates write the BOS text themselves; tokenizing with special
        // tokens parsed would then give two BOS tokens.
        auto ids = tok->tokenize(*text, true, true);
        if (ids.size() >= 2 && ids[0] == tok->bos() && ids[1] == tok->bos())
            ids.erase(ids.begin());
        return ids;
    }
    return tok->tokenize(r.prompt, r.addSpecial, false);
}

RequestHandle Engine::submit(GenerationRequest request)
{
    auto state = std::make_shared<RequestHandle::State>();
    state->request = std::move(request);
    state->submitted = Clock::now();
    {
        std::lock_guard lock(m_impl->mutex);
        state->id = m_impl->nextId++;
        if (m_impl->stopping)
            state->cancelled = true;
        m_impl->queue.push_back(state);
    }
    m_impl->wake.notify_all();
    return RequestHandle(state);
}

GenerationResult Engine::generate(GenerationRequest request)
{
    return submit(std::move(request)).wait();
}

EngineStats Engine::stats() const
{
    EngineStats s;
    const auto kvs = m_impl->cache->stats();
    s.kvBlocksTotal = kvs.blocksTotal;
    s.kvBlocksUsed = m_impl->kvUsed.load();
    s.kvBlockTokens = kvs.blockTokens;
    s.kvBytesPerToken = kvs.bytesPerToken;
    std::lock_guard lock(m_impl->mutex);
    s.requestsQueued = static_cast<int>(m_impl->queue.size());
    s.requestsRunning = m_impl->running;
    s.requestsFinished = m_impl->finished.load();
    s.tokensGenerated = m_impl->generated.load();
    return s;
}

void Engine::Impl::loop()
{
    for (;;) {
        std::shared_ptr<RequestHandle::State> state;
        {
            std::unique_lock lock(mutex);
            wake.wait(lock, [&] { return stopping || !queue.empty(); });
            if (queue.empty())
                return;  // stopping, nothing left
            state = queue.front();
            queue.pop_front();
            ++running;
            current = state;
            if (stopping)
                state->cancelled = true;
        }
        runRequest(*state);
        {
            std::lock_guard lock(mutex);
            --running;
            current.reset();
        }
        ++finished;
    }
}

void Engine::Impl::runRequest(RequestHandle::State& state)
{
    const GenerationRequest& req = state.request;
    GenerationResult result;
    kv::BlockTable table;
    kv::BlockTable* tables[] = {&table};
    auto emit = [&](const TokenEvent& ev) {
        if (req.onToken)
            req.onToken(ev);
    };
    // Every exit goes through finish(), which gives the blocks back before
    // anyone waiting on the request wakes.
    auto finish = [&](FinishReason reason, std::string error, std::string tail) {
        cache->release(table);
        kvUsed = cache->stats().blocksUsed;
        result.finish = reason;
        result.error = std::move(error);
        result.text += tail;
        TokenEvent ev;
        ev.final = true;
        ev.finish = reason;
        ev.error = result.error;
        ev.text = std::move(tail);
        emit(ev);
        std::lock_guard lock(state.mutex);
        state.result = std::move(result);
        state.done = true;
        state.cv.notify_all();
    };
    auto msSince = [](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };

    if (state.cancelled)
        return finish(FinishReason::Cancelled, {}, {});
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
        return finish(FinishReason::Error, "sampling settings: " + sampler.error(), {});
    auto prompt = promptOf(req);
    if (!prompt)
        return finish(FinishReason::Error, prompt.error(), {});
    std::vector<std::int32_t> history = std::move(prompt.value());
    const int promptTokens = static_cast<int>(history.size());
    result.stats.promptTokens = promptTokens;
    const int context = info.contextLength;
    if (promptTokens == 0)
        return finish(FinishReason::Error, "the prompt is empty (no tokens)", {});
    if (promptTokens >= context)
        return finish(FinishReason::Error,
                      "the prompt has " + std::to_string(promptTokens) + " tokens but the context holds "
                          + std::to_string(context) + " (one more is needed to generate); shorten it or raise the context length",
                      {});

    std::vector<float> logits;
    std::vector<model::BatchToken> batch;
    const auto prefillStart = Clock::now();
    for (int start = 0; start < promptTokens; start += config.prefillChunk) {
        if (state.cancelled)
            return finish(FinishReason::Cancelled, {}, {});
        const int end = std::min(promptTokens, start + config.prefillChunk);
        if (auto s = cache->reserve(table, end); !s)
            return finish(FinishReason::Error, s.error(), {});
        kvUsed = cache->stats().blocksUsed;
        batch.clear();
        for (int i = start; i < end; ++i)
            batch.push_back({history[static_cast<std::size_t>(i)], i, 0, i == promptTokens - 1});
        if (auto s = model->forward(batch, tables, *cache, *pool, ws, logits); !s)
            return finish(FinishReason::Error, s.error(), {});
    }
    const double prefillMs = msSince(prefillStart);
    result.stats.promptTokensPerSecond = prefillMs > 0 ? promptTokens / (prefillMs / 1000.0) : 0;

    tokenizer::StreamingDecoder decoder(*tok, false, false);
    Clock::time_point firstToken;
    FinishReason reason = FinishReason::Length;
    for (int n = 0; n < req.maxTokens; ++n) {
        if (state.cancelled) {
            reason = FinishReason::Cancelled;
            break;
        }
        auto next = sampler->sample(logits, history);
        if (!next)
            return finish(FinishReason::Error, "sampling: " + next.error(), decoder.flush());
        const std::int32_t token = *next;
        history.push_back(token);
        result.tokens.push_back(token);
        ++generated;
        if (n == 0) {
            firstToken = Clock::now();
            result.stats.ttftMs = std::chrono::duration<double, std::milli>(firstToken - state.submitted).count();
        }
        result.stats.generatedTokens = n + 1;
        const bool eog = req.stopAtEndOfGeneration && tok->isEog(token);
        TokenEvent ev;
        ev.token = token;
        ev.text = eog ? std::string() : decoder.push(token);
        result.text += ev.text;
        emit(ev);
        if (eog) {
            reason = FinishReason::Stop;
            break;
        }
        if (n + 1 == req.maxTokens)
            break;
        const int pos = static_cast<int>(history.size()) - 1;
        if (pos >= context)
            break;  // Length: the context is full
        if (auto s = cache->reserve(table, pos + 1); !s)
            return finish(FinishReason::Error, s.error(), decoder.flush());
        kvUsed = cache->stats().blocksUsed;
        const model::BatchToken bt{token, pos, 0, true};
        if (auto s = model->forward(std::span(&bt, 1), tables, *cache, *pool, ws, logits); !s)
            return finish(FinishReason::Error, s.error(), decoder.flush());
    }
    if (result.stats.generatedTokens > 1) {
        const double decodeMs = msSince(firstToken);
        result.stats.tokensPerSecond = decodeMs > 0 ? (result.stats.generatedTokens - 1) / (decodeMs / 1000.0) : 0;
    }
    result.stats.totalMs = msSince(state.submitted);
    finish(reason, {}, decoder.flush());
}

} // namespace outpost::inference
