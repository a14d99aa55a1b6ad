<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
    <context>
        <name>main</name>
        <message>
            <source>Outpost Studio: design, run and inspect agents.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The project folder to open.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::cli</name>
        <message>
            <source>Usage: outpost COMMAND [ARGS...]</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Commands:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Run 'outpost COMMAND --help' for the options of a command.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost: unknown command '%1'</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Create a new project from the sample project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Check a project's manifest and agent graphs</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>List the compute devices the engine can use</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>List the compute devices the engine can use.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Print one JSON object.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Check a project's manifest and agent graphs. Exits with 1 when there are errors.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Print the diagnostics as JSON.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The project folder.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost validate: give exactly one project folder</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%1 %2: manifest and %n agent(s) are valid</source>
            <translation>
                <numerusform>%1 %2: manifest and %n agent are valid</numerusform>
                <numerusform>%1 %2: manifest and %n agents are valid</numerusform>
            </translation>
        </message>
        <message>
            <source>Create a new project in FOLDER from the sample project (or an empty one with --empty).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Create a project with no agents.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The project's name (default: the folder's name).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Where to create the project.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost init: give exactly one folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost init: "%1" is not a valid project name; use --name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost init: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Created project %1 in %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Show what a GGUF model file holds</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generate text from a prompt with a GGUF model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Serve a project's agents over WebSocket and HTTP</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Show the tokens a model's tokenizer makes of a text</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Vector memory: create, upsert, query, describe and delete indexes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>(per layer, largest shown)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Show what a GGUF model file holds: architecture, parameters, tensor types, shape, tokenizer and chat template.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The .gguf file.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost model-info: give exactly one FILE (see --help)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost model-info: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>(none)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>file</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 (%2, GGUF v%3)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>architecture</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>parameters</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 (%2)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 ×%2 (%3)%4</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>[not supported by Outpost]</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>tensors</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>context length</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>embedding</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>layers</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>heads</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV heads</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>feed-forward</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>dimensions %1, freq base %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>(default)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>, scaling %1 ×%2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>rope</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>tokenizer</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1, %2 tokens</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>chat template</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>... (cut: the template is %1 characters long; --json prints it whole)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tokenize a text with a model's tokenizer and print the token ids and the text of each token.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The .gguf model (or vocabulary-only) file.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The text to tokenize (read from standard input when absent).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Print {"ids": [...], "pieces": [...], "pieces_hex": [...]}.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Do not add the BOS/EOS tokens the model asks for.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Recognise special tokens such as &lt;|eot_id|&gt; written in the text.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost tokenize: give --model FILE and --text TEXT (see --help)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost tokenize: cannot read standard input</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost tokenize: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generate a continuation of a prompt with a GGUF model on the CPU.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The .gguf model file.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The prompt text.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generate at most N tokens (default 128).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Temperature; 0 is greedy (default 0.8).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Keep the K most likely tokens; 0 is off (default 40).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Nucleus sampling mass; 1 is off (default 0.95).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Random seed (default 0).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Threads; 0 is one per physical core (default).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Context length in tokens; 0 is the model's, at most 4096.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Treat the prompt as a user message and render it with the model's chat template.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Print one JSON object: prompt_tokens, tokens, text, finish_reason, ttft_ms, prompt_tokens_per_s, tokens_per_s.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost generate: give --model FILE and --prompt TEXT (see --help)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost generate: --%1 expects a number, not '%2'</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost generate: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>[%1 prompt tokens, %2 generated (%3); first token %4 ms; prompt %5 tok/s, generation %6 tok/s]</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Serve a project's agents to WebSocket (Agents SDK) and HTTP clients until SIGINT or SIGTERM.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Address and port to listen on (default 127.0.0.1:8787; port 0 picks a free one).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>File of SHA-256 hashes of the accepted bearer tokens, one per line (required off loopback).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Also accept WebSocket upgrades from this Origin (repeatable).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost serve: give exactly one project folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost serve: not serving %1: it has errors (see 'outpost validate')</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost serve: shutting down (finishing running events)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost serve: listening on http://%1:%2 (agents: %3)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost serve: stopped</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>give a project folder and an index name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1: no such project folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Vector dimension (1..4096).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cosine, euclidean or dot-product (default cosine).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>HNSW links per node (default 16).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>HNSW build candidate list (default 200).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>HNSW query candidate list (default 128).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>--dimensions D is required (1..4096)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>unknown metric '%1' (cosine, euclidean, dot-product)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>--m, --ef-construction and --ef-search take whole numbers</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Matches per query (1..100, default 10).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Metadata filter as JSON.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Search only this namespace.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Include each match's metadata.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Include each match's vector.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>HNSW query candidate list (default: the index's).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>--top-k must be a whole number in 1..100</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>--ef takes a whole number</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>--filter: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Delete the whole index instead of some records.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>give either record ids or --all</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>no memory index named '%1'</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>give the ids of the records to delete, or --all to delete the index</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>give a project folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Usage: outpost memory SUBCOMMAND ...</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>unknown subcommand '%1'</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stop when the text contains TEXT (may be repeated).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Constrain the output to one JSON value matching the JSON Schema in FILE.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV cache type: f16 (default), q8_0 or f32.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV cache memory in MiB; 0 sizes it from the context (default).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost generate: --kv-type must be f16, q8_0 or f32, not '%1'</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost generate: cannot read the JSON schema %1: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost generate: -n, --threads, --ctx and --kv-mib must not be negative</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>GGUF model for llm nodes without an endpoint and for the OpenAI-compatible /v1/ routes.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>What a chat message does while a reply runs: queue (default), latest, merge, drop or debounce.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Keep at most this many chat messages per instance (0: all).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>A host the fetch tool may reach (repeatable; *.example.com for subdomains).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost serve: --chat-concurrency must be queue, latest, merge, drop or debounce</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>outpost serve: --max-persisted-messages must be a whole number</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::core::AgentGraph</name>
        <message>
            <source>unknown field "%1"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>missing required field "%1"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" must be %2, not %3</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>a string</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>an agent file must be a JSON object, not %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>an integer</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>schema version %1 is not supported; this Outpost reads version %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is not a valid agent name: use a letter, then letters, digits, "_" or "-" (at most 64)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>an array</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>a node must be an object, not %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>an array [x, y]</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"position" must be two finite numbers [x, y]</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>an object</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>an edge must be an object, not %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" must not be empty</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>true or false</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>a number</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" must be finite</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is %2; it must be between %3 and %4</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is "%2"; it must be one of: %3</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>an array of strings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" must contain only strings, not %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is not a valid node id: use a letter or "_", then letters, digits, "_", "." or "-" (at most 64)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>node id "%1" is used twice</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>unknown node type "%1"; known types: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>node type "%1" has no property "%2"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>node "%1" (%2) needs the property "%3"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the graph needs a node of type "%1"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the graph needs at least %1 nodes of type "%2"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the graph has %1 nodes of type "%2"; at most %3 are allowed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>no node has the id "%1"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>node "%1" (%2) has no output port "%3"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>node "%1" (%2) has no input port "%3"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cannot connect %1 output "%2.%3" to %4 input "%5.%6"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>input "%1.%2" already has an incoming edge</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>input "%1" of node "%2" is not connected</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the graph has a cycle: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>unknown node type "%1"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>a node cannot be connected to itself</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1.%2" is already connected to "%3.%4"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>connecting "%1" to "%2" would make a cycle</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::core::Diagnostic</name>
        <message>
            <source>error</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>warning</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::core::JsonDocument</name>
        <message>
            <source>not valid JSON: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>file not found</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cannot read: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>file is %1 bytes; project files are limited to %2 bytes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cannot serialise: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>not valid JSON: nested deeper than %1 levels</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::core::Manifest</name>
        <message>
            <source>the manifest must be a JSON object, not %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>missing required field "%1"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" must be a string, not %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>missing required field "schemaVersion"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"schemaVersion" must be an integer, not %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>schema version %1 is not supported; this Outpost reads version %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is not a valid project name: use a letter, then letters, digits, "_" or "-" (at most 64)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is not a semantic version such as 1.0.0</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>unknown field "%1" is kept but not used</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::core::NodeTypes</name>
        <message>
            <source>Input</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Where each incoming message or schedule enters the graph</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Language model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Answers with a local model or an OpenAI-compatible endpoint</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Endpoint URL</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>System prompt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Temperature</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Top-p</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Maximum tokens</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tools</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tool</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Calls one tool with JSON arguments</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tool name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Needs approval</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Router</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Sends its input one way or the other by a condition</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Condition</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Recall memory</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Finds the stored passages closest to the message</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Index</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Results</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Namespace</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Metadata filter</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Write memory</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stores its input in a vector index</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Runs a small JavaScript program in the sandbox</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Source</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Time limit (ms)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Schedule</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Sets an alarm that runs the agent again later</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Kind</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>When</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Callback</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Payload</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Approval</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Waits until a person approves or denies</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Question</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Set state</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Writes its input into the instance's state</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>State path</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Output</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Sends the reply to every connected client</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::core::Project</name>
        <message>
            <source>the agent is named "%1" but its file is named for "%2"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>no such folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>not a project folder (expected a folder holding %1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>not an Outpost project: %1 is missing</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is not a valid project name: use a letter, then letters, digits, "_" or "-" (at most 64)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>this folder already holds a project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cannot create the folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is not a valid agent name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cannot create the agents folder</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::core::SampleProject</name>
        <message>
            <source>this build has no sample project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 already holds a project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cannot create %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cannot write %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is not a valid project name: use a letter, then letters, digits, "_" or "-" (at most 64)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the new project cannot be opened</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::AgentListModel</name>
        <message numerus="yes">
            <source>%n problem(s) in %1</source>
            <translation>
                <numerusform>%n problem in %1</numerusform>
                <numerusform>%n problems in %1</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::AgentView</name>
        <message>
            <source>Node</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Details</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No agent selected</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose an agent in the Agents panel to see its graph.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 cannot be read; see the Problems panel.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No description.</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%1
%2 · %n node(s)</source>
            <translation>
                <numerusform>%1
%2 · %n node</numerusform>
                <numerusform>%1
%2 · %n nodes</numerusform>
            </translation>
        </message>
        <message>
            <source>default value</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>in: %1 (%2)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>not connected</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>from %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>out: %1 (%2)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>to %1</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::AlarmEditor</name>
        <message>
            <source>The payload is not valid JSON: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Name the callback the actor should run.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>This expression never fires.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>(in the past: fires at once)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>new</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot read the schedules: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The schedule was not added: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Added schedule %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The schedule was not cancelled: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cancelled schedule %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Schedule %1 had already fired or been cancelled.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Schedules of &lt;b&gt;%1&lt;/b&gt;</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No instance selected</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>New schedule</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fires:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>After a delay</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>At a date</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Repeatedly (cron)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>When:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>seconds</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>minutes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>hours</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>days</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>minute hour day-of-month month day-of-week, e.g. "0 9 * * mon-fri"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Local time</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>UTC</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Callback:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the actor's callback name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Payload:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>JSON, optional</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Next fires:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Add</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Cancel Schedule</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Re&amp;fresh</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ChatClient</name>
        <message>
            <source>no project is open</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ChatDelegate</name>
        <message>
            <source>awaiting approval</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>preparing</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>running</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>result</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>denied</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>error</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>TTFT %1 ms</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 tok/s</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 tokens</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>You</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Assistant</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>writing…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tool: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Arguments</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Result</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Error</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The call was denied.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Approve</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Deny</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Copy</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Edit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Regenerate</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ChatPanel</name>
        <message>
            <source>Stopped.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The agent was busy: the message was not answered.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Copy</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Edit and Resend</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Regenerate</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Agent:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Instance:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>instance name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Resend</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Send</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Send the message (Enter; Shift+Enter for a new line)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stop</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stop the reply (Esc)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Answer the last message again</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Edit the message, then Resend (Esc to cancel)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Message the agent (Enter to send, Shift+Enter for a new line)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>This project has no agent without errors to chat with.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open a project to chat with its agents.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No model is loaded: agents whose llm nodes have no endpoint cannot answer (load one in Models).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Copied.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::DiagnosticsModel</name>
        <message>
            <source>Error</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Warning</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>line %1, column %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Severity</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>File</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Place</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Problem</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::GraphDocument</name>
        <message>
            <source>Add %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Disconnect</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>Delete %n node(s)</source>
            <translation>
                <numerusform>Delete %n node</numerusform>
                <numerusform>Delete %n nodes</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Move %n node(s)</source>
            <translation>
                <numerusform>Move %n node</numerusform>
                <numerusform>Move %n nodes</numerusform>
            </translation>
        </message>
        <message>
            <source>Connect %1 to %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Change %1 of %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>no node has the id "%1"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" is not a valid node id: use a letter or "_", then letters, digits, "_", "." or "-" (at most 64)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the id "%1" is already used</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Rename %1 to %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Arrange nodes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the clipboard does not hold Outpost nodes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>clipboard</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the clipboard holds no nodes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>unknown node type "%1"</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>Paste %n node(s)</source>
            <translation>
                <numerusform>Paste %n node</numerusform>
                <numerusform>Paste %n nodes</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::GraphEditor</name>
        <message>
            <source>%1 %</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Undo</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Undo: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Redo</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Redo: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cut</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Copy</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Paste</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Delete</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Select All</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Zoom In</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Zoom Out</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Actual Size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fit to View</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Arrange</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Lay the nodes out left to right, following the edges</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Save</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Drag a node onto the canvas, or double-click it</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Saved %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Not saved: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No agent open</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%n node(s), %1 edge(s) · no problems</source>
            <translation>
                <numerusform>%n node, %1 edge · no problems</numerusform>
                <numerusform>%n nodes, %1 edges · no problems</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n problem(s): %1</source>
            <translation>
                <numerusform>%n problem: %1</numerusform>
                <numerusform>%n problems: %1</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Copied %n node(s)</source>
            <translation>
                <numerusform>Copied %n node</numerusform>
                <numerusform>Copied %n nodes</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Cut %n node(s)</source>
            <translation>
                <numerusform>Cut %n node</numerusform>
                <numerusform>Cut %n nodes</numerusform>
            </translation>
        </message>
        <message>
            <source>Nothing pasted: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Unknown node type "%1"</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add node</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Run</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Send a test message to the agent and trace each node as it runs (%1)</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::GraphScene</name>
        <message>
            <source>output</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>input</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 %2 "%3"%4</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source> (required)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Connect an input to an output, not two outputs</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Connect an output to an input, not two inputs</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Not connected: %1</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::InspectDatabase</name>
        <message>
            <source>%1: no such database file</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;blob, %1&gt;</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::KvBlockMap</name>
        <message>
            <source>No KV cache</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV blocks: one cell per block, coloured by the sequence holding it; prefix blocks shared by several sequences in the text colour, cached blocks in grey, free blocks empty</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::KvCacheView</name>
        <message>
            <source>seconds</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV blocks</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>blocks</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Sequences</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>sequences</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generation speed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>tokens/s</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Prefix-cache hit rate</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Time to first token</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>requests</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ms</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>used</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>cached</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>free</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>running</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>waiting</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>batch size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>hit rate</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>TTFT</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Block map</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No samples yet</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 blocks of %2 tokens (%3 MiB) · %4 used, %5 cached, %6 free · %7 running, %8 waiting · prefix hits %9 / misses %10 · preemptions %11 · evictions %12 · mean TTFT %13 ms</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::MainWindow</name>
        <message>
            <source>&amp;File</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Open Project…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open &amp;Recent</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Clear Recent Projects</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Re&amp;load Project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;View</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Settings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Language</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>System language</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Help</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;About Outpost</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>About &amp;Qt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Agents</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Problems</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No recent projects</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outpost could not open %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot open project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outpost Studio</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No project open</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 — Outpost Studio</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%1 · %n agent(s)</source>
            <translation>
                <numerusform>%1 · %n agent</numerusform>
                <numerusform>%1 · %n agents</numerusform>
            </translation>
        </message>
        <message>
            <source>no problems</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%n error(s)</source>
            <translation>
                <numerusform>%n error</numerusform>
                <numerusform>%n errors</numerusform>
            </translation>
        </message>
        <message>
            <source>Open Project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>About Outpost</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;h3&gt;Outpost %1&lt;/h3&gt;&lt;p&gt;A desktop agent studio: stateful agents with their own databases and alarms, vector memory, and a local GGUF inference engine.&lt;/p&gt;</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Save Agent</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Edit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outline</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Unsaved changes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The agent "%1" has changes that are not saved.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot save agent</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>State</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Alarms</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Models</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The agents of this project cannot run: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot load model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outpost could not load %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Loading %1…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No model loaded</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;New Project…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>New Project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>my-project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot create project</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outpost could not create a project in %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV Cache</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Find Agent…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Find agent (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>F&amp;ull Screen</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Theme</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;System</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Light</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Dark</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Keyboard Shortcuts</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Chat</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV-cache use and generation speed of the loaded model; click to show the KV Cache panel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV %1/%2 blocks (%3%) · %4 MiB · %5 tokens/s</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No agent matches "%1"</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ManifestView</name>
        <message>
            <source>Name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Version</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Default model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Description</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>none</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ModelInfo</name>
        <message>
            <source>%1: split.count is %2 but the file name does not follow the name-00001-of-%3.gguf pattern</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1: part %2 of %3 is missing</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ModelListModel</name>
        <message>
            <source>Unreadable</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Architecture</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parameters</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Quantisation</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Context</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Source</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ModelManager</name>
        <message>
            <source>Searching for models…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Searching… %1</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>Reading %1 of %n file(s)…</source>
            <translation>
                <numerusform>Reading %1 of %n file…</numerusform>
                <numerusform>Reading %1 of %n files…</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Scan cancelled: %n model(s) listed</source>
            <translation>
                <numerusform>Scan cancelled: %n model listed</numerusform>
                <numerusform>Scan cancelled: %n models listed</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n model(s) found</source>
            <translation>
                <numerusform>%n model found</numerusform>
                <numerusform>%n models found</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n unreadable</source>
            <translation>
                <numerusform>%n unreadable</numerusform>
                <numerusform>%n unreadable</numerusform>
            </translation>
        </message>
        <message>
            <source>%1 tokens</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No model selected</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add Model Folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Filter by name, architecture, quantisation…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Rescan</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Search the model folders again</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cancel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stop the scan; models found so far stay listed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>File:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Architecture:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parameters:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Quantisation:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Context length:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Size on disk:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tensors:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Problem:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Load</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Unload</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model folders</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Remove</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Also search the folders of llama.cpp, Ollama, LM Studio and Hugging Face</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Engine</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Threads:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Automatic</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>KV cache budget:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model default</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source> tokens</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%n file(s)</source>
            <translation>
                <numerusform>%n file</numerusform>
                <numerusform>%n files</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::NodePalette</name>
        <message>
            <source>Flow</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Models</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tools</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Memory</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>State</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::PropertyPanel</name>
        <message>
            <source>Select a node to edit its properties.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Unknown node type "%1".</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The node's id, unique in the graph; edges and the runtime refer to it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Id</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Type</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>"%1" must be a JSON object; the change was not applied</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Remove</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>item</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>from %1 to %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>— required</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Reset to the default value</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Not renamed: %1</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ScheduleModel</name>
        <message>
            <source>Delay</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Date</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cron</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Failed: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Retry %1: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Pending</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ID</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Kind</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Next fire</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Callback</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Payload</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Status</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::ShortcutsDialog</name>
        <message>
            <source>Keyboard Shortcuts</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Filter by action or key</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Action</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Shortcut</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::SqlConsole</name>
        <message>
            <source>Switch on write mode?</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Statements run in the console will change this instance's database.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The agent may be running and may overwrite or depend on what you change. Changes cannot be undone.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Allow Writes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Running…</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%n row(s) changed</source>
            <translation>
                <numerusform>%n row changed</numerusform>
                <numerusform>%n rows changed</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>First %n row(s) shown</source>
            <translation>
                <numerusform>First %n row shown</numerusform>
                <numerusform>First %n rows shown</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n row(s)</source>
            <translation>
                <numerusform>%n row</numerusform>
                <numerusform>%n rows</numerusform>
            </translation>
        </message>
        <message>
            <source>%1 ms</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Writes allowed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Read-only</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>SELECT * FROM sqlite_schema;  (Ctrl+Enter runs)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Run</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Stop</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Interrupt the running query</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Allow writes</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::SqlQueryWorker</name>
        <message>
            <source>%1: no such database file</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Read-only mode: this statement would change the database. Switch on write mode to run it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Query stopped.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::StateInspector</name>
        <message numerus="yes">
            <source>%n instance(s)</source>
            <translation>
                <numerusform>%n instance</numerusform>
                <numerusform>%n instances</numerusform>
            </translation>
        </message>
        <message>
            <source>No tables</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 of %2 rows loaded · scroll down to load more</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>This instance has no agent state (no cf_agents_state table).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>This instance has not saved any state yet (no row 'cf_state_row_id' in cf_agents_state).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The saved state is not valid JSON:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ID</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Kind</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Next fire</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Callback</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Payload</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Attempts</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Status</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>#</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Next run</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Failed: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Retrying: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Pending</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Schedules (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Queued jobs (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No project open</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No instance selected</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;b&gt;%1&lt;/b&gt; / %2 · %3 · updated %4</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Instances</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Re&amp;fresh</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tables</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Schema</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>State</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Schedules</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>SQL Console</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Kept by the Outpost runtime</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%Ln row(s)</source>
            <translation>
                <numerusform>%Ln row</numerusform>
                <numerusform>%Ln rows</numerusform>
            </translation>
        </message>
        <message>
            <source>%1 rows loaded · counting…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Run / node</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Type</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Started</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Time (ms)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tokens</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Error</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%n node(s)</source>
            <translation>
                <numerusform>%n node</numerusform>
                <numerusform>%n nodes</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n error(s)</source>
            <translation>
                <numerusform>%n error</numerusform>
                <numerusform>%n errors</numerusform>
            </translation>
        </message>
        <message>
            <source>Select a node of the run to see its inputs and outputs.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Inputs</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outputs</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Traces</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::StudioChat</name>
        <message>
            <source>no agent class '%1' in this project (or it has errors)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the chat connection is closed</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>outpost::ui::TimelineStrip</name>
        <message>
            <source>now</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>+%n later</source>
            <translation>
                <numerusform>+%n later</numerusform>
                <numerusform>+%n later</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::TracePane</name>
        <message>
            <source>Stopped.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Reply: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>A test message for the agent</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Run</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Send the test message and trace each node as it runs (the graph as the project was loaded)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stop</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Node</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Type</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Time (ms)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tokens</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Status</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open a project whose agent has no errors to run it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Running…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The message could not be sent.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>running</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>done</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>error: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>TTFT %1 ms · %2 tok/s</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>in</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>out</source>
            <translation type="unfinished" />
        </message>
    </context>
</TS>
