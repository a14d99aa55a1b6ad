#include "core/agent/chat_service.h"

#include "core/agent/chat_store.h"
#include "core/agent/node_types.h"
#include "core/agent/tools.h"
#include "core/json/untrusted_json.h"
#include "core/memory/hashing_embedder.h"
#include "core/memory/memory_nodes.h"
#include "core/memory/vector_index.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <set>
#include <utility>

namespace outpost::core::agent {

namespace {

constexpr const char* kDenied = "Tool call execution denied.";

std::string nanoid(int n)
{
    static const char alphabet[] = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict";
    std::string out;
    for (int i = 0; i < n; ++i)
        out += alphabet[QRandomGenerator::global()->bounded(64)];
    return out;
}

std::string base36(int n)
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string out;
    for (int i = 0; i < n; ++i)
        out += digits[QRandomGenerator::global()->bounded(36)];
    return out;
}

std::int64_t nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
// Decode times for tokens/s: fast local models emit a token in well under a millisecond.
std::int64_t nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string dump(const OJson& j) { return protocol::dump(j); }
using json::stringField;

OJson obj(std::initializer_list<std::pair<const char*, OJson>> kv)
{
    OJson j = OJson::object();
    for (const auto& [k, v] : kv)
        j[k] = v;
    return j;
}

std::string textOf(const OJson& message)
{
    std::string out;
    if (message.is_object() && message.contains("parts") && message["parts"].is_array())
        for (const auto& p : message["parts"])
            if (p.is_object() && stringField(p, "type") == "text" && p.contains("text") && p["text"].is_string())
                out += p["text"].get<std::string>();
    if (out.empty() && message.is_object() && message.contains("content") && message["content"].is_string())
        out = message["content"].get<std::string>();
    return out;
}

bool isToolPart(const OJson& p)
{
    return p.is_object() && p.contains("toolCallId") && p["toolCallId"].is_string() && stringField(p, "type").rfind("tool-", 0) == 0;
}

bool pendingPart(const OJson& p)
{
    if (!isToolPart(p))
        return false;
    const std::string st = stringField(p, "state");
    return st == "approval-requested" || st == "input-available" || st == "input-streaming";
}

// UIMessages to OpenAI chat messages. A tool call whose result is still
// unknown is left out (a request cannot carry a call without its result).
void appendOpenAi(OJson& out, const OJson& message)
{
    if (!message.is_object())
        return;
    const std::string role = stringField(message, "role", "user");
    if (role != "assistant") {
        out.push_back(obj({{"role", role == "system" ? "system" : "user"}, {"content", textOf(message)}}));
        return;
    }
    std::string text;
    OJson calls = OJson::array();
    OJson results = OJson::array();
    auto flush = [&] {
        if (text.empty() && calls.empty())
            return;
        OJson m = obj({{"role", "assistant"}, {"content", text.empty() ? OJson(nullptr) : OJson(text)}});
        if (!calls.empty())
            m["tool_calls"] = calls;
        out.push_back(std::move(m));
        for (auto& r : results)
            out.push_back(std::move(r));
        text.clear();
        calls = OJson::array();
        results = OJson::array();
    };
    if (!message.contains("parts") || !message["parts"].is_array())
        return;
    for (const auto& p : message["parts"]) {
        if (!p.is_object())
            continue;
        const std::string type = stringField(p, "type");
        if (type == "step-start") {
            flush();
        } else if (type == "text" && p.contains("text") && p["text"].is_string()) {
            text += p["text"].get<std::string>();
        } else if (isToolPart(p)) {
            const std::string state = stringField(p, "state");
            std::string result;
            if (state == "output-available")
                result = p.contains("output") ? (p["output"].is_string() ? p["output"].get<std::string>() : dump(p["output"])) : "null";
            else if (state == "output-denied")
                result = kDenied;
            else if (state == "output-error")
                result = "Error: " + stringField(p, "errorText", std::string("the tool failed"));
            else
                continue;
            const std::string name = stringField(p, "toolName", type.substr(5));
            const std::string args = p.contains("input") ? (p["input"].is_string() ? p["input"].get<std::string>() : dump(p["input"])) : "{}";
            calls.push_back(obj({{"id", p["toolCallId"]},
                                 {"type", "function"},
                                 {"function", obj({{"name", name}, {"arguments", args}})}}));
            results.push_back(obj({{"role", "tool"}, {"tool_call_id", p["toolCallId"]}, {"content", result}}));
        }
    }
    flush();
}

OJson responseFrame(const std::string& body, const std::string& id, std::optional<std::size_t> seq, bool continuation, bool replay)
{
    OJson f = OJson::object();
    f["body"] = body;
    f["done"] = false;
    f["id"] = id;
    f["type"] = "cf_agent_use_chat_response";
    if (replay)
        f["replay"] = true;
    if (seq)
        f["seq"] = *seq;
    if (continuation)
        f["continuation"] = true;
    return f;
}

// The last frame of a response stream (keys in the reference server's order).
OJson doneFrame(const std::string& id, const char* outcome = nullptr)
{
    OJson f = OJson::object();
    f["body"] = "";
    f["done"] = true;
    f["id"] = id;
    f["type"] = "cf_agent_use_chat_response";
    if (outcome)
        f["outcome"] = outcome;
    return f;
}

} // namespace

std::optional<ChatConcurrency> parseChatConcurrency(const std::string& text)
{
    if (text == "queue")
        return ChatConcurrency::Queue;
    if (text == "latest")
        return ChatConcurrency::Latest;
    if (text == "merge")
        return ChatConcurrency::Merge;
    if (text == "drop")
        return ChatConcurrency::Drop;
    if (text == "debounce")
        return ChatConcurrency::Debounce;
    return std::nullopt;
}

struct ChatAlive {
    QMutex mutex;
    ChatService* service = nullptr;
};

struct ChatService::Turn {
    Instance* inst = nullptr;
    std::string id;        // the stream id (request id or continuation id)
    std::string runId;     // the graph run (kept across continuations)
    bool continuation = false;
    std::string requester;
    OJson originIds = OJson::array();
    std::vector<std::string> chunks;
    std::set<std::string> listeners;
    OJson history = OJson::array(); // messages before the assistant one
    OJson assistant;                // the message being built
    std::string userText;
    // Graph run.
    std::vector<const GraphNode*> plan;
    std::size_t pc = 0;
    std::map<std::string, std::map<std::string, OJson>> inputs; // node -> port -> value
    int steps = 0;
    std::vector<chat::TraceRow> trace;
    std::int64_t nodeStarted = 0;
    // The llm step in progress.
    std::shared_ptr<llm::ChatStream> stream;
    std::shared_ptr<llm::ChatModel> model;
    std::string textId;
    std::string stepText;
    bool textOpen = false;
    int textCount = 0;
    std::map<std::string, ToolSpec> offered;
    std::size_t summaryFor = 0; // compaction: how many messages `summary` replaces
    std::string summary;
    bool cancelled = false;
    bool ended = false;
    // Metrics (traceEvent, the finish chunk's messageMetadata): wall-clock
    // ms of the turn's start, of its first text, of the llm step's start and
    // first text; tokens and decode time summed over the turn's steps.
    std::int64_t startedMs = 0;
    std::int64_t firstTextMs = 0;
    std::int64_t stepStartedMs = 0;
    std::int64_t stepFirstTextMs = 0;
    std::int64_t stepFirstTextUs = 0; // steady clock
    int stepDeltas = 0;
    int completionTokens = 0;
    std::int64_t decodeUs = 0;
    OJson stepMetrics; // ttftMs/tokensPerSecond of the llm step that just ended
};

// Work that waits for the instance's running turn: a chat request (with the
// connection and request id it answers, so a request that is superseded or
// cleared still gets its done frame), a tool answer or a scheduled run.
struct Waiting {
    std::function<void()> run;
    std::string conn;
    std::string requestId; // chat requests only
};

struct ChatService::Instance {
    actor::ActorId id;
    std::shared_ptr<const AgentGraph> graph;
    std::unique_ptr<Turn> turn;
    std::deque<Waiting> waiting;
    QTimer* debounce = nullptr;
    Waiting debounced;
    // A tool answer queued behind the running turn: the id its continuation
    // will stream under, announced to probes as cf_agent_stream_pending, and
    // the probes (connection -> probeId) to tell when it starts or does not.
    std::string pendingContinuation;
    std::map<std::string, OJson> pendingProbes;
};

struct ChatService::Impl {
    ChatService* q;
    actor::ActorRuntime& runtime;
    ChatOptions options;
    ChatTransport transport;
    std::map<std::string, std::shared_ptr<const AgentGraph>> graphs;
    std::map<std::string, std::unique_ptr<Instance>> instances;
    QNetworkAccessManager* nam = nullptr;
    memory::HashingEmbedder embedder;
    std::map<std::string, std::unique_ptr<memory::VectorIndex>> indexes;
    // Lets shard threads (schedule callbacks) reach the service while it lives.
    std::shared_ptr<ChatAlive> alive = std::make_shared<ChatAlive>();

    Impl(ChatService* s, actor::ActorRuntime& rt, ChatOptions o) : q(s), runtime(rt), options(std::move(o)) {}

    // ---- storage (events of the actor) -------------------------------------------
    // Runs `fn` as an event of the instance, with its chat tables ready.
    actor::Status withStore(const actor::ActorId& id,
                            const std::function<actor::Status(actor::ActorContext&, storage::ActorStorage&, AgentInstance*)>& fn)
    {
        std::string failure;
        auto r = runtime.callFn(id, [&](actor::Actor& a, actor::ActorContext& ctx) -> actor::Result<actor::Json> {
            auto db = ctx.storage();
            if (!db)
                return actor::Error{db.error()};
            if (auto st = chat::ensureTables(**db); !st)
                return actor::Error{st.error()};
            if (auto st = fn(ctx, **db, dynamic_cast<AgentInstance*>(&a)); !st)
                return actor::Error{st.error()};
            return actor::Json(nullptr);
        });
        if (!r)
            return actor::Error{r.error()};
        return {};
    }

    actor::Result<OJson> loadMessages(const actor::ActorId& id)
    {
        OJson out;
        auto st = withStore(id, [&](actor::ActorContext&, storage::ActorStorage& db, AgentInstance*) -> actor::Status {
            auto m = chat::loadMessages(db);
            if (!m)
                return actor::Error{m.error()};
            out = std::move(*m);
            return {};
        });
        if (!st)
            return actor::Error{st.error()};
        return out;
    }

    // ---- sending -------------------------------------------------------------------
    void sendTo(const std::string& conn, const std::string& text)
    {
        if (transport.sendTo)
            transport.sendTo(conn, QString::fromStdString(text));
    }
    std::vector<std::string> conns(const Instance& inst)
    {
        return transport.connectionsOf ? transport.connectionsOf(inst.id.key()) : std::vector<std::string>{};
    }
    void sendAll(const Instance& inst, const std::string& text, const std::string& except = {})
    {
        for (const auto& c : conns(inst))
            if (c != except)
                sendTo(c, text);
    }
    void sendError(const std::string& conn, const std::string& error)
    {
        sendTo(conn, dump(obj({{"type", "cf_agent_chat_error"}, {"error", error}})));
    }
    void sendRequestError(const std::string& conn, const std::string& id, const std::string& error)
    {
        OJson f = OJson::object();
        f["body"] = error;
        f["done"] = true;
        f["error"] = true;
        f["id"] = id;
        f["type"] = "cf_agent_use_chat_response";
        sendTo(conn, dump(f));
    }
    void sendTranscript(const Instance& inst, const std::string& except)
    {
        auto messages = loadMessages(inst.id);
        if (!messages)
            return;
        sendAll(inst, dump(obj({{"messages", *messages}, {"type", "cf_agent_chat_messages"}})), except);
    }

    void chunk(Turn& t, const OJson& body)
    {
        const std::string text = dump(body);
        const std::size_t seq = t.chunks.size();
        t.chunks.push_back(text);
        const std::string frame = dump(responseFrame(text, t.id, seq, t.continuation, false));
        for (auto it = t.listeners.begin(); it != t.listeners.end();) {
            if (transport.sendTo && !transport.sendTo(*it, QString::fromStdString(frame)))
                it = t.listeners.erase(it);
            else
                ++it;
        }
    }

    // ---- instances -----------------------------------------------------------------
    Instance* instance(const actor::ActorId& id)
    {
        auto g = graphs.find(id.className());
        if (g == graphs.end())
            return nullptr;
        auto& slot = instances[id.key()];
        if (!slot) {
            slot = std::make_unique<Instance>();
            slot->id = id;
            slot->graph = g->second;
        }
        return slot.get();
    }

    void runNext(Instance& inst)
    {
        while (!inst.turn && !inst.waiting.empty()) {
            auto next = std::move(inst.waiting.front());
            inst.waiting.pop_front();
            next.run();
        }
    }

    // Ends a chat request that will not run (superseded, dropped, cleared):
    // its client gets the done frame with outcome "skipped".
    void skip(const Waiting& w)
    {
        if (!w.requestId.empty())
            sendTo(w.conn, dump(doneFrame(w.requestId, "skipped")));
    }
    // Removes the waiting chat requests (tool answers and scheduled runs stay).
    void supersedeRequests(Instance& inst)
    {
        std::deque<Waiting> kept;
        for (auto& w : inst.waiting) {
            if (w.requestId.empty())
                kept.push_back(std::move(w));
            else
                skip(w);
        }
        inst.waiting.swap(kept);
    }

    // ---- frames ----------------------------------------------------------------------
    bool handle(const actor::ActorId& id, const std::string& conn, bool readonly, const std::string& text)
    {
        if (text.find("cf_agent_") == std::string::npos)
            return false;
        OJson f = OJson::parse(text, nullptr, false);
        if (!f.is_object() || !f.contains("type") || !f["type"].is_string())
            return false;
        const std::string type = f["type"].get<std::string>();
        static const std::set<std::string> chatTypes = {
            "cf_agent_use_chat_request", "cf_agent_chat_messages", "cf_agent_chat_clear", "cf_agent_chat_request_cancel",
            "cf_agent_tool_approval", "cf_agent_tool_result", "cf_agent_stream_resume_request", "cf_agent_stream_resume_ack"};
        if (!chatTypes.count(type))
            return false;
        Instance* inst = instance(id);
        if (!inst)
            return false;
        const bool writes = type != "cf_agent_stream_resume_request" && type != "cf_agent_stream_resume_ack";
        if (readonly && writes) {
            if (type == "cf_agent_use_chat_request")
                sendRequestError(conn, stringField(f, "id"), std::string(protocol::kReadonly));
            else
                sendError(conn, std::string(protocol::kReadonly));
            return true;
        }
        if (type == "cf_agent_use_chat_request")
            onChatRequest(*inst, conn, f);
        else if (type == "cf_agent_chat_messages")
            onSync(*inst, conn, f);
        else if (type == "cf_agent_chat_clear")
            onClear(*inst, conn);
        else if (type == "cf_agent_chat_request_cancel")
            onCancel(*inst, stringField(f, "id"));
        else if (type == "cf_agent_tool_approval" || type == "cf_agent_tool_result")
            onToolAnswer(*inst, conn, f, type == "cf_agent_tool_approval");
        else if (type == "cf_agent_stream_resume_request")
            onResumeRequest(*inst, conn, f);
        else if (type == "cf_agent_stream_resume_ack")
            onResumeAck(*inst, conn, stringField(f, "id"));
        return true;
    }

    void onChatRequest(Instance& inst, const std::string& conn, const OJson& f)
    {
        if (!f.contains("id") || !f["id"].is_string()) {
            sendError(conn, "cf_agent_use_chat_request needs a string \"id\"");
            return;
        }
        const std::string rid = f["id"].get<std::string>();
        const OJson init = f.contains("init") && f["init"].is_object() ? f["init"] : OJson::object();
        const OJson body = init.contains("body") && init["body"].is_string() ? OJson::parse(init["body"].get<std::string>(), nullptr, false)
                                                                              : OJson();
        if (!body.is_object() || !body.contains("messages") || !body["messages"].is_array()) {
            sendRequestError(conn, rid, "init.body must be a JSON string of {\"messages\":[...]}");
            return;
        }
        for (std::size_t i = 0; i < body["messages"].size(); ++i) {
            const OJson& m = body["messages"][i];
            if (!m.is_object() || !m.contains("id") || !m["id"].is_string() || !m.contains("role") || !m["role"].is_string()
                || (m.contains("parts") && !m["parts"].is_array())) {
                sendRequestError(conn, rid, "message " + std::to_string(i) + " needs a string \"id\", a string \"role\" and a \"parts\" array");
                return;
            }
        }
        OJson messages = body["messages"];
        Waiting start{[this, &inst, conn, rid, messages] { startTurn(inst, conn, rid, messages); }, conn, rid};
        const bool busy = inst.turn != nullptr;
        switch (options.concurrency) {
        case ChatConcurrency::Queue:
            inst.waiting.push_back(std::move(start));
            break;
        case ChatConcurrency::Merge:
            // The client sends its whole history each time: the newest
            // waiting request holds everything the older ones did.
            supersedeRequests(inst);
            inst.waiting.push_back(std::move(start));
            break;
        case ChatConcurrency::Latest:
            supersedeRequests(inst);
            inst.waiting.push_back(std::move(start));
            if (busy)
                cancelTurn(*inst.turn);
            break;
        case ChatConcurrency::Drop:
            if (busy) {
                skip(start);
                return;
            }
            inst.waiting.push_back(std::move(start));
            break;
        case ChatConcurrency::Debounce:
            if (!inst.debounce) {
                inst.debounce = new QTimer(q);
                inst.debounce->setSingleShot(true);
                Instance* ip = &inst;
                QObject::connect(inst.debounce, &QTimer::timeout, q, [this, ip] {
                    if (ip->debounced.run)
                        ip->waiting.push_back(std::move(ip->debounced));
                    ip->debounced = {};
                    runNext(*ip);
                });
            }
            if (inst.debounced.run)
                skip(inst.debounced);
            inst.debounced = std::move(start);
            inst.debounce->start(options.debounceMs);
            return;
        }
        runNext(inst);
    }

    void onSync(Instance& inst, const std::string& conn, const OJson& f)
    {
        if (!f.contains("messages") || !f["messages"].is_array()) {
            sendError(conn, "cf_agent_chat_messages needs a \"messages\" array");
            return;
        }
        auto st = withStore(inst.id, [&](actor::ActorContext& ctx, storage::ActorStorage& db, AgentInstance*) {
            return chat::upsertMessages(db, f["messages"], options.maxPersistedMessages, ctx.nowMs());
        });
        if (!st) {
            sendError(conn, st.error());
            return;
        }
        sendTranscript(inst, conn);
    }

    void onClear(Instance& inst, const std::string& conn)
    {
        for (const auto& w : inst.waiting)
            skip(w);
        inst.waiting.clear();
        if (inst.debounced.run)
            skip(inst.debounced);
        inst.debounced = {};
        if (inst.turn)
            cancelTurn(*inst.turn, /*persist=*/false);
        auto st = withStore(inst.id, [&](actor::ActorContext&, storage::ActorStorage& db, AgentInstance*) { return chat::clearMessages(db); });
        if (!st) {
            sendError(conn, st.error());
            return;
        }
        sendAll(inst, R"({"type":"cf_agent_chat_clear"})", conn);
    }

    void onCancel(Instance& inst, const std::string& id)
    {
        if (inst.turn && inst.turn->id == id)
            cancelTurn(*inst.turn);
    }

    void onResumeRequest(Instance& inst, const std::string& conn, const OJson& f)
    {
        const OJson probe = f.contains("probeId") ? f["probeId"] : OJson("");
        if (!inst.pendingContinuation.empty()) {
            // A tool answer waits behind the running turn: its continuation
            // is accepted, not streaming yet; cf_agent_stream_resuming follows.
            sendTo(conn, dump(obj({{"type", "cf_agent_stream_pending"}, {"id", inst.pendingContinuation}, {"probeId", probe}})));
            inst.pendingProbes[conn] = probe;
            return;
        }
        if (inst.turn && !inst.turn->ended) {
            sendTo(conn, dump(obj({{"type", "cf_agent_stream_resuming"}, {"id", inst.turn->id}, {"probeId", probe}})));
            return;
        }
        sendTo(conn, dump(obj({{"type", "cf_agent_stream_resume_none"}, {"reason", "idle"}, {"probeId", probe}})));
    }

    void endPendingProbes(Instance& inst)
    {
        inst.pendingContinuation.clear();
        for (const auto& [conn, probe] : inst.pendingProbes)
            sendTo(conn, dump(obj({{"type", "cf_agent_stream_resume_none"}, {"reason", "idle"}, {"probeId", probe}})));
        inst.pendingProbes.clear();
    }

    void onResumeAck(Instance& inst, const std::string& conn, const std::string& id)
    {
        if (!inst.turn || inst.turn->id != id || inst.turn->ended) {
            // The stream ended between the offer and the ACK: end it for
            // the client too (the transcript has the message).
            sendTo(conn, dump(doneFrame(id)));
            return;
        }
        Turn& t = *inst.turn;
        if (t.listeners.count(conn))
            return; // a second ACK for the same stream: never replay twice
        for (std::size_t i = 0; i < t.chunks.size(); ++i)
            sendTo(conn, dump(responseFrame(t.chunks[i], t.id, i, t.continuation, true)));
        OJson marker = OJson::object();
        marker["body"] = "";
        marker["done"] = false;
        marker["id"] = t.id;
        marker["type"] = "cf_agent_use_chat_response";
        marker["replay"] = true;
        marker["replayComplete"] = true;
        if (t.continuation)
            marker["continuation"] = true;
        sendTo(conn, dump(marker));
        t.listeners.insert(conn);
    }

    // ---- turns -----------------------------------------------------------------------
    std::vector<const GraphNode*> planFor(const AgentGraph& g)
    {
        // Kahn's order, ties by file order (validated graphs have no cycles).
        std::map<std::string, int> indeg;
        for (const auto& n : g.nodes)
            indeg[n.id] = 0;
        for (const auto& e : g.edges)
            if (indeg.count(e.to))
                ++indeg[e.to];
        std::vector<const GraphNode*> out;
        std::set<std::string> done;
        while (out.size() < g.nodes.size()) {
            bool progressed = false;
            for (const auto& n : g.nodes) {
                if (done.count(n.id) || indeg[n.id] > 0)
                    continue;
                done.insert(n.id);
                out.push_back(&n);
                for (const auto& e : g.edges)
                    if (e.from == n.id && indeg.count(e.to))
                        --indeg[e.to];
                progressed = true;
                break;
            }
            if (!progressed)
                break;
        }
        return out;
    }

    std::unique_ptr<Turn> newTurn(Instance& inst, const std::string& id, const std::string& requester, bool continuation)
    {
        auto t = std::make_unique<Turn>();
        t->inst = &inst;
        t->startedMs = nowMs();
        t->id = id;
        t->requester = requester;
        t->continuation = continuation;
        for (const auto& c : conns(inst))
            if (!continuation || c != requester)
                t->listeners.insert(c);
        // The requester of a first turn always gets its stream.
        if (!continuation && !requester.empty())
            t->listeners.insert(requester);
        t->plan = planFor(*inst.graph);
        return t;
    }

    void startTurn(Instance& inst, const std::string& conn, const std::string& rid, const OJson& clientMessages)
    {
        auto st = withStore(inst.id, [&](actor::ActorContext& ctx, storage::ActorStorage& db, AgentInstance*) -> actor::Status {
            // A list that ends at a stored message regenerates or edits from
            // there (the AI SDK's regenerate, or sendMessage with messageId):
            // what was stored after it goes, as the client dropped it too.
            if (!clientMessages.empty() && clientMessages.back().contains("id") && clientMessages.back()["id"].is_string()) {
                if (auto cut = chat::truncateAfter(db, clientMessages.back()["id"].get<std::string>()); !cut)
                    return actor::Error{cut.error()};
            }
            return chat::upsertMessages(db, clientMessages, options.maxPersistedMessages, ctx.nowMs());
        });
        if (!st) {
            sendRequestError(conn, rid, st.error());
            return;
        }
        auto all = loadMessages(inst.id);
        if (!all) {
            sendRequestError(conn, rid, all.error());
            return;
        }
        const std::string others = dump(obj({{"messages", *all}, {"type", "cf_agent_chat_messages"}}));
        // As the reference server: the others get the transcript twice.
        sendAll(inst, others, conn);
        sendAll(inst, others, conn);

        inst.turn = newTurn(inst, rid, conn, false);
        Turn& t = *inst.turn;
        t.runId = rid;
        for (const auto& m : clientMessages)
            if (stringField(m, "role") == "user")
                t.originIds = OJson::array({m["id"]});
        t.history = *all;
        for (auto it = t.history.rbegin(); it != t.history.rend(); ++it)
            if (stringField(*it, "role") == "user") {
                t.userText = textOf(*it);
                break;
            }
        const std::string mid = "assistant_" + std::to_string(nowMs()) + "_" + base36(9);
        t.assistant = obj({{"id", mid}, {"role", "assistant"}, {"parts", OJson::array()}});
        chunk(t, obj({{"type", "start"}, {"messageId", mid}}));
        advance(t);
    }

    // Sets the outputs of node `n` and hands them along its edges.
    void pass(Turn& t, const GraphNode& n, const std::string& port, const OJson& value)
    {
        for (const auto& e : t.inst->graph->edges)
            if (e.from == n.id && e.fromPort == port)
                t.inputs[e.to][e.toPort] = value;
    }

    bool runnable(Turn& t, const GraphNode& n)
    {
        if (n.type == "input")
            return true;
        const NodeTypeSpec* spec = findNodeType(n.type);
        bool any = false;
        bool connected = false;
        for (const auto& e : t.inst->graph->edges) {
            if (e.to != n.id)
                continue;
            connected = true;
            if (t.inputs[n.id].count(e.toPort))
                any = true;
        }
        if (spec)
            for (const auto& p : spec->inputs)
                if (p.required && !t.inputs[n.id].count(p.name))
                    return false;
        return any || !connected;
    }

    void record(Turn& t, const GraphNode& n, OJson outputs, std::string error = {}, int tokens = 0)
    {
        chat::TraceRow row;
        row.nodeId = n.id;
        row.nodeType = n.type;
        row.startedMs = t.nodeStarted;
        row.endedMs = nowMs();
        OJson in = OJson::object();
        for (const auto& [port, v] : t.inputs[n.id])
            in[port] = v;
        row.inputs = in;
        row.outputs = std::move(outputs);
        row.tokens = tokens;
        row.error = std::move(error);
        OJson extra = OJson::object();
        if (n.type == "llm" && t.stepMetrics.is_object())
            extra = std::exchange(t.stepMetrics, OJson());
        traceEnd(t, row, extra);
        t.trace.push_back(std::move(row));
    }

    // ---- live trace (ChatService::traceEvent) ------------------------------------------
    void emitTrace(const Turn& t, const OJson& event)
    {
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(dump(event)));
        emit q->traceEvent(QString::fromStdString(t.inst->id.key()), QString::fromStdString(t.runId), doc.object());
    }
    void traceStart(Turn& t, const GraphNode& n)
    {
        OJson in = OJson::object();
        for (const auto& [port, v] : t.inputs[n.id])
            in[port] = v;
        emitTrace(t, obj({{"phase", "start"}, {"node", n.id}, {"type", n.type}, {"inputs", in}}));
    }
    void traceEnd(const Turn& t, const chat::TraceRow& row, const OJson& extra = OJson::object())
    {
        OJson ev = obj({{"phase", "end"}, {"node", row.nodeId}, {"type", row.nodeType}, {"inputs", row.inputs}, {"outputs", row.outputs},
                        {"tokens", row.tokens}, {"error", row.error}, {"elapsedMs", row.endedMs - row.startedMs}});
        if (extra.is_object())
            for (const auto& [k, v] : extra.items())
                ev[k] = v;
        emitTrace(t, ev);
    }
    // The finish chunk's messageMetadata, also kept as the message's metadata.
    OJson finishMetadata(Turn& t, const std::string& reason)
    {
        OJson m = obj({{"finishReason", reason}});
        if (t.firstTextMs > 0) {
            m["ttftMs"] = t.firstTextMs - t.startedMs;
            m["completionTokens"] = t.completionTokens;
            m["tokensPerSecond"] = std::round(t.completionTokens * 1e7 / double(std::max<std::int64_t>(1, t.decodeUs))) / 10.0;
        }
        t.assistant["metadata"] = m;
        return m;
    }

    void emitText(Turn& t, const std::string& text)
    {
        const std::string tid = "txt-" + std::to_string(t.textCount++);
        chunk(t, obj({{"type", "start-step"}}));
        t.assistant["parts"].push_back(obj({{"type", "step-start"}}));
        chunk(t, obj({{"type", "text-start"}, {"id", tid}}));
        chunk(t, obj({{"type", "text-delta"}, {"id", tid}, {"delta", text}}));
        chunk(t, obj({{"type", "text-end"}, {"id", tid}}));
        chunk(t, obj({{"type", "finish-step"}}));
        t.assistant["parts"].push_back(obj({{"type", "text"}, {"text", text}, {"state", "done"}}));
    }

    void advance(Turn& t)
    {
        const AgentGraph& g = *t.inst->graph;
        while (!t.ended && t.pc < t.plan.size()) {
            const GraphNode& n = *t.plan[t.pc];
            t.nodeStarted = nowMs();
            if (!runnable(t, n)) {
                ++t.pc;
                continue;
            }
            auto& in = t.inputs[n.id];
            auto first = [&]() -> OJson { return in.empty() ? OJson(nullptr) : in.begin()->second; };
            if (n.type != "llm")
                traceStart(t, n); // llm nodes: each step, in startLlm
            if (n.type == "input") {
                pass(t, n, "message", t.userText);
                record(t, n, obj({{"message", t.userText}}));
            } else if (n.type == "llm") {
                startLlm(t, n);
                return; // continues in onLlmDone
            } else if (n.type == "router") {
                const OJson value = in.count("in") ? in["in"] : OJson(nullptr);
                const OJson condition = g.property(n, "condition");
                bool taken = false;
                if (condition.is_string() && condition.get<std::string>().rfind("state.", 0) == 0) {
                    // A condition on the instance's state: the value at the path is truthy.
                    OJson at;
                    auto st = withStore(t.inst->id, [&](actor::ActorContext&, storage::ActorStorage&, AgentInstance* agent) -> actor::Status {
                        if (agent)
                            at = agent->stateAt(condition.get<std::string>().substr(6));
                        return {};
                    });
                    taken = st && !at.is_null() && at != OJson(false) && at != OJson(0) && at != OJson("");
                } else {
                    taken = evaluate(condition, value);
                }
                pass(t, n, taken ? "then" : "else", value);
                record(t, n, obj({{taken ? "then" : "else", value}}));
            } else if (n.type == "tool" && fedByModel(g, n)) {
                // A tool wired to an llm node's toolCalls is one of its tools:
                // it ran (with its approval) inside that node.
                record(t, n, OJson::object());
            } else if (n.type == "tool" && g.property(n, "needsApproval").is_boolean() && g.property(n, "needsApproval").get<bool>()) {
                record(t, n, OJson::object(),
                       "a tool node that needs approval runs only as a tool of an llm node (wire toolCalls to its arguments)");
                chunk(t, obj({{"type", "error"}, {"errorText", "node '" + n.id + "': needs approval but is not a model's tool; not run"}}));
            } else if (n.type == "tool") {
                const OJson name = g.property(n, "tool");
                OJson args = in.count("arguments") ? in["arguments"] : OJson::object();
                if (args.is_string()) {
                    OJson parsed = OJson::parse(args.get<std::string>(), nullptr, false);
                    args = parsed.is_discarded() ? OJson{{"input", args}} : parsed;
                }
                const std::string tool = name.is_string() ? name.get<std::string>() : "";
                OJson result;
                auto st = runTool(t, tool, args, result);
                pass(t, n, "result", st ? result : OJson(nullptr));
                record(t, n, obj({{"result", result}}), st ? "" : st.error());
            } else if (n.type == "set-state") {
                const OJson path = g.property(n, "path");
                const OJson value = in.count("value") ? in["value"] : OJson(nullptr);
                auto st = withStore(t.inst->id, [&](actor::ActorContext& ctx, storage::ActorStorage&, AgentInstance* agent) -> actor::Status {
                    if (!agent)
                        return actor::Error{"the actor is not an agent instance"};
                    return agent->setStateAt(ctx, path.is_string() ? path.get<std::string>() : "", value);
                });
                record(t, n, OJson::object(), st ? "" : st.error());
            } else if (n.type == "schedule") {
                std::string error = scheduleNode(t, n);
                record(t, n, OJson::object(), error);
            } else if (n.type == "output") {
                const OJson value = first();
                const std::string text = value.is_string() ? value.get<std::string>() : dump(value);
                // An llm reply already streamed; anything else is said now.
                if (!value.is_null() && text != lastLlmText(t))
                    emitText(t, text);
                record(t, n, obj({{"message", value}}));
            } else if (n.type == "memory.recall") {
                std::string error;
                const std::string context = recallNode(t, n, first(), error);
                pass(t, n, "context", context);
                record(t, n, obj({{"context", context}}), error);
            } else if (n.type == "memory.write") {
                std::string error;
                const std::string id = writeNode(t, n, first(), error);
                record(t, n, obj({{"id", id}}), error);
            } else if (n.type == "code") {
                record(t, n, OJson::object(), "Code Mode is not available yet: code nodes are refused and produce no output");
                chunk(t, obj({{"type", "error"}, {"errorText", "node '" + n.id + "': Code Mode is not available yet"}}));
            } else if (n.type == "approval") {
                // Asked as a tool approval (the only approval clients know):
                // a tool part named after the node, waiting like any other.
                const OJson value = in.count("in") ? in["in"] : OJson(nullptr);
                const std::string callId = "approval_" + n.id + "_" + nanoid(10);
                const std::string approvalId = "aitxt-" + nanoid(24);
                const OJson input = obj({{"question", g.property(n, "question")}, {"value", value}});
                chunk(t, obj({{"type", "start-step"}}));
                t.assistant["parts"].push_back(obj({{"type", "step-start"}}));
                chunk(t, obj({{"type", "tool-input-available"}, {"toolCallId", callId}, {"toolName", n.id}, {"input", input}}));
                chunk(t, obj({{"type", "tool-approval-request"}, {"approvalId", approvalId}, {"toolCallId", callId}}));
                t.assistant["parts"].push_back(obj({{"type", "tool-" + n.id}, {"toolCallId", callId}, {"toolName", n.id},
                                                    {"state", "approval-requested"}, {"input", input}, {"approval", obj({{"id", approvalId}})}}));
                chunk(t, obj({{"type", "finish-step"}}));
                record(t, n, obj({{"waiting", callId}}));
                pauseTurn(t, n.id);
                return;
            } else {
                record(t, n, OJson::object(), "unknown node type '" + n.type + "'");
            }
            ++t.pc;
        }
        if (!t.ended)
            finishTurn(t, "stop");
    }

    // ---- memory nodes ---------------------------------------------------------------
    // The index of a memory node (memory/<index>/ of the project), opened on
    // first use and kept open; memory.write creates a missing one for the
    // built-in embedder. nullptr with `error` set when it cannot be used.
    memory::VectorIndex* indexFor(const std::string& name, bool create, std::string& error)
    {
        if (options.memoryRoot.isEmpty()) {
            error = "memory nodes need a project folder (no memory root was given)";
            return nullptr;
        }
        if (name.empty() || name.find('/') != std::string::npos || name.find("..") != std::string::npos) {
            error = "invalid index name '" + name + "'";
            return nullptr;
        }
        if (auto it = indexes.find(name); it != indexes.end())
            return it->second.get();
        const std::string dir = (options.memoryRoot + QLatin1Char('/') + QString::fromStdString(name)).toStdString();
        auto opened = memory::VectorIndex::open(dir);
        if (!opened && create) {
            memory::IndexConfig config;
            config.dimension = embedder.dimension();
            config.embedder = embedder.id();
            opened = memory::VectorIndex::create(dir, config);
        }
        if (!opened) {
            error = "memory index '" + name + "': " + opened.error();
            return nullptr;
        }
        if (auto st = memory::checkEmbedder(**opened, embedder); !st) {
            error = "memory index '" + name + "': " + st.error();
            return nullptr;
        }
        return (indexes[name] = std::move(*opened)).get();
    }

    // Unless the node names one, each instance has its own namespace, so
    // one user's memories never answer another's.
    std::string namespaceFor(const Turn& t, const GraphNode& n)
    {
        const OJson ns = t.inst->graph->property(n, "namespace");
        return ns.is_string() && !ns.get<std::string>().empty() ? ns.get<std::string>() : t.inst->id.name();
    }

    std::string recallNode(Turn& t, const GraphNode& n, const OJson& query, std::string& error)
    {
        const AgentGraph& g = *t.inst->graph;
        const OJson name = g.property(n, "index");
        memory::VectorIndex* index = indexFor(name.is_string() ? name.get<std::string>() : "", false, error);
        if (!index)
            return {};
        const std::string text = query.is_string() ? query.get<std::string>() : dump(query);
        const OJson topK = g.property(n, "topK");
        const OJson filter = g.property(n, "filter");
        auto found = memory::recall(*index, embedder, text, topK.is_number_integer() ? std::size_t(topK.get<int>()) : 5,
                                    namespaceFor(t, n), filter.is_object() ? memory::Json::parse(dump(filter)) : memory::Json(nullptr));
        if (!found) {
            error = found.error();
            return {};
        }
        std::string context;
        for (const auto& p : *found)
            context += (context.empty() ? "" : "\n") + std::string("- ") + p.text;
        return context;
    }

    std::string writeNode(Turn& t, const GraphNode& n, const OJson& content, std::string& error)
    {
        const OJson name = t.inst->graph->property(n, "index");
        memory::VectorIndex* index = indexFor(name.is_string() ? name.get<std::string>() : "", true, error);
        if (!index)
            return {};
        const std::string text = content.is_string() ? content.get<std::string>() : dump(content);
        memory::Json metadata = memory::Json::object();
        metadata["agent"] = t.inst->id.className();
        metadata["run"] = t.runId;
        auto id = memory::write(*index, embedder, text, metadata, namespaceFor(t, n));
        if (!id) {
            error = id.error();
            return {};
        }
        return *id;
    }

    // Whether the tool node's arguments come from an llm node's toolCalls.
    static bool fedByModel(const AgentGraph& g, const GraphNode& tool)
    {
        for (const auto& e : g.edges)
            if (e.to == tool.id && e.toPort == "arguments" && e.fromPort == "toolCalls")
                if (const GraphNode* from = g.node(e.from); from && from->type == "llm")
                    return true;
        return false;
    }

    std::string lastLlmText(const Turn& t)
    {
        for (auto it = t.trace.rbegin(); it != t.trace.rend(); ++it)
            if (it->nodeType == "llm" && it->outputs.is_object() && it->outputs.contains("reply") && it->outputs["reply"].is_string())
                return it->outputs["reply"].get<std::string>();
        return "\x01"; // matches no text
    }

    // Conditions on the value: "always", "never", "contains:<text>",
    // "equals:<text>", "empty", "nonempty" (state.<path> is read in advance()).
    bool evaluate(const OJson& condition, const OJson& value)
    {
        const std::string c = condition.is_string() ? condition.get<std::string>() : "";
        const std::string v = value.is_string() ? value.get<std::string>() : dump(value);
        if (c == "always" || c == "true")
            return true;
        if (c == "never" || c == "false")
            return false;
        if (c == "empty")
            return v.empty() || value.is_null();
        if (c == "nonempty")
            return !(v.empty() || value.is_null());
        if (c.rfind("contains:", 0) == 0)
            return v.find(c.substr(9)) != std::string::npos;
        if (c.rfind("equals:", 0) == 0)
            return v == c.substr(7);
        return false;
    }

    std::string scheduleNode(Turn& t, const GraphNode& n)
    {
        const AgentGraph& g = *t.inst->graph;
        const std::string kind = g.property(n, "kind").is_string() ? g.property(n, "kind").get<std::string>() : "delay";
        const std::string when = g.property(n, "when").is_string() ? g.property(n, "when").get<std::string>() : "";
        const std::string callback = g.property(n, "callback").is_string() ? g.property(n, "callback").get<std::string>() : "";
        const OJson payload = g.property(n, "payload");
        alarms::When w;
        if (kind == "delay" || kind == "every") {
            bool ok = false;
            const double secs = QString::fromStdString(when).toDouble(&ok);
            if (!ok || secs < 0)
                return "schedule: 'when' must be a number of seconds for kind " + kind;
            w = alarms::When::delay(std::int64_t(secs * 1000));
        } else if (kind == "date") {
            const QDateTime date = QDateTime::fromString(QString::fromStdString(when), Qt::ISODateWithMs);
            if (!date.isValid())
                return "schedule: 'when' is not an ISO-8601 date";
            w = alarms::When::at(date.toMSecsSinceEpoch());
        } else {
            w = alarms::When::every(when);
        }
        auto st = withStore(t.inst->id, [&](actor::ActorContext& ctx, storage::ActorStorage&, AgentInstance*) -> actor::Status {
            auto id = ctx.schedule(w, callback, actor::Json{{"$ojson", dump(payload.is_null() ? OJson::object() : payload)}});
            if (!id)
                return actor::Error{id.error()};
            return {};
        });
        return st ? "" : st.error();
    }

    actor::Status runTool(Turn& t, const std::string& name, const OJson& args, OJson& result)
    {
        if (!isBuiltinTool(name))
            return actor::Error{"no server tool named '" + name + "'"};
        actor::Status out;
        auto st = withStore(t.inst->id, [&](actor::ActorContext& ctx, storage::ActorStorage&, AgentInstance* agent) -> actor::Status {
            if (!agent)
                return actor::Error{"the actor is not an agent instance"};
            auto r = runBuiltinTool(name, args, *agent, ctx);
            if (!r) {
                out = actor::Error{r.error()};
                return {}; // a failing tool is a result, not a failed event
            }
            result = std::move(*r);
            return {};
        });
        if (!st)
            return st;
        return out;
    }

    // ---- the llm node --------------------------------------------------------------------
    void startLlm(Turn& t, const GraphNode& n)
    {
        const AgentGraph& g = *t.inst->graph;
        const OJson endpoint = g.property(n, "endpoint");
        const OJson modelName = g.property(n, "model");
        std::string model = modelName.is_string() ? modelName.get<std::string>() : "";
        if (model == "default")
            model.clear();
        if (!t.model) {
            if (endpoint.is_string() && !endpoint.get<std::string>().empty()) {
                const QString url = QString::fromStdString(endpoint.get<std::string>());
                t.model = llm::makeRemoteModel(url, model, options.apiKeyFor ? options.apiKeyFor(url) : QByteArray());
            } else {
                t.model = options.defaultModel;
            }
        }
        if (!t.model) {
            failTurn(t, n, "node '" + n.id + "' has no model: give it an endpoint URL or start outpost serve with --model FILE");
            return;
        }
        llm::ChatRequest req;
        req.model = model;
        const OJson temperature = g.property(n, "temperature");
        const OJson topP = g.property(n, "topP");
        const OJson maxTokens = g.property(n, "maxTokens");
        if (temperature.is_number())
            req.temperature = temperature.get<double>();
        if (topP.is_number())
            req.topP = topP.get<double>();
        if (maxTokens.is_number_integer())
            req.maxTokens = maxTokens.get<int>();
        std::string system = g.property(n, "systemPrompt").is_string() ? g.property(n, "systemPrompt").get<std::string>() : "";
        auto& in = t.inputs[n.id];
        if (in.count("context") && in["context"].is_string() && !in["context"].get<std::string>().empty())
            system += (system.empty() ? "" : "\n\n") + std::string("Context:\n") + in["context"].get<std::string>();
        OJson messages = OJson::array();
        if (!system.empty())
            messages.push_back(obj({{"role", "system"}, {"content", system}}));
        OJson convo = OJson::array();
        for (const auto& m : t.history)
            appendOpenAi(convo, m);
        appendOpenAi(convo, t.assistant);
        if (const std::size_t drop = overflow(t, convo, system); drop > 0) {
            if (t.summaryFor != drop) {
                summarise(t, n, convo, drop);
                return;
            }
            convo.erase(convo.begin(), convo.begin() + std::ptrdiff_t(drop));
            const std::string note = t.summary.empty()
                                         ? "(" + std::to_string(drop) + " earlier messages were left out to fit the context window.)"
                                         : "Summary of the earlier conversation: " + t.summary;
            convo.insert(convo.begin(), obj({{"role", "system"}, {"content", note}}));
        }
        for (auto& m : convo)
            messages.push_back(std::move(m));
        req.messages = std::move(messages);
        t.offered.clear();
        OJson tools = g.property(n, "tools");
        if (!tools.is_array())
            tools = OJson::array();
        // Tool nodes wired to this node's toolCalls are its tools too.
        for (const auto& e : g.edges)
            if (e.from == n.id && e.fromPort == "toolCalls" && e.toPort == "arguments")
                if (const GraphNode* tn = g.node(e.to); tn && tn->type == "tool" && g.property(*tn, "tool").is_string()) {
                    const OJson name = g.property(*tn, "tool");
                    if (std::find(tools.begin(), tools.end(), name) == tools.end())
                        tools.push_back(name);
                }
        if (!tools.empty()) {
            if (t.model->supportsTools()) {
                for (const auto& name : tools) {
                    if (!name.is_string())
                        continue;
                    ToolSpec spec = resolveTool(g, name.get<std::string>());
                    req.tools.push_back(openAiTool(spec));
                    t.offered[spec.name] = spec;
                }
            } else {
                chat::TraceRow note;
                note.nodeId = n.id;
                note.nodeType = "llm";
                note.startedMs = note.endedMs = nowMs();
                note.error = "the local engine has no tool-call format yet: tools were not offered";
                traceEnd(t, note);
                t.trace.push_back(note);
            }
        }
        ++t.steps;
        t.stepText.clear();
        t.textOpen = false;
        t.stepStartedMs = nowMs();
        t.stepFirstTextMs = 0;
        t.stepDeltas = 0;
        traceStart(t, n);
        chunk(t, obj({{"type", "start-step"}}));
        t.assistant["parts"].push_back(obj({{"type", "step-start"}}));
        Turn* tp = &t;
        QPointer<ChatService> guard(q);
        llm::ChatEvents ev;
        ev.onText = [this, tp](const std::string& delta) {
            if (tp->ended)
                return;
            if (!tp->textOpen) {
                tp->textOpen = true;
                tp->textId = "txt-" + std::to_string(tp->textCount++);
                chunk(*tp, obj({{"type", "text-start"}, {"id", tp->textId}}));
            }
            if (tp->stepFirstTextMs == 0) {
                tp->stepFirstTextMs = nowMs();
                tp->stepFirstTextUs = nowUs();
                if (tp->firstTextMs == 0)
                    tp->firstTextMs = tp->stepFirstTextMs;
            }
            ++tp->stepDeltas;
            tp->stepText += delta;
            chunk(*tp, obj({{"type", "text-delta"}, {"id", tp->textId}, {"delta", delta}}));
        };
        ev.onToolStart = [this, tp](int, const std::string& id, const std::string& name) {
            if (!tp->ended)
                chunk(*tp, obj({{"type", "tool-input-start"}, {"toolCallId", id}, {"toolName", name}}));
        };
        ev.onToolDelta = [this, tp](int index, const std::string& delta) {
            (void)index;
            (void)delta; // the whole input follows in tool-input-available
        };
        ev.onDone = [this, tp, guard, nodeId = n.id](const llm::ChatOutcome& outcome) {
            if (!guard)
                return;
            onLlmDone(*tp, nodeId, outcome);
        };
        t.stream = t.model->start(std::move(req), std::move(ev));
    }

    // Context compaction: when the conversation passes three quarters of
    // the model's window, the oldest messages (as few as needed) are
    // summarised by the model itself and replaced by that summary. Returns
    // the number of leading messages to replace (0: it fits).
    std::size_t overflow(Turn& t, const OJson& convo, const std::string& system)
    {
        int window = t.model ? t.model->contextTokens() : 0;
        if (window <= 0)
            window = options.contextTokens;
        if (window <= 0)
            return 0;
        const int budget = window * 3 / 4 - llm::estimateTokens(system) - 64; // room for the summary
        int total = 0;
        for (const auto& m : convo)
            total += llm::estimateTokens(dump(m));
        std::size_t drop = 0;
        while (drop + 1 < convo.size() && total > budget)
            total -= llm::estimateTokens(dump(convo[drop++]));
        // A tool result must follow its call: never start at one.
        while (drop < convo.size() && stringField(convo[drop], "role") == "tool")
            ++drop;
        return drop < convo.size() ? drop : 0;
    }

    // Starts the summary of convo[0, drop); startLlm runs again when it is done.
    void summarise(Turn& t, const GraphNode& n, const OJson& convo, std::size_t drop)
    {
        // Every dropped message gets an equal share of the summary prompt,
        // so old turns are represented, not only the newest.
        const int window = t.model->contextTokens() > 0 ? t.model->contextTokens() : options.contextTokens;
        const std::size_t share = std::max<std::size_t>(80, std::size_t(window) * 2 / std::max<std::size_t>(1, drop));
        std::string transcript;
        for (std::size_t i = 0; i < drop; ++i) {
            const OJson& m = convo[i];
            std::string content = m.contains("content") && m["content"].is_string() ? m["content"].get<std::string>() : "";
            if (m.contains("tool_calls"))
                content += " [tool calls: " + dump(m["tool_calls"]) + "]";
            if (content.size() > share) {
                std::size_t cut = share;
                while (cut > 0 && (static_cast<unsigned char>(content[cut]) & 0xC0) == 0x80)
                    --cut; // never inside a UTF-8 character
                content = content.substr(0, cut) + "...";
            }
            transcript += stringField(m, "role", "user") + ": " + content + "\n";
        }
        llm::ChatRequest req;
        req.messages = OJson::array({obj({{"role", "system"},
                                          {"content", "Summarise the conversation below in a few sentences, keeping names, facts, decisions and open questions."}}),
                                     obj({{"role", "user"}, {"content", transcript}})});
        req.temperature = 0.2;
        req.maxTokens = 256;
        Turn* tp = &t;
        QPointer<ChatService> guard(q);
        llm::ChatEvents ev;
        ev.onDone = [this, tp, guard, drop, nodeId = n.id](const llm::ChatOutcome& o) {
            if (!guard || tp->ended)
                return;
            if (tp->stream)
                QTimer::singleShot(0, q, [s = std::move(tp->stream)] {});
            tp->summaryFor = drop;
            tp->summary = o.finishReason == "error" || o.text.empty() ? std::string() : o.text;
            chat::TraceRow row;
            row.nodeId = nodeId;
            row.nodeType = "compaction";
            row.startedMs = tp->nodeStarted;
            row.endedMs = nowMs();
            row.inputs = obj({{"messages", drop}});
            row.outputs = obj({{"summary", tp->summary}});
            row.error = o.error;
            traceEnd(*tp, row);
            tp->trace.push_back(std::move(row));
            if (const GraphNode* node = nodeById(*tp, nodeId))
                startLlm(*tp, *node);
        };
        t.stream = t.model->start(std::move(req), std::move(ev));
    }

    const GraphNode* nodeById(const Turn& t, const std::string& id) { return t.inst->graph->node(id); }

    void onLlmDone(Turn& t, const std::string& nodeId, const llm::ChatOutcome& outcome)
    {
        // The stream is inside its own callback: release it later.
        if (t.stream)
            QTimer::singleShot(0, q, [s = std::move(t.stream)] {});
        if (t.ended)
            return;
        const GraphNode* n = nodeById(t, nodeId);
        if (t.stepFirstTextMs > 0) {
            // Endpoints that send no usage: one text delta is about one token.
            const int tokens = outcome.completionTokens > 0 ? outcome.completionTokens : t.stepDeltas;
            // The model's own clock when it has one: tokens may arrive here in bursts.
            const std::int64_t decode = std::max<std::int64_t>(1, outcome.decodeUs > 0 ? outcome.decodeUs : nowUs() - t.stepFirstTextUs);
            t.completionTokens += tokens;
            t.decodeUs += decode;
            t.stepMetrics = obj({{"ttftMs", t.stepFirstTextMs - t.stepStartedMs},
                                 {"tokensPerSecond", std::round(tokens * 1e7 / double(decode)) / 10.0}});
        }
        if (t.textOpen) {
            chunk(t, obj({{"type", "text-end"}, {"id", t.textId}}));
            t.textOpen = false;
        }
        if (!t.stepText.empty())
            t.assistant["parts"].push_back(obj({{"type", "text"}, {"text", t.stepText}, {"state", outcome.finishReason == "cancelled" ? "streaming" : "done"}}));
        if (outcome.finishReason == "cancelled" || t.cancelled) {
            abortTurn(t);
            return;
        }
        if (outcome.finishReason == "error") {
            failTurn(t, *n, outcome.error);
            return;
        }
        bool paused = false;
        bool ran = false;
        std::vector<std::string> serverCalls;
        for (const auto& call : outcome.toolCalls) {
            const std::string partType = "tool-" + call.name;
            OJson input = OJson::parse(call.arguments.empty() ? "{}" : call.arguments, nullptr, false);
            auto it = t.offered.find(call.name);
            if (input.is_discarded() || !input.is_object() || it == t.offered.end()) {
                const std::string why = it == t.offered.end() ? "the model called '" + call.name + "', which is not one of this node's tools"
                                                              : "the model's tool arguments are not a JSON object: " + call.arguments.substr(0, 200);
                chunk(t, obj({{"type", "tool-input-error"}, {"toolCallId", call.id}, {"toolName", call.name}, {"input", call.arguments}, {"errorText", why}}));
                t.assistant["parts"].push_back(obj({{"type", partType}, {"toolCallId", call.id}, {"toolName", call.name},
                                                    {"state", "output-error"}, {"input", call.arguments}, {"errorText", why}}));
                ran = true; // the model sees the error and may try again
                continue;
            }
            chunk(t, obj({{"type", "tool-input-available"}, {"toolCallId", call.id}, {"toolName", call.name}, {"input", input}}));
            const ToolSpec& spec = it->second;
            if (spec.needsApproval) {
                const std::string approvalId = "aitxt-" + nanoid(24);
                chunk(t, obj({{"type", "tool-approval-request"}, {"approvalId", approvalId}, {"toolCallId", call.id}}));
                t.assistant["parts"].push_back(obj({{"type", partType}, {"toolCallId", call.id}, {"toolName", call.name},
                                                    {"state", "approval-requested"}, {"input", input}, {"approval", obj({{"id", approvalId}})}}));
                paused = true;
            } else if (!spec.serverSide) {
                t.assistant["parts"].push_back(obj({{"type", partType}, {"toolCallId", call.id}, {"toolName", call.name},
                                                    {"state", "input-available"}, {"input", input}}));
                paused = true;
            } else {
                t.assistant["parts"].push_back(obj({{"type", partType}, {"toolCallId", call.id}, {"toolName", call.name},
                                                    {"state", "input-available"}, {"input", input}}));
                serverCalls.push_back(call.id);
                ran = true;
            }
        }
        OJson calls = OJson::array();
        for (const auto& c : outcome.toolCalls)
            calls.push_back(obj({{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}}));
        const int tokens = outcome.completionTokens;
        // Server tools run first (some wait for the network); then the step ends.
        executeAll(t, std::deque<std::string>(serverCalls.begin(), serverCalls.end()), [this, nodeId, paused, ran, calls, tokens](Turn& tt) {
            const GraphNode* node = nodeById(tt, nodeId);
            chunk(tt, obj({{"type", "finish-step"}}));
            record(tt, *node, obj({{"reply", tt.stepText}, {"toolCalls", calls.size()}}), "", tokens);
            if (paused) {
                pauseTurn(tt, nodeId);
                return;
            }
            if (ran && tt.steps < options.maxSteps) {
                startLlm(tt, *node);
                return;
            }
            pass(tt, *node, "reply", tt.stepText);
            pass(tt, *node, "toolCalls", calls);
            tt.steps = 0;
            tt.model.reset();
            ++tt.pc;
            advance(tt);
        });
    }

    OJson* partFor(Turn& t, const std::string& callId)
    {
        for (auto& p : t.assistant["parts"])
            if (isToolPart(p) && p["toolCallId"] == callId)
                return &p;
        return nullptr;
    }

    // Runs the server tools of `callIds` in order, then `then`. A fetch
    // waits for the network; if the turn ends meanwhile nothing follows.
    void executeAll(Turn& t, std::deque<std::string> callIds, std::function<void(Turn&)> then)
    {
        while (!callIds.empty()) {
            const std::string id = callIds.front();
            callIds.pop_front();
            OJson* part = partFor(t, id);
            if (!part)
                continue;
            if (stringField(*part, "toolName") == "fetch") {
                startFetch(t, id, [this, callIds, then](Turn& tt) { executeAll(tt, callIds, then); });
                return;
            }
            executeInto(t, *part);
        }
        then(t);
    }

    bool hostAllowed(const QString& host) const
    {
        for (const QString& entry : options.fetchAllowlist) {
            if (entry.compare(host, Qt::CaseInsensitive) == 0)
                return true;
            if (entry.startsWith(QLatin1String("*.")) && host.endsWith(entry.mid(1), Qt::CaseInsensitive))
                return true;
        }
        return false;
    }

    void toolResult(Turn& t, OJson& part, const actor::Result<OJson>& r)
    {
        if (r) {
            part["state"] = "output-available";
            part["output"] = *r;
            chunk(t, obj({{"type", "tool-output-available"}, {"toolCallId", part["toolCallId"]}, {"output", *r}}));
        } else {
            part["state"] = "output-error";
            part["errorText"] = r.error();
            chunk(t, obj({{"type", "tool-output-error"}, {"toolCallId", part["toolCallId"]}, {"errorText", r.error()}}));
        }
    }

    void startFetch(Turn& t, const std::string& callId, std::function<void(Turn&)> next)
    {
        OJson* part = partFor(t, callId);
        const OJson& in = (*part)["input"];
        const QUrl url(QString::fromStdString(in.contains("url") && in["url"].is_string() ? in["url"].get<std::string>() : ""));
        auto fail = [&](const std::string& why) {
            toolResult(t, *part, actor::Result<OJson>(actor::Error{why}));
            next(t);
        };
        if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            return fail("fetch: \"url\" must be an http or https URL");
        if (!hostAllowed(url.host()))
            return fail("fetch: " + url.host().toStdString() + " is not in the allowlist (outpost serve --fetch-allow HOST)");
        if (!nam)
            nam = new QNetworkAccessManager(q);
        QNetworkRequest req(url);
        req.setTransferTimeout(15000);
        req.setMaximumRedirectsAllowed(0); // a redirect could leave the allowlist
        QNetworkReply* reply = nam->get(req);
        Instance* ip = t.inst;
        Turn* tp = &t;
        const std::string turnId = t.id;
        QObject::connect(reply, &QNetworkReply::finished, q, [this, reply, ip, tp, turnId, callId, next] {
            reply->deleteLater();
            if (ip->turn.get() != tp || tp->id != turnId || tp->ended)
                return; // the turn ended (cancelled) meanwhile
            OJson* p = partFor(*tp, callId);
            if (!p)
                return;
            if (reply->error() != QNetworkReply::NoError && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 0) {
                toolResult(*tp, *p, actor::Result<OJson>(actor::Error{"fetch: " + reply->errorString().toStdString()}));
            } else {
                const QByteArray body = reply->read(64 << 10);
                OJson out = OJson::object();
                out["status"] = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                out["contentType"] = reply->header(QNetworkRequest::ContentTypeHeader).toString().toStdString();
                out["body"] = QString::fromUtf8(body).toStdString();
                out["truncated"] = reply->bytesAvailable() > 0;
                toolResult(*tp, *p, actor::Result<OJson>(out));
            }
            next(*tp);
        });
    }

    // Runs a server tool for `part` (state output-available on success).
    void executeInto(Turn& t, OJson& part)
    {
        OJson result;
        auto st = runTool(t, stringField(part, "toolName"), part["input"], result);
        toolResult(t, part, st ? actor::Result<OJson>(std::move(result)) : actor::Result<OJson>(actor::Error{st.error()}));
    }

    // ---- ending a turn --------------------------------------------------------------------
    void saveAssistant(Turn& t, const std::function<actor::Status(storage::ActorStorage&)>& extra = {})
    {
        const bool hasParts = !t.assistant["parts"].empty();
        auto st = withStore(t.inst->id, [&](actor::ActorContext& ctx, storage::ActorStorage& db, AgentInstance*) -> actor::Status {
            if (hasParts)
                if (auto s = chat::upsertMessages(db, OJson::array({t.assistant}), options.maxPersistedMessages, ctx.nowMs()); !s)
                    return s;
            if (auto s = chat::appendTrace(db, t.runId, t.trace); !s)
                return s;
            if (extra)
                return extra(db);
            return {};
        });
        t.trace.clear();
        if (!st)
            qWarning("outpost: cannot save the chat turn of %s: %s", t.inst->id.key().c_str(), st.error().c_str());
    }

    void endStream(Turn& t, const char* outcome)
    {
        t.ended = true;
        auto messages = loadMessages(t.inst->id);
        if (messages) {
            const std::string frame = dump(obj({{"messages", *messages}, {"type", "cf_agent_chat_messages"}}));
            sendAll(*t.inst, frame, t.continuation ? std::string() : t.requester);
        }
        OJson done = doneFrame(t.id, outcome);
        if (t.continuation)
            done["continuation"] = true;
        else
            done["messageIds"] = t.originIds;
        const std::string text = dump(done);
        std::set<std::string> to = t.listeners;
        if (!t.continuation && !t.requester.empty())
            to.insert(t.requester);
        for (const auto& c : to)
            sendTo(c, text);
        Instance& inst = *t.inst;
        // Destroying the turn last: `t` is gone after this.
        QTimer::singleShot(0, q, [this, key = inst.id.key()] {
            auto it = instances.find(key);
            if (it != instances.end())
                runNext(*it->second);
        });
        inst.turn.reset();
    }

    void finishTurn(Turn& t, const std::string& reason)
    {
        chunk(t, obj({{"type", "finish"}, {"messageMetadata", finishMetadata(t, reason)}}));
        saveAssistant(t);
        endStream(t, nullptr);
    }

    void failTurn(Turn& t, const GraphNode& n, const std::string& error)
    {
        record(t, n, OJson::object(), error);
        chunk(t, obj({{"type", "error"}, {"errorText", error}}));
        finishTurn(t, "error");
    }

    void pauseTurn(Turn& t, const std::string& nodeId)
    {
        chunk(t, obj({{"type", "finish"}, {"messageMetadata", finishMetadata(t, "tool-calls")}}));
        OJson inputs = OJson::object();
        for (const auto& [node, ports] : t.inputs) {
            OJson p = OJson::object();
            for (const auto& [port, v] : ports)
                p[port] = v;
            inputs[node] = p;
        }
        const OJson run = obj({{"runId", t.runId}, {"node", nodeId}, {"pc", t.pc}, {"steps", t.steps}, {"inputs", inputs},
                               {"assistantId", t.assistant["id"]}, {"userText", t.userText}});
        std::vector<std::string> waiting;
        for (const auto& p : t.assistant["parts"])
            if (pendingPart(p))
                waiting.push_back(p["toolCallId"].get<std::string>());
        saveAssistant(t, [&](storage::ActorStorage& db) -> actor::Status {
            for (const auto& id : waiting)
                if (auto s = chat::savePending(db, id, run); !s)
                    return s;
            return {};
        });
        endStream(t, nullptr);
    }

    void abortTurn(Turn& t, bool persist = true)
    {
        if (t.stream) {
            auto s = std::move(t.stream);
            t.ended = true; // onDone (possibly synchronous) sees an ended turn
            s->cancel();
            if (!t.stepText.empty() && (t.assistant["parts"].empty() || stringField(t.assistant["parts"].back(), "type") != "text"))
                t.assistant["parts"].push_back(obj({{"type", "text"}, {"text", t.stepText}, {"state", "streaming"}}));
        }
        if (persist)
            saveAssistant(t);
        t.ended = false;
        endStream(t, "aborted");
    }

    void cancelTurn(Turn& t, bool persist = true)
    {
        t.cancelled = true;
        abortTurn(t, persist);
    }

    // ---- tool approvals and client results ------------------------------------------------
    void onToolAnswer(Instance& inst, const std::string& conn, const OJson& f, bool approval)
    {
        if (!f.contains("toolCallId") || !f["toolCallId"].is_string()) {
            sendError(conn, "the frame needs a string \"toolCallId\"");
            return;
        }
        if (approval && (!f.contains("approved") || !f["approved"].is_boolean())) {
            sendError(conn, "cf_agent_tool_approval needs a boolean \"approved\"");
            return;
        }
        if (inst.turn) {
            // The running turn finishes first; the answer waits its turn.
            if (inst.pendingContinuation.empty())
                inst.pendingContinuation = nanoid(21);
            inst.waiting.push_back({[this, &inst, conn, f, approval] {
                                        onToolAnswer(inst, conn, f, approval);
                                        // No continuation came of it (refused, or other calls still wait): probes hear so.
                                        if (!inst.turn)
                                            endPendingProbes(inst);
                                    },
                                    conn, {}});
            return;
        }
        const std::string callId = f["toolCallId"].get<std::string>();
        auto messages = loadMessages(inst.id);
        if (!messages) {
            sendError(conn, messages.error());
            return;
        }
        std::optional<OJson> run;
        auto st = withStore(inst.id, [&](actor::ActorContext&, storage::ActorStorage& db, AgentInstance*) -> actor::Status {
            auto r = chat::loadPending(db, callId);
            if (!r)
                return actor::Error{r.error()};
            run = std::move(*r);
            return {};
        });
        if (!st) {
            sendError(conn, st.error());
            return;
        }
        // Find the message and part.
        OJson* message = nullptr;
        OJson* part = nullptr;
        for (auto& m : *messages)
            if (m.contains("parts") && m["parts"].is_array())
                for (auto& p : m["parts"])
                    if (isToolPart(p) && p["toolCallId"] == callId) {
                        message = &m;
                        part = &p;
                    }
        if (!part || !pendingPart(*part)) {
            sendError(conn, "no tool call '" + callId + "' is waiting for an answer");
            return;
        }
        bool execute = false;
        if (approval) {
            if (stringField(*part, "state") != "approval-requested") {
                sendError(conn, "tool call '" + callId + "' does not need an approval");
                return;
            }
            OJson a = obj({{"id", stringField((*part)["approval"], "id")}, {"approved", f["approved"].get<bool>()}});
            if (f["approved"].get<bool>()) {
                (*part)["state"] = "approval-responded";
                execute = true;
            } else {
                (*part)["state"] = "output-denied";
            }
            (*part)["approval"] = a;
        } else {
            if (stringField(f, "state") == "output-error") {
                (*part)["state"] = "output-error";
                (*part)["errorText"] = stringField(f, "errorText", std::string("the client tool failed"));
            } else {
                (*part)["state"] = "output-available";
                (*part)["output"] = f.contains("output") ? f["output"] : OJson(nullptr);
                (*part)["preliminary"] = false;
            }
        }
        const OJson updated = *message;
        auto saved = withStore(inst.id, [&](actor::ActorContext& ctx, storage::ActorStorage& db, AgentInstance*) {
            return chat::upsertMessages(db, OJson::array({updated}), options.maxPersistedMessages, ctx.nowMs());
        });
        if (!saved) {
            sendError(conn, saved.error());
            return;
        }
        sendAll(inst, dump(obj({{"type", "cf_agent_message_updated"}, {"message", updated}})));
        bool stillWaiting = false;
        for (const auto& p : updated["parts"])
            if (pendingPart(p) && p["toolCallId"] != callId)
                stillWaiting = true;
        if (stillWaiting && !execute)
            return;
        continueRun(inst, conn, *messages, updated, callId, run, execute);
    }

    void continueRun(Instance& inst, const std::string& conn, const OJson& messages, const OJson& assistant, const std::string& callId,
                     const std::optional<OJson>& run, bool execute)
    {
        std::string id = inst.pendingContinuation.empty() ? nanoid(21) : std::move(inst.pendingContinuation);
        inst.pendingContinuation.clear();
        inst.turn = newTurn(inst, id, conn, true);
        Turn& t = *inst.turn;
        // Probes told "pending" learn that it streams now (they ACK to join).
        for (const auto& [probeConn, probe] : inst.pendingProbes)
            sendTo(probeConn, dump(obj({{"type", "cf_agent_stream_resuming"}, {"id", id}})));
        inst.pendingProbes.clear();
        t.assistant = assistant;
        for (const auto& m : messages)
            if (stringField(m, "id") != stringField(assistant, "id"))
                t.history.push_back(m);
        std::string nodeId;
        if (run) {
            t.runId = run->value("runId", t.id);
            nodeId = run->value("node", "");
            t.pc = run->value("pc", std::size_t(0));
            t.steps = run->value("steps", 0);
            t.userText = run->value("userText", "");
            if (run->contains("inputs") && (*run)["inputs"].is_object())
                for (const auto& [node, ports] : (*run)["inputs"].items())
                    for (const auto& [port, v] : ports.items())
                        t.inputs[node][port] = v;
        }
        chunk(t, obj({{"type", "start"}}));
        if (auto s = withStore(inst.id, [&](actor::ActorContext&, storage::ActorStorage& db, AgentInstance*) { return chat::deletePending(db, callId); }); !s)
            qWarning("outpost: %s", s.error().c_str());
        if (const GraphNode* an = nodeId.empty() ? nullptr : t.inst->graph->node(nodeId); an && an->type == "approval") {
            // An approval node: its value goes on along "approved" or "denied".
            OJson* part = partFor(t, callId);
            const OJson value = part && (*part)["input"].contains("value") ? (*part)["input"]["value"] : OJson(nullptr);
            if (part && execute) {
                (*part)["state"] = "output-available";
                (*part)["output"] = obj({{"approved", true}});
                chunk(t, obj({{"type", "tool-output-available"}, {"toolCallId", callId}, {"output", (*part)["output"]}}));
            }
            if (t.pc >= t.plan.size() || t.plan[t.pc]->id != nodeId) {
                chunk(t, obj({{"type", "error"}, {"errorText", "the paused graph run cannot continue (the agent's graph changed)"}}));
                finishTurn(t, "error");
                return;
            }
            t.nodeStarted = nowMs();
            pass(t, *an, execute ? "approved" : "denied", value);
            record(t, *an, obj({{execute ? "approved" : "denied", value}}));
            ++t.pc;
            advance(t);
            return;
        }
        std::deque<std::string> run1;
        if (execute)
            run1.push_back(callId);
        executeAll(t, run1, [this, nodeId](Turn& tt) {
            const GraphNode* n = nodeId.empty() ? nullptr : tt.inst->graph->node(nodeId);
            if (!n || n->type != "llm" || tt.pc >= tt.plan.size() || tt.plan[tt.pc]->id != nodeId) {
                // The graph changed since the pause: end the run with what it has.
                chunk(tt, obj({{"type", "error"}, {"errorText", "the paused graph run cannot continue (the agent's graph changed)"}}));
                finishTurn(tt, "error");
                return;
            }
            tt.nodeStarted = nowMs();
            startLlm(tt, *n);
        });
    }

    // A schedule fired (a schedule node's alarm or the schedule tool): the
    // graph runs with the payload's "message" (or the payload as JSON) as
    // the user's words, streamed to every connection as a server-started run.
    void scheduledTurn(const actor::ActorId& id, const OJson& payload)
    {
        Instance* inst = instance(id);
        if (!inst)
            return;
        inst->waiting.push_back({[this, inst, payload] {
            const std::string text = payload.is_object() && payload.contains("message") && payload["message"].is_string()
                                         ? payload["message"].get<std::string>()
                                         : dump(payload);
            const OJson user = obj({{"id", "schedule_" + std::to_string(nowMs()) + "_" + base36(9)},
                                    {"role", "user"},
                                    {"parts", OJson::array({obj({{"type", "text"}, {"text", text}})})}});
            auto st = withStore(inst->id, [&](actor::ActorContext& ctx, storage::ActorStorage& db, AgentInstance*) {
                return chat::upsertMessages(db, OJson::array({user}), options.maxPersistedMessages, ctx.nowMs());
            });
            auto all = loadMessages(inst->id);
            if (!st || !all) {
                qWarning("outpost: a scheduled run of %s cannot start: %s", inst->id.key().c_str(), (!st ? st.error() : all.error()).c_str());
                return;
            }
            sendAll(*inst, dump(obj({{"messages", *all}, {"type", "cf_agent_chat_messages"}})));
            inst->turn = newTurn(*inst, nanoid(21), "", true);
            Turn& t = *inst->turn;
            t.runId = t.id;
            t.history = *all;
            t.userText = text;
            const std::string mid = "assistant_" + std::to_string(nowMs()) + "_" + base36(9);
            t.assistant = obj({{"id", mid}, {"role", "assistant"}, {"parts", OJson::array()}});
            chunk(t, obj({{"type", "start"}, {"messageId", mid}}));
            advance(t);
        }, {}, {}});
        runNext(*inst);
    }
};

ChatService::ChatService(actor::ActorRuntime& runtime, ChatOptions options, QObject* parent)
    : QObject(parent), d(std::make_unique<Impl>(this, runtime, std::move(options)))
{
    d->alive->service = this;
}

ChatService::~ChatService()
{
    {
        QMutexLocker lock(&d->alive->mutex);
        d->alive->service = nullptr;
    }
    cancelAll();
}

void ChatService::bindClass(AgentClass& cls)
{
    enableChatRoutes(cls);
    auto graph = d->graphs.count(cls.className) ? d->graphs[cls.className] : nullptr;
    std::vector<std::string> names = {kScheduleCallback};
    if (graph)
        for (const auto& n : graph->nodes)
            if (n.type == "schedule" && graph->property(n, "callback").is_string())
                names.push_back(graph->property(n, "callback").get<std::string>());
    for (const auto& name : names) {
        cls.callbacks[name] = [alive = d->alive](CallContext& call, const OJson& payload, const OJson&) -> Status {
            // On the shard thread: hand the run to the service's thread.
            QMutexLocker lock(&alive->mutex);
            if (!alive->service)
                return {};
            ChatService* svc = alive->service;
            const actor::ActorId id = call.actor().id();
            QMetaObject::invokeMethod(
                svc, [svc, id, payload] { svc->d->scheduledTurn(id, payload); }, Qt::QueuedConnection);
            return {};
        };
    }
}

void ChatService::addGraph(const std::string& className, std::shared_ptr<const AgentGraph> graph)
{
    d->graphs[className] = std::move(graph);
}

void ChatService::setTransport(ChatTransport transport) { d->transport = std::move(transport); }

void ChatService::setDefaultModel(std::shared_ptr<llm::ChatModel> model) { d->options.defaultModel = std::move(model); }

bool ChatService::handleFrame(const actor::ActorId& id, const std::string& conn, bool readonly, const std::string& text)
{
    return d->handle(id, conn, readonly, text);
}

std::vector<std::string> ChatService::joinFrames(const actor::ActorId& id, const std::string& conn)
{
    (void)conn;
    auto it = d->instances.find(id.key());
    if (it == d->instances.end() || !it->second->turn || it->second->turn->ended)
        return {};
    return {dump(obj({{"type", "cf_agent_stream_resuming"}, {"id", it->second->turn->id}}))};
}

void ChatService::cancelAll()
{
    for (auto& [key, inst] : d->instances) {
        inst->waiting.clear();
        if (inst->turn)
            d->cancelTurn(*inst->turn);
    }
}

int ChatService::runningTurns() const
{
    int n = 0;
    for (const auto& [key, inst] : d->instances)
        n += inst->turn ? 1 : 0;
    return n;
}

void enableChatRoutes(AgentClass& cls)
{
    cls.http["GET get-messages"] = [](CallContext& call, const std::string&) -> Result<HttpResult> {
        auto db = call.actor().storage();
        if (!db)
            return Error{db.error()};
        if (auto st = chat::ensureTables(**db); !st)
            return Error{st.error()};
        auto messages = chat::loadMessages(**db);
        if (!messages)
            return Error{messages.error()};
        HttpResult r;
        r.body = protocol::dump(*messages);
        return r;
    };
}

} // namespace outpost::core::agent
