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
</TS>
