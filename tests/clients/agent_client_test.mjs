// A real Agents SDK client (agents 0.32.0, AgentClient from "agents/client")
// against `outpost serve`: identity and state on connect, setState broadcast
// to a second client, a server-side setState through RPC, and an unknown
// method. Usage: node agent_client_test.mjs OUTPOST_BINARY PROJECT_DIR
// Exit codes: 0 pass, 1 fail, 77 skipped (dependencies not installed).
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let AgentClient, WS;
try {
    ({ AgentClient } = await import("agents/client"));
    WS = (await import("ws")).default;
} catch (e) {
    console.log(`SKIP: the npm packages are not installed (${e.message}); run npm ci here`);
    process.exit(77);
}

const [outpost, project] = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), "outpost-client-"));
cpSync(project, work, { recursive: true });

const server = spawn(outpost, ["serve", work, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)/);
        if (m) resolve(Number(m[1]));
    });
    server.on("exit", (code) => reject(new Error(`outpost serve exited with ${code}: ${out}`)));
});

let failed = false;
function check(cond, what) {
    console.log(`${cond ? "ok  " : "FAIL"} ${what}`);
    if (!cond) failed = true;
}
const until = (pred, what, ms = 5000) =>
    new Promise((resolve, reject) => {
        const start = Date.now();
        const tick = () => (pred() ? resolve() : Date.now() - start > ms ? reject(new Error(`timed out: ${what}`)) : setTimeout(tick, 5));
        tick();
    });

function client(label, updates) {
    return new AgentClient({
        agent: "MyAgent",
        name: "alice",
        host: `127.0.0.1:${port}`,
        WebSocket: WS,
        onStateUpdate: (state, source) => updates.push({ state, source }),
        onIdentity: (name, agent) => updates.push({ identity: [name, agent] }),
    });
}

try {
    const aUpdates = [], bUpdates = [];
    const a = client("A", aUpdates);
    await a.ready;
    check(aUpdates.some((u) => u.identity && u.identity[0] === "alice" && u.identity[1] === "my-agent"), "A got its identity (alice, my-agent)");
    check(JSON.stringify(a.state) === "{}", `A got the initial state {} (${JSON.stringify(a.state)})`);

    const b = client("B", bUpdates);
    await b.ready;

    a.setState({ count: 5, ticks: 0 });
    await until(() => bUpdates.some((u) => u.source === "server" && u.state && u.state.count === 5), "B sees A's state");
    check(true, "B received A's setState as a server broadcast");

    const result = await a.call("setState", [{ count: 7, ticks: 0 }]);
    check(JSON.stringify(result) === '{"count":7,"ticks":0}', `RPC setState returned ${JSON.stringify(result)}`);
    await until(() => b.state && b.state.count === 7, "B sees the RPC's state");
    check(JSON.stringify(a.state) === '{"count":7,"ticks":0}', "A's state follows the server-side setState");

    const got = await a.call("getState", []);
    check(got.count === 7, "getState returns the persisted state");

    let error = "";
    try {
        await a.call("noSuchMethod", []);
    } catch (e) {
        error = e.message;
    }
    check(error === "Method noSuchMethod does not exist", `unknown method rejected: "${error}"`);

    a.close();
    b.close();
} catch (e) {
    check(false, e.stack || String(e));
}

server.kill("SIGTERM");
const code = await new Promise((resolve) => server.on("exit", (c) => resolve(c)));
check(code === 0, `outpost serve exited with ${code} after SIGTERM`);
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
