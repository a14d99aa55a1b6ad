// The Agents SDK's own chat client side (agents 0.32.0: AgentClient and
// WebSocketChatTransport from "agents/chat/transport", the pieces
// useAgentChat is made of) against `outpost serve`, with the llm node
// driven by a scripted OpenAI-compatible endpoint run here:
//   1. a streamed turn;
//   2. a tool that needs approval: the server is restarted while it waits;
//      after approval the run completes with the tool result;
//   3. a client that drops mid-stream: a fresh client resumes and gets the
//      rest of the answer exactly once.
// Usage: node chat_client_test.mjs OUTPOST_BINARY PROJECT_DIR
// Exit codes: 0 pass, 1 fail, 77 skipped (packages not installed).
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

let AgentClient, WebSocketChatTransport, WS;
try {
    ({ AgentClient } = await import("agents/client"));
    ({ WebSocketChatTransport } = await import("agents/chat/transport"));
    WS = (await import("ws")).default;
} catch (e) {
    console.log(`SKIP: the npm packages are not installed (${e.message}); run npm ci here`);
    process.exit(77);
}

// ---- the scripted model ---------------------------------------------------------
const sse = (delta, finish = null) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const model = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
        const { messages } = JSON.parse(body);
        let user = "", tool = null;
        for (const m of messages) {
            if (m.role === "user") { user = m.content; tool = null; }
            if (m.role === "tool") tool = m.content;
        }
        res.writeHead(200, { "content-type": "text/event-stream" });
        let parts, delay = 0;
        if (tool !== null) {
            parts = [sse({ role: "assistant", content: "The tool returned: " }), sse({ content: tool }), sse({}, "stop")];
        } else if (user.startsWith("TOOL")) {
            parts = [sse({ role: "assistant", tool_calls: [{ index: 0, id: "call_mock_7", type: "function", function: { name: "clock", arguments: "" } }] }),
                     sse({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }), sse({}, "tool_calls")];
        } else if (user.startsWith("SLOW")) {
            parts = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => sse({ content: `w${i} ` })).concat([sse({}, "stop")]);
            delay = 60;
        } else {
            parts = [sse({ role: "assistant", content: "Hello" }), sse({ content: " from the mock model." }), sse({}, "stop")];
        }
        parts.push("data: [DONE]\n\n");
        let i = 0;
        const next = () => {
            if (i < parts.length) { res.write(parts[i++]); setTimeout(next, delay); } else res.end();
        };
        next();
    });
});
await new Promise((r) => model.listen(0, "127.0.0.1", r));
const modelUrl = `http://127.0.0.1:${model.address().port}/v1`;

// ---- the project -------------------------------------------------------------------
const [outpost, project] = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), "outpost-chat-"));
cpSync(project, work, { recursive: true });
writeFileSync(join(work, "agents", "chat-agent.agent.json"), JSON.stringify({
    schemaVersion: 1, name: "chat-agent",
    nodes: [
        { id: "in", type: "input", position: [0, 0] },
        { id: "model", type: "llm", position: [200, 0], properties: { endpoint: modelUrl, model: "mock" } },
        { id: "clock", type: "tool", position: [200, 200], properties: { tool: "clock", needsApproval: true } },
        { id: "out", type: "output", position: [400, 0] },
    ],
    edges: [
        { from: "in", fromPort: "message", to: "model", toPort: "prompt" },
        { from: "model", fromPort: "reply", to: "out", toPort: "message" },
        { from: "model", fromPort: "toolCalls", to: "clock", toPort: "arguments" },
    ],
}, null, 2));

let server = null;
async function startServer() {
    server = spawn(outpost, ["serve", work, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
    return new Promise((resolve, reject) => {
        let out = "";
        server.stdout.on("data", (d) => {
            out += d;
            const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)/);
            if (m) resolve(Number(m[1]));
        });
        server.on("exit", (code) => reject(new Error(`outpost serve exited with ${code}: ${out}`)));
    });
}
async function stopServer() {
    const s = server;
    server = null;
    s.kill("SIGTERM");
    await new Promise((r) => s.on("exit", r));
}

let failed = false;
function check(cond, what) {
    console.log(`${cond ? "ok  " : "FAIL"} ${what}`);
    if (!cond) failed = true;
}
const until = (pred, what, ms = 10000) =>
    new Promise((resolve, reject) => {
        const start = Date.now();
        const tick = () => (pred() ? resolve() : Date.now() - start > ms ? reject(new Error(`timed out: ${what}`)) : setTimeout(tick, 5));
        tick();
    });

// A chat client as useAgentChat builds one: an AgentClient, a transport, and
// the message handler that passes the resume frames to the transport.
async function chatClient(port, name) {
    const frames = [];
    const agent = new AgentClient({ agent: "ChatAgent", name, host: `127.0.0.1:${port}`, WebSocket: WS });
    const transport = new WebSocketChatTransport({});
    transport.setAgent(agent);
    agent.addEventListener("message", (e) => {
        let data;
        try { data = JSON.parse(e.data); } catch { return; }
        frames.push(data);
        if (data.type === "cf_agent_stream_resuming") transport.handleStreamResuming(data);
        else if (data.type === "cf_agent_stream_resume_none") transport.handleStreamResumeNone(data);
        else if (data.type === "cf_agent_stream_pending") transport.handleStreamPending();
    });
    await until(() => frames.some((f) => f.type === "cf_agent_identity"), "identity");
    return { agent, transport, frames };
}
async function readAll(stream, onChunk = () => {}) {
    const chunks = [];
    const reader = stream.getReader();
    for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(value);
        onChunk(value, chunks);
    }
    return chunks;
}
const textOf = (chunks) => chunks.filter((c) => c.type === "text-delta").map((c) => c.delta).join("");
const userMessage = (id, text) => ({ id, role: "user", parts: [{ type: "text", text }] });
async function getMessages(port, name) {
    const r = await fetch(`http://127.0.0.1:${port}/agents/chat-agent/${name}/get-messages`);
    return r.json();
}

try {
    let port = await startServer();

    // 1. A streamed turn.
    {
        const a = await chatClient(port, "plain");
        const chunks = await readAll(await a.transport.sendMessages({ chatId: "plain", messages: [userMessage("u-1", "hi there")], trigger: "submit-message" }));
        check(textOf(chunks) === "Hello from the mock model.", `streamed text: ${JSON.stringify(textOf(chunks))}`);
        check(chunks[0].type === "start" && chunks.at(-1).type === "finish", "start ... finish");
        const stored = await getMessages(port, "plain");
        check(stored.length === 2 && stored[1].parts.at(-1).text === "Hello from the mock model.", "get-messages has the answer");
        a.agent.close();
    }

    // 2. Approval across a restart.
    {
        const a = await chatClient(port, "approve");
        const chunks = await readAll(await a.transport.sendMessages({ chatId: "approve", messages: [userMessage("u-2", "TOOL what time is it")], trigger: "submit-message" }));
        const request = chunks.find((c) => c.type === "tool-approval-request");
        check(request && request.toolCallId === "call_mock_7", "the model's tool call waits for approval");
        check(chunks.at(-1).messageMetadata?.finishReason === "tool-calls", "the turn ends with finishReason tool-calls");
        a.agent.close();

        await stopServer();
        port = await startServer();

        const b = await chatClient(port, "approve");
        const pending = await getMessages(port, "approve");
        check(pending[1]?.parts?.[1]?.state === "approval-requested", "after the restart the approval is still pending");
        // As useAgentChat's addToolApprovalResponse: the frame, then the continuation probe.
        b.agent.send(JSON.stringify({ type: "cf_agent_tool_approval", toolCallId: "call_mock_7", approved: true, autoContinue: true }));
        b.transport.expectToolContinuation();
        const stream = await b.transport.reconnectToStream({ chatId: "approve" });
        check(stream !== null, "the continuation stream attaches");
        const cont = stream ? await readAll(stream) : [];
        const output = cont.find((c) => c.type === "tool-output-available");
        check(output && typeof output.output?.iso === "string", "the continuation opens with the tool result");
        check(textOf(cont).startsWith("The tool returned: {"), `the model answered with it: ${JSON.stringify(textOf(cont))}`);
        const done = await getMessages(port, "approve");
        check(done[1]?.parts?.[1]?.state === "output-available", "the persisted tool part has its output");
        b.agent.close();
    }

    // 3. Drop mid-stream, resume exactly once.
    {
        const a = await chatClient(port, "resume");
        const stream = await a.transport.sendMessages({ chatId: "resume", messages: [userMessage("u-3", "SLOW count")], trigger: "submit-message" });
        const reader = stream.getReader();
        let seen = "";
        while (!seen.includes("w2 ")) {
            const { value, done } = await reader.read();
            if (done) break;
            if (value.type === "text-delta") seen += value.delta;
        }
        a.agent.close();
        const c = await chatClient(port, "resume");
        const resumed = await c.transport.reconnectToStream({ chatId: "resume" });
        check(resumed !== null, "a fresh client finds the stream");
        const rest = resumed ? await readAll(resumed) : [];
        check(textOf(rest) === "w1 w2 w3 w4 w5 w6 w7 w8 ", `the resumed client has the whole answer once: ${JSON.stringify(textOf(rest))}`);
        const seqs = c.frames.filter((f) => f.type === "cf_agent_use_chat_response" && f.seq !== undefined).map((f) => f.seq);
        check(new Set(seqs).size === seqs.length, "no chunk arrived twice");
        const probeAfter = await c.transport.reconnectToStream({ chatId: "resume" });
        check(probeAfter === null, "after the turn a probe finds nothing to resume");
        c.agent.close();
    }
} catch (e) {
    check(false, `unexpected error: ${e.stack || e}`);
} finally {
    if (server) await stopServer();
    model.close();
    rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
