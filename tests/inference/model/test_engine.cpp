// The engine's public face on the tiny real model: text in, streamed tokens
// out, the same greedy tokens as llama.cpp, cancellation, context limits,
// chat rendering and stats.
#include "inference/engine.h"
#include "inference/util/rate_window.h"

#include "tiny_engine.h"

#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <atomic>
#include <chrono>
#include <thread>

using namespace outpost::inference;
using outpost::inference::testing::loadTinyEngine;

namespace {

QString sharedPath(const char* rel)
{
    return QStringLiteral(OUTPOST_SHARED_DIR "/") + QString::fromLatin1(rel);
}

SamplingSettings greedy()
{
    SamplingSettings s;
    s.temperature = 0;
    return s;
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_engine;

private slots:
    void initTestCase()
    {
        const QString path = sharedPath("models/stories260K.gguf");
        if (!QFile::exists(path))
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        EngineConfig config;
        config.modelPath = path.toStdString();
        config.threads = 2;
        config.contextLength = 512;
        auto engine = Engine::load(config);
        QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().c_str());
        m_engine = std::move(engine.value());
        QCOMPARE(m_engine->info().architecture, std::string("llama"));
        QCOMPARE(m_engine->info().contextLength, 512);
        QCOMPARE(m_engine->info().vocabSize, 512);
    }

    // Text prompts through the tokenizer, the model and greedy sampling give
    // llama.cpp's tokens (the F16 cache rounds as llama.cpp's does, so even
    // the near-tie of "Sara had a red ball" comes out the same), and the
    // streamed pieces join to the reference text.
    void greedyTextMatchesReference()
    {
        QFile f(sharedPath("reference/stories260K-greedy.json"));
        if (!f.open(QIODevice::ReadOnly))
            QSKIP("shared/reference/stories260K-greedy.json is absent");
        const auto results = QJsonDocument::fromJson(f.readAll()).object()[QStringLiteral("results")].toArray();
        for (const auto& item : results) {
            const auto r = item.toObject();
            const std::string prompt = r[QStringLiteral("prompt")].toString().toStdString();
            std::vector<std::int32_t> wantPrompt, want;
            for (const auto& x : r[QStringLiteral("prompt_ids")].toArray())
                wantPrompt.push_back(x.toInt());
            for (const auto& x : r[QStringLiteral("generated_ids")].toArray())
                want.push_back(x.toInt());
            QCOMPARE(m_engine->tokenize(prompt), wantPrompt);

            GenerationRequest req;
            req.prompt = prompt;
            req.maxTokens = int(want.size());
            req.sampling = greedy();
            std::string streamed;
            int events = 0;
            bool sawFinal = false;
            req.onToken = [&](const TokenEvent& ev) {
                QVERIFY(!sawFinal);
                streamed += ev.text;
                ++events;
                sawFinal = ev.final;
            };
            const auto result = m_engine->generate(req);
            QCOMPARE(result.finish, FinishReason::Length);
            QVERIFY(sawFinal);
            QCOMPARE(events, int(want.size()) + 1);
            QCOMPARE(result.tokens, want);
            QCOMPARE(result.text, streamed);
            QCOMPARE(QString::fromStdString(result.text), r[QStringLiteral("generated_text")].toString());
            QCOMPARE(result.stats.promptTokens, int(wantPrompt.size()));
            QCOMPARE(result.stats.generatedTokens, int(want.size()));
            QVERIFY(result.stats.ttftMs > 0);
            QVERIFY(result.stats.tokensPerSecond > 0);
            QVERIFY(result.stats.promptTokensPerSecond > 0);
        }
        QCOMPARE(m_engine->stats().kvBlocksUsed, 0);
    }

    void seededSamplingIsReproducible()
    {
        GenerationRequest req;
        req.prompt = "Once upon a time";
        req.maxTokens = 30;
        req.sampling.temperature = 0.9f;
        req.sampling.seed = 42;
        const auto a = m_engine->generate(req);
        const auto b = m_engine->generate(req);
        QCOMPARE(a.tokens, b.tokens);
        req.sampling.seed = 43;
        const auto c = m_engine->generate(req);
        QVERIFY(a.tokens != c.tokens);
    }

    void cancelStopsAtTheNextStep()
    {
        GenerationRequest req;
        req.prompt = "The little dog";
        req.maxTokens = 200;
        req.sampling = greedy();
        RequestHandle handle;
        std::mutex m;
        int tokens = 0;
        req.onToken = [&](const TokenEvent& ev) {
            if (ev.token >= 0 && ++tokens == 3) {
                std::lock_guard lock(m);
                handle.cancel();
            }
        };
        {
            std::lock_guard lock(m);
            handle = m_engine->submit(req);
        }
        const auto result = handle.wait();
        QCOMPARE(result.finish, FinishReason::Cancelled);
        QCOMPARE(result.tokens.size(), std::size_t(3));
        QVERIFY(handle.finished());
        QCOMPARE(m_engine->stats().kvBlocksUsed, 0);
    }

    void promptLongerThanContextIsAnError()
    {
        GenerationRequest req;
        std::string text;
        for (int i = 0; i < 400; ++i)
            text += "the dog ran. ";
        req.prompt = text;
        const auto result = m_engine->generate(req);
        QCOMPARE(result.finish, FinishReason::Error);
        QVERIFY2(QString::fromStdString(result.error).contains(QStringLiteral("context")), result.error.c_str());
        QVERIFY(result.tokens.empty());
        // A message of megabytes is refused from its size alone, without
        // tokenizing it, as plain text and as a chat message.
        req.prompt = std::string(30 << 20, 'a');
        auto huge = m_engine->generate(req);
        QCOMPARE(huge.finish, FinishReason::Error);
        QVERIFY2(huge.rejected && huge.error.find("bytes, far more than") != std::string::npos, huge.error.c_str());
        req.prompt.clear();
        req.messages = {{"user", std::string(30 << 20, 'a')}};
        huge = m_engine->generate(req);
        QVERIFY2(huge.rejected && huge.error.find("bytes, far more than") != std::string::npos, huge.error.c_str());
        req.messages.clear();
        // The engine still works afterwards.
        req.prompt = "Once upon a time";
        req.maxTokens = 4;
        QCOMPARE(m_engine->generate(req).finish, FinishReason::Length);
    }

    void generationStopsAtTheContext()
    {
        // 5 prompt tokens + as many as fit: the context ends it as "length".
        GenerationRequest req;
        req.prompt = "Once upon a time";
        req.maxTokens = 2000;
        req.stopAtEndOfGeneration = false;
        req.sampling = greedy();
        const auto result = m_engine->generate(req);
        QCOMPARE(result.finish, FinishReason::Length);
        QCOMPARE(result.stats.promptTokens + result.stats.generatedTokens, 512 + 1);
    }

    void badRequestsFinishWithErrors()
    {
        GenerationRequest req;
        req.promptTokens = {1, 9999};
        auto r = m_engine->generate(req);
        QCOMPARE(r.finish, FinishReason::Error);
        QVERIFY(r.rejected);   // the request's fault, found before it ran
        req.promptTokens.clear();
        req.prompt = "Hello";
        req.sampling.topP = 0;
        r = m_engine->generate(req);
        QCOMPARE(r.finish, FinishReason::Error);
        QVERIFY(r.rejected);
        QVERIFY(QString::fromStdString(r.error).contains(QStringLiteral("sampling")));
        req.sampling.topP = 1;
        r = m_engine->generate(req);
        QVERIFY(!r.rejected);
    }

    void chatUsesChatmlWithoutTemplate()
    {
        const auto text = m_engine->renderChat({{"system", "Be brief."}, {"user", "Hi"}});
        QVERIFY2(text.ok(), text.ok() ? "" : text.error().c_str());
        QCOMPARE(*text, std::string("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
        GenerationRequest req;
        req.messages = {{"user", "Tell a story"}};
        req.maxTokens = 5;
        const auto r = m_engine->generate(req);
        QCOMPARE(r.finish, FinishReason::Length);
        QVERIFY(r.stats.promptTokens > 5);
    }

    void queuedRequestsRunInOrder()
    {
        std::vector<RequestHandle> handles;
        for (int i = 0; i < 4; ++i) {
            GenerationRequest req;
            req.prompt = "The sun was";
            req.maxTokens = 8;
            req.sampling = greedy();
            handles.push_back(m_engine->submit(req));
        }
        handles[2].cancel();
        const auto first = handles[0].wait();
        for (std::size_t i = 1; i < handles.size(); ++i) {
            const auto r = handles[i].wait();
            if (i == 2) {
                QVERIFY(r.finish == FinishReason::Cancelled);
                continue;
            }
            QCOMPARE(r.tokens, first.tokens);
        }
        QVERIFY(handles[3].id() > handles[0].id());
        const auto s = m_engine->stats();
        QCOMPARE(s.requestsQueued, 0);
        QCOMPARE(s.kvBlocksUsed, 0);
    }

    void loadErrorsNameTheProblem()
    {
        EngineConfig config;
        config.modelPath = "/nonexistent/model.gguf";
        auto e = Engine::load(config);
        QVERIFY(!e.ok());
        QVERIFY(QString::fromStdString(e.error()).contains(QStringLiteral("/nonexistent/model.gguf")));

        QTemporaryDir dir;
        const QString truncated = dir.path() + QStringLiteral("/truncated.gguf");
        QFile in(sharedPath("models/stories260K.gguf"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray all = in.readAll();
        QFile out(truncated);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(all.left(all.size() / 2));
        out.close();
        config.modelPath = truncated.toStdString();
        e = Engine::load(config);
        QVERIFY(!e.ok());
        qInfo("truncated model: %s", e.error().c_str());
    }

    void destroyingCancelsQueuedWork()
    {
        EngineConfig config;
        config.contextLength = 2048;  // long enough that only cancellation ends the first request in time
        config.threads = 1;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        std::vector<RequestHandle> handles;
        std::atomic<bool> started{false};
        for (int i = 0; i < 5; ++i) {
            GenerationRequest req;
            req.prompt = "Once upon a time";
            req.maxTokens = 1000000;  // only cancellation can end the first one
            req.stopAtEndOfGeneration = false;
            req.onToken = [&](const TokenEvent&) { started = true; };
            handles.push_back(engine->submit(req));
        }
        while (!started)
            std::this_thread::yield();
        engine.reset();
        for (auto& h : handles) {
            QVERIFY(h.finished());
            const auto r = h.wait();
            QVERIFY(r.finish == FinishReason::Cancelled || r.finish == FinishReason::Length);
        }
        QCOMPARE(handles[0].wait().finish, FinishReason::Cancelled);
    }

    // A request that waits behind a full batch is cancelled without ever
    // running, while the one ahead of it goes on.
    void waitingRequestCancelsWithoutRunning()
    {
        EngineConfig config;
        config.contextLength = 256;
        config.maxSequences = 1;
        config.threads = 1;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        GenerationRequest running;
        running.prompt = "Once upon a time";
        running.maxTokens = 64;
        running.stopAtEndOfGeneration = false;
        running.sampling = greedy();
        std::atomic<bool> waiterCancelled{false};
        std::atomic<int> tokensAfterCancel{0};
        // The first token waits for the cancellation, so the second request
        // is surely still waiting when it is cancelled.
        running.onToken = [&](const TokenEvent& ev) {
            while (!waiterCancelled)
                std::this_thread::yield();
            if (!ev.final)
                ++tokensAfterCancel;
        };
        GenerationRequest waiting = running;
        waiting.onToken = nullptr;
        auto first = engine->submit(running);
        auto second = engine->submit(waiting);
        second.cancel();
        waiterCancelled = true;
        const auto cancelled = second.wait();
        QCOMPARE(cancelled.finish, FinishReason::Cancelled);
        QVERIFY(cancelled.tokens.empty());
        QCOMPARE(first.wait().finish, FinishReason::Length);
        QVERIFY(tokensAfterCancel > 0);
    }

    // The engine's callback and prompt go once the request has finished: a
    // callback that holds its own request's handle (a common pattern)
    // would otherwise keep the request alive for ever.
    void finishedRequestsReleaseTheirCallback()
    {
        auto sentinel = std::make_shared<int>(0);
        GenerationRequest req;
        req.prompt = "Once upon a time";
        req.maxTokens = 3;
        req.onToken = [sentinel](const TokenEvent&) { ++*sentinel; };
        auto handle = m_engine->submit(req);
        req.onToken = nullptr;
        QCOMPARE(handle.wait().finish, FinishReason::Length);
        QCOMPARE(*sentinel, 4);   // three tokens and the final event
        QCOMPARE(sentinel.use_count(), 1L);
    }

    // The batch size and rate the studio plots describe what runs now: the
    // batch size goes back to 0 when the engine is idle.
    void idleEngineReportsNoBatch()
    {
        GenerationRequest req;
        req.prompt = "Once upon a time";
        req.maxTokens = 4;
        QCOMPARE(m_engine->generate(req).finish, FinishReason::Length);
        bool idle = false;
        for (int i = 0; i < 10000000 && !idle; ++i) {
            idle = m_engine->stats().lastStepSequences == 0;
            if (!idle)
                std::this_thread::yield();
        }
        QVERIFY(idle);
        QCOMPARE(m_engine->stats().lastStepTokens, 0);
    }

    // The tokens/s stats() reports: tokens of the last two seconds over
    // their span (100 ms at least), and 0 once two seconds pass idle.
    void tokenRateFallsToZeroWhenIdle()
    {
        using namespace std::chrono_literals;
        RateWindow rate;
        const auto t0 = RateWindow::Clock::time_point{} + 1h;
        QCOMPARE(rate.at(t0), 0.0);
        rate.add(t0, 10);
        QCOMPARE(rate.at(t0), 100.0); // one step's tokens: over the 100 ms floor
        rate.add(t0 + 500ms, 0);      // a step that generated nothing
        rate.add(t0 + 1s, 30);
        QCOMPARE(rate.at(t0 + 1s), 40.0);
        QCOMPARE(rate.at(t0 + 2s), 20.0);
        QCOMPARE(rate.at(t0 + 2500ms), 30.0 / 1.5); // the first step left the window
        QCOMPARE(rate.at(t0 + 3001ms), 0.0);
        QCOMPARE(rate.at(t0 + 1h), 0.0);
    }

    // JSON output is complete whatever else limits the request: a prompt
    // that leaves the context too little room for the shortest value is
    // refused up front, and stop strings do not cut the value.
    void jsonOutputIsNeverCut()
    {
        const std::string schema = R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a","b"]})";
        const auto word = m_engine->tokenize("dog", false, false);
        QVERIFY(!word.empty());
        GenerationRequest req;
        req.jsonSchema = schema;
        req.maxTokens = 64;
        req.promptTokens.assign(500, word.front());   // 13 positions left; {"a":"","b":""} is 15 bytes
        auto r = m_engine->generate(req);
        QCOMPARE(r.finish, FinishReason::Error);
        QVERIFY2(r.error.find("room") != std::string::npos, r.error.c_str());
        req.promptTokens.assign(480, word.front());   // 33 positions left
        r = m_engine->generate(req);
        QVERIFY2(r.finish == FinishReason::Stop || r.finish == FinishReason::Length, r.error.c_str());
        QJsonParseError error;
        auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(r.text), &error);
        QVERIFY2(error.error == QJsonParseError::NoError && doc.object().contains(QStringLiteral("b")), r.text.c_str());

        req.promptTokens.clear();
        req.prompt = "Once upon a time";
        req.stop = {"\"", "}", ":"};
        r = m_engine->generate(req);
        doc = QJsonDocument::fromJson(QByteArray::fromStdString(r.text), &error);
        QVERIFY2(error.error == QJsonParseError::NoError && doc.object().contains(QStringLiteral("b")), r.text.c_str());
    }

    // A context cut to what the KV budget holds says so when a prompt does
    // not fit, rather than pointing at the context length.
    void promptBeyondTheKvBudgetNamesIt()
    {
        EngineConfig config;
        config.contextLength = 512;
        config.kvBlockTokens = 8;
        config.kvMemoryMiB = 0.05;   // 80 tokens
        config.threads = 1;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        QVERIFY(engine->info().contextLength < 100);
        GenerationRequest req;
        req.promptTokens.assign(120, 1);
        const auto r = engine->generate(req);
        QCOMPARE(r.finish, FinishReason::Error);
        QVERIFY2(r.error.find("KV memory budget") != std::string::npos, r.error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "test_engine.moc"
