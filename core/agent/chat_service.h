#pragma once
// ChatService: the chat side of every agent served by `outpost serve`, and
// the executor of its graph for each chat turn.
//
// It lives on the gateway's thread and speaks the AIChatAgent frames of
// the Agents SDK (protocol reference §3): cf_agent_use_chat_request and its
// _response stream, cf_agent_chat_messages, cf_agent_chat_clear,
// cf_agent_chat_request_cancel, cf_agent_tool_approval,
// cf_agent_tool_result, cf_agent_stream_resume_request/_ack and the
// _resuming/_none/_pending answers, cf_agent_message_updated. A tool answer
// that arrives while another turn runs waits for it; a probe meanwhile gets
// cf_agent_stream_pending with the continuation's id, then
// cf_agent_stream_resuming when it starts (or _none if nothing came of it).
//
// Where things live:
// - The transcript, pending tool calls and the trace are in the instance's
//   database (chat_store.h), read and written as events of the actor
//   (ActorRuntime::callFn), so they share its transactions, hibernation and
//   output gate. The model runs outside the actor (a stream on this
//   thread): an answer that takes a minute never holds a shard.
// - A turn's stream (its chunks, in order) is kept in memory while it runs,
//   so a client that reconnects gets it replayed once from seq 0 after its
//   ACK and then the live rest: all on one thread, so no chunk is lost or
//   sent twice. Streams do not survive a restart; the finished message does.
// - A tool call waiting for approval (or a client tool result) is a part of
//   the persisted assistant message in state "approval-requested" plus a
//   row in outpost_chat_pending with where the graph run stopped, so it
//   survives hibernation and restarts.
//
// The graph run (Turn) state machine: nodes run in topological order
// (advance). A node runs when each required input has a value and at least
// one connected input has one (a router's untaken branch thus skips its
// nodes). llm nodes are asynchronous: startLlm() streams a step (after
// summarising old turns when the history passes 3/4 of the window); its
// onDone runs the server tools (executeAll; fetch waits for the network),
// then either pauses (approval or client tool: the turn ends with
// finishReason "tool-calls" and outpost_chat_pending keeps the run), loops
// for another step with the results (at most maxSteps), or stores the
// node's outputs and advances. An approval node pauses the same way, as a
// tool approval named after the node. A tool approval or client result
// starts a continuation (continueRun) from the saved run. The run ends
// when the plan is done (finish), on error (an error chunk, then finish),
// or on cancel (aborted, the partial text kept as "streaming").
// Other nodes: router (conditions "always", "never", "empty", "nonempty",
// "contains:<text>", "equals:<text>", "state.<path>": that state value is
// truthy), set-state, schedule (its alarm runs
// the graph again with the payload's message), memory.recall/.write
// (memoryRoot), tool (tool nodes wired to an llm's toolCalls are its
// tools), code (refused: Code Mode is a later feature).
#include "core/actor/actor_runtime.h"
#include "core/agent/agent_graph.h"
#include "core/agent/agent_instance.h"
#include "core/agent/tools.h"
#include "core/llm/chat_model.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace outpost::core::agent {

// What happens to chat requests that arrive while one runs. A request that
// does not run always ends: its client gets the done frame with outcome
// "skipped" (or "aborted" when it was cancelled while running). Tool answers
// and scheduled runs are never dropped by a policy.
enum class ChatConcurrency {
    Queue,    // run requests one after another (default)
    Latest,   // a new request cancels the running one and skips the waiting ones
    Merge,    // while one runs, keep only the newest waiting request
    Drop,     // refuse requests while one runs
    Debounce, // wait debounceMs of quiet; only the last request runs
};
// "queue", "latest", "merge", "drop", "debounce"; nullopt for anything else.
std::optional<ChatConcurrency> parseChatConcurrency(const std::string& text);

struct ChatOptions {
    // The model of llm nodes without an endpoint (outpost serve --model).
    std::shared_ptr<llm::ChatModel> defaultModel;
    // The API key for an endpoint URL (from the environment or a key file,
    // never from the agent file). May be empty.
    std::function<QByteArray(const QString& endpoint)> apiKeyFor;
    ChatConcurrency concurrency = ChatConcurrency::Queue;
    int debounceMs = 300;
    std::size_t maxPersistedMessages = 0; // 0: keep all
    // Folder of the project's vector indexes (PROJECT/memory): memory nodes
    // open memory/<index>/ there (memory.write creates it for the built-in
    // hashing embedder). Empty: memory nodes report an error and pass nothing.
    QString memoryRoot;
    // Hosts the fetch tool may reach ("example.com", "*.example.com");
    // empty: fetch refuses every URL.
    QStringList fetchAllowlist;
    int maxSteps = 5;                     // model calls per llm node and turn (tool loops)
    // Context window for models that do not say theirs (remote endpoints);
    // 0: no compaction for them. History past 3/4 of the window is
    // summarised by the model and replaced by the summary.
    int contextTokens = 0;
};

// How the service reaches clients (the Gateway, or a test double).
struct ChatTransport {
    std::function<bool(const std::string& conn, const QString& text)> sendTo;
    std::function<std::vector<std::string>(const std::string& actorKey)> connectionsOf;
};

class ChatService : public QObject {
    Q_OBJECT

public:
    ChatService(actor::ActorRuntime& runtime, ChatOptions options, QObject* parent = nullptr);
    ~ChatService() override;

    // The graph of a class; classes without one get no chat (frames go to
    // the actor unchanged).
    void addGraph(const std::string& className, std::shared_ptr<const AgentGraph> graph);
    // Before the class is registered (after addGraph): adds get-messages
    // (enableChatRoutes) and the schedule callbacks that run the graph when
    // an alarm fires (each schedule node's callback, and kScheduleCallback
    // of the schedule tool).
    void bindClass(AgentClass& cls);
    static constexpr const char* kScheduleCallback = kChatScheduleCallback;
    void setTransport(ChatTransport transport);

    // A text frame from a connection; false when it is not a chat frame.
    bool handleFrame(const actor::ActorId& id, const std::string& conn, bool readonly, const std::string& text);
    // Frames for a new connection before identity (an active stream's
    // unprompted cf_agent_stream_resuming).
    std::vector<std::string> joinFrames(const actor::ActorId& id, const std::string& conn);

    // Cancels every running turn (shutdown).
    void cancelAll();
    int runningTurns() const;

    // Changes the model of llm nodes without an endpoint (the studio loads
    // and unloads models while the service runs); null: such nodes fail
    // with "has no model". A running step keeps the model it started with.
    void setDefaultModel(std::shared_ptr<llm::ChatModel> model);

    struct Turn;
    struct Instance;
    struct Impl;

signals:
    // Live trace of graph runs, for in-process observers (the studio's chat
    // panel and the graph editor's trace pane); emitted on the service's
    // thread, synchronously, with the same data the trace table keeps.
    // `runId` is the run (the request id of its first turn, kept across
    // continuations). `event`:
    //   {"phase":"start","node":ID,"type":T,"inputs":{port:value}}
    //     when a node begins (llm nodes: each model step);
    //   {"phase":"end","node":ID,"type":T,"inputs":{...},"outputs":{...},
    //    "tokens":N,"error":E,"elapsedMs":MS}
    //     when its trace row is recorded ("compaction" rows included);
    //    llm ends add "ttftMs" (first text of the step) and
    //    "tokensPerSecond" (completion tokens over the time after the first
    //    text) when the model produced text.
    // Per-turn metrics also reach every client: the "finish" chunk's
    // messageMetadata (and the saved assistant message's "metadata") carry
    // "ttftMs" (request to first text), "completionTokens" and
    // "tokensPerSecond" when an llm node produced text in the turn.
    void traceEvent(const QString& actorKey, const QString& runId, const QJsonObject& event);

private:
    std::unique_ptr<Impl> d;
};

// Adds the HTTP route GET get-messages (the persisted transcript as a JSON
// array) to a class served with chat.
void enableChatRoutes(AgentClass& cls);

} // namespace outpost::core::agent
