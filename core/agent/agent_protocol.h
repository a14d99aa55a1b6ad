#pragma once
// The Agents SDK wire protocol (Cloudflare `agents` 0.32.0) as text frames.
//
// Every frame is a JSON text whose key order matches what the reference
// server sends byte for byte: some frames put "type" first, others last
// (alphabetical), so each builder writes its keys in the observed order. User
// values (state, RPC results, payloads) are ordered_json so their own key
// order survives the round trip.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace outpost::core::agent {

using OJson = nlohmann::ordered_json;

namespace protocol {

inline constexpr std::string_view kStateRejected = "State update rejected";
inline constexpr std::string_view kReadonly = "Connection is readonly";

// {"type":"cf_agent_identity","name":N,"agent":A[,"stateFollows":true]}
std::string identity(std::string_view name, std::string_view agent, bool stateFollows);
// Connect-time state: {"type":"cf_agent_state","state":S}
std::string connectState(const OJson& state);
// Broadcast state: {"state":S,"type":"cf_agent_state"}
std::string stateBroadcast(const OJson& state);
// {"mcp":{"prompts":[],"resources":[],"servers":{},"tools":[]},"type":"cf_agent_mcp_servers"}
std::string mcpServers();
// {"type":"cf_agent_state_error","error":E}
std::string stateError(std::string_view error);
// {"done":D,"id":I[,"result":R],"success":true,"type":"rpc"}; a discarded
// (undefined) result drops the key, as the SDK does.
std::string rpcResult(std::string_view id, const OJson* result, bool done = true);
// {"error":E,"id":I,"success":false,"type":"rpc"} (no "done" key).
std::string rpcError(std::string_view id, std::string_view error);

// Serializes like JSON.stringify: NaN and infinities become null, no
// exception on invalid UTF-8 (bytes are replaced).
std::string dump(const OJson& value);

// The frames a client should get when the event that handled its frame
// `text` failed with `error` (storage failure, watchdog): an RPC error for
// an RPC, a state error for a state update, nothing for anything else.
std::vector<std::string> framesForFailure(std::string_view text, std::string_view error);

} // namespace protocol

// The SDK's URL form of a class name: "MyAgent" -> "my-agent",
// "chat_agent" -> "chat-agent", "ALLCAPS" -> "allcaps".
std::string kebabCase(std::string_view className);

} // namespace outpost::core::agent
