#include "core/agent/agent_protocol.h"

#include <cctype>
#include <cmath>

namespace outpost::core::agent {

namespace {

// NaN/Infinity are not JSON; JSON.stringify writes null for them.
OJson sanitized(const OJson& v)
{
    if (v.is_number_float()) {
        const double d = v.get<double>();
        return std::isfinite(d) ? v : OJson(nullptr);
    }
    if (v.is_object()) {
        OJson out = OJson::object();
        for (auto it = v.begin(); it != v.end(); ++it)
            out[it.key()] = sanitized(it.value());
        return out;
    }
    if (v.is_array()) {
        OJson out = OJson::array();
        for (const auto& e : v)
            out.push_back(sanitized(e));
        return out;
    }
    return v;
}

bool hasNonFinite(const OJson& v)
{
    if (v.is_number_float())
        return !std::isfinite(v.get<double>());
    if (v.is_structured()) {
        for (const auto& e : v)
            if (hasNonFinite(e))
                return true;
    }
    return false;
}

std::string quoted(std::string_view s) { return OJson(std::string(s)).dump(-1, ' ', false, OJson::error_handler_t::replace); }

} // namespace

namespace protocol {

std::string dump(const OJson& value)
{
    if (hasNonFinite(value))
        return sanitized(value).dump(-1, ' ', false, OJson::error_handler_t::replace);
    return value.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

std::string identity(std::string_view name, std::string_view agent, bool stateFollows)
{
    std::string s = R"({"type":"cf_agent_identity","name":)" + quoted(name) + R"(,"agent":)" + quoted(agent);
    if (stateFollows)
        s += R"(,"stateFollows":true)";
    s += '}';
    return s;
}

std::string connectState(const OJson& state) { return R"({"type":"cf_agent_state","state":)" + dump(state) + "}"; }

std::string stateBroadcast(const OJson& state) { return R"({"state":)" + dump(state) + R"(,"type":"cf_agent_state"})"; }

std::string mcpServers() { return R"({"mcp":{"prompts":[],"resources":[],"servers":{},"tools":[]},"type":"cf_agent_mcp_servers"})"; }

std::string stateError(std::string_view error) { return R"({"type":"cf_agent_state_error","error":)" + quoted(error) + "}"; }

std::string rpcResult(std::string_view id, const OJson* result, bool done)
{
    std::string s = std::string(R"({"done":)") + (done ? "true" : "false") + R"(,"id":)" + quoted(id);
    if (result)
        s += R"(,"result":)" + dump(*result);
    s += R"(,"success":true,"type":"rpc"})";
    return s;
}

std::string rpcError(std::string_view id, std::string_view error)
{
    return R"({"error":)" + quoted(error) + R"(,"id":)" + quoted(id) + R"(,"success":false,"type":"rpc"})";
}

std::vector<std::string> framesForFailure(std::string_view text, std::string_view error)
{
    const OJson j = OJson::parse(text.begin(), text.end(), nullptr, false);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        return {};
    const std::string type = j["type"].get<std::string>();
    if (type == "rpc" && j.contains("id") && j["id"].is_string())
        return {rpcError(j["id"].get<std::string>(), error)};
    if (type == "cf_agent_state")
        return {stateError(kStateRejected)};
    return {};
}

} // namespace protocol

std::string kebabCase(std::string_view className)
{
    bool anyLower = false;
    for (char c : className) {
        anyLower |= std::islower(static_cast<unsigned char>(c)) != 0;
    }
    std::string out;
    out.reserve(className.size() + 4);
    for (char c : className) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '_') {
            out += '-';
        } else if (std::isupper(u)) {
            // An all-capitals name is one word, not one word per letter.
            if (anyLower)
                out += '-';
            out += static_cast<char>(std::tolower(u));
        } else {
            out += c;
        }
    }
    if (!out.empty() && out.front() == '-')
        out.erase(out.begin());
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out;
}

} // namespace outpost::core::agent
