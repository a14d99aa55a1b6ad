// The `openai` npm package (pinned in package-lock.json) against
// `outpost serve --model` with the tiny model: a streamed chat completion,
// a plain one, the model list, embeddings, tool calls, structured output
// (response_format) and stop strings.
// Usage: node openai_client_test.mjs OUTPOST_BINARY PROJECT_DIR MODEL_FILE
// Exit codes: 0 pass, 1 fail, 77 skipped (packages or model missing).
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let OpenAI;
try {
    OpenAI = (await import("openai")).default;
} catch (e) {
    console.log(`SKIP: the npm packages are not installed (${e.message}); run npm ci here`);
    process.exit(77);
}

const [outpost, project, model] = process.argv.slice(2);
if (!model || !existsSync(model)) {
    console.log(`SKIP: the tiny model is not there (${model}); it lives in shared/models`);
    process.exit(77);
}
const work = mkdtempSync(join(tmpdir(), "outpost-openai-"));
cpSync(project, work, { recursive: true });

const server = spawn(outpost, ["serve", work, "--listen", "127.0.0.1:0", "--model", model], { stdio: ["ignore", "pipe", "inherit"] });
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

try {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "unused", maxRetries: 0, timeout: 30000 });

    const models = await client.models.list();
    const ids = [];
    for await (const m of models) ids.push(m.id);
    check(ids.includes("stories260K"), `models.list() names the loaded model (${ids})`);

    const stream = await client.chat.completions.create({
        model: "stories260K",
        messages: [{ role: "user", content: "Once upon a time" }],
        max_tokens: 24,
        temperature: 0,
        stream: true,
    });
    let text = "", chunks = 0, finish = null, role = null;
    for await (const chunk of stream) {
        chunks++;
        const choice = chunk.choices[0];
        if (choice.delta.role) role = choice.delta.role;
        if (choice.delta.content) text += choice.delta.content;
        if (choice.finish_reason) finish = choice.finish_reason;
    }
    check(chunks > 2, `the stream came in ${chunks} chunks`);
    check(role === "assistant", "the first delta names the assistant role");
    check(text.length > 0, `streamed text: ${JSON.stringify(text)}`);
    check(finish === "length" || finish === "stop", `finish_reason ${finish}`);

    const whole = await client.chat.completions.create({
        model: "stories260K",
        messages: [{ role: "user", content: "Once upon a time" }],
        max_tokens: 24,
        temperature: 0,
    });
    check(whole.object === "chat.completion", "a plain completion");
    check(whole.choices[0].message.content === text, "greedy: the plain answer equals the streamed one");

    const emb = await client.embeddings.create({ model: "stories260K", input: ["a cat", "a dog"] });
    check(emb.data.length === 2 && emb.data[0].embedding.length > 0, `embeddings: ${emb.data.length} of ${emb.data[0]?.embedding.length}`);

    // The choice of a "What time is it?" request offering one tool, clock,
    // with these parameters, for each seed.
    async function clockChoices(parameters, seeds) {
        const out = [];
        for (const seed of seeds) {
            const r = await client.chat.completions.create({
                model: "stories260K",
                messages: [{ role: "user", content: "What time is it?" }],
                max_tokens: 16,
                temperature: 1,
                seed,
                tools: [{ type: "function", function: { name: "clock", description: "the time", parameters } }],
            });
            out.push({ seed, choice: r.choices[0] });
        }
        return out;
    }

    // Tools: the engine decides in JSON it constrains, so a tool call's
    // arguments always parse and match the tool's schema.
    for (const { seed, choice } of await clockChoices({ type: "object", properties: { zone: { type: "string" } }, required: ["zone"] }, [1, 6])) {
        const m = choice.message;
        if (m.tool_calls) {
            const args = JSON.parse(m.tool_calls[0].function.arguments);
            check(m.tool_calls[0].function.name === "clock" && typeof args.zone === "string" && choice.finish_reason === "tool_calls",
                  `seed ${seed}: a tool call with valid arguments`);
        } else {
            check(typeof m.content === "string" && m.content.length > 0, `seed ${seed}: an answer in words`);
        }
    }

    // A tool schema the engine cannot honour (pattern) still lets the model
    // call the tool: its arguments are then any JSON object.
    let patternCalls = 0;
    for (const { seed, choice } of await clockChoices({ type: "object", properties: { zone: { type: "string", pattern: "^[A-Z]" } } }, [1, 2, 3, 4, 5, 6])) {
        const call = choice.message.tool_calls?.[0];
        if (call) {
            patternCalls++;
            check(call.function.name === "clock" && typeof JSON.parse(call.function.arguments) === "object", `seed ${seed}: a call with object arguments`);
        }
    }
    check(patternCalls > 0, `an unconstrained tool schema still gets calls (${patternCalls} of 6 seeds)`);

    // A pydantic-style tool schema ("$defs" and "$ref") constrains the
    // arguments inside the model's decision too.
    let refCalls = 0;
    const zoneSchema = { $defs: { Zone: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } },
                         type: "object", properties: { zone: { $ref: "#/$defs/Zone" } }, required: ["zone"] };
    for (const { seed, choice } of await clockChoices(zoneSchema, [1, 2, 3, 4, 5, 6])) {
        const call = choice.message.tool_calls?.[0];
        if (call) {
            refCalls++;
            const args = JSON.parse(call.function.arguments);
            check(typeof args.zone?.name === "string", `seed ${seed}: $ref arguments match the tool's schema: ${call.function.arguments}`);
        }
    }
    check(refCalls > 0, `a tool schema with $defs gets calls (${refCalls} of 6 seeds)`);

    // Structured output: response_format json_schema gives one JSON value of
    // the schema, even from a model this small; json_object an object.
    const person = {
        type: "object",
        properties: { name: { type: "string" }, age: { type: "integer" }, pets: { type: "array", items: { type: "string" } } },
        required: ["name", "age"],
    };
    for (const seed of [1, 2, 3]) {
        const r = await client.chat.completions.create({
            model: "stories260K",
            messages: [{ role: "user", content: "Describe Lily." }],
            max_tokens: 48,
            temperature: 1,
            seed,
            response_format: { type: "json_schema", json_schema: { name: "person", schema: person, strict: true } },
        });
        let value = null;
        try {
            value = JSON.parse(r.choices[0].message.content);
        } catch {}
        check(value !== null && typeof value.name === "string" && Number.isInteger(value.age)
              && (value.pets === undefined || (Array.isArray(value.pets) && value.pets.every((p) => typeof p === "string"))),
              `seed ${seed}: json_schema output matches: ${r.choices[0].message.content}`);
    }
    const obj = await client.chat.completions.create({
        model: "stories260K", messages: [{ role: "user", content: "Hi" }], max_tokens: 24, temperature: 0,
        response_format: { type: "json_object" },
    });
    let parsed = null;
    try {
        parsed = JSON.parse(obj.choices[0].message.content);
    } catch {}
    check(parsed !== null && typeof parsed === "object" && !Array.isArray(parsed), `json_object output is an object: ${obj.choices[0].message.content}`);

    // stop: the answer ends before the stop string, which is not part of it.
    const full = text;
    const cut = full.indexOf(" ", 4);
    const stopAt = full.slice(cut, cut + 3);
    const stopped = await client.chat.completions.create({
        model: "stories260K", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 24, temperature: 0, stop: [stopAt],
    });
    check(stopped.choices[0].finish_reason === "stop" && full.startsWith(stopped.choices[0].message.content)
          && !stopped.choices[0].message.content.includes(stopAt),
          `stop ${JSON.stringify(stopAt)} cuts ${JSON.stringify(full)} to ${JSON.stringify(stopped.choices[0].message.content)}`);

    // A schema the engine cannot honour is the client's error: 400, not retried.
    let schemaRefused = null;
    try {
        await client.chat.completions.create({
            model: "stories260K", messages: [{ role: "user", content: "Hi" }], max_tokens: 8,
            response_format: { type: "json_schema", json_schema: { name: "x", schema: { not: { type: "string" } } } },
        });
    } catch (e) {
        schemaRefused = e;
    }
    check(schemaRefused?.status === 400 && /not/.test(schemaRefused.message), `an unsupported schema is refused with 400 (${schemaRefused?.message})`);
    let streamRefused = null;
    try {
        const s = await client.chat.completions.create({
            model: "stories260K", messages: [{ role: "user", content: "Hi" }], max_tokens: 8, stream: true,
            response_format: { type: "json_schema", json_schema: { name: "x", schema: { not: { type: "string" } } } },
        });
        for await (const _ of s) {}
    } catch (e) {
        streamRefused = e;
    }
    check(streamRefused?.status === 400, `streamed, an unsupported schema is refused with 400 too (${streamRefused?.message})`);

    let refused = false;
    try {
        await client.chat.completions.create({ model: "stories260K", messages: [] });
    } catch (e) {
        refused = e.status === 400;
    }
    check(refused, "an empty message list is refused with 400");
} catch (e) {
    check(false, `unexpected error: ${e.stack || e}`);
} finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.on("exit", r));
    rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
