#pragma once
// Who may talk to the gateway: bearer tokens (kept only as SHA-256 hashes)
// and the Origin of WebSocket upgrades.
//
// Token file: one token hash per line, 64 hex digits, optionally prefixed
// "sha256:"; blank lines and lines starting with '#' are ignored. Make a
// line with `printf %s "$TOKEN" | sha256sum`. Clients send
// "Authorization: Bearer <token>" (or, for WebSockets, whose browser API
// cannot set headers, the query parameter "token").
#include "inference/util/result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <vector>

namespace outpost::core::gateway {

using inference::Error;
using inference::Result;
using inference::Status;

class TokenSet {
public:
    // Errors: unreadable file, a line that is not a SHA-256 hex digest, no
    // token at all (an empty file would lock everyone out silently).
    static Result<TokenSet> load(const QString& path);
    static TokenSet fromHashes(std::vector<QByteArray> sha256Hex);
    static QByteArray hashToken(const QByteArray& token); // lower-case hex

    bool empty() const { return m_hashes.empty(); }
    // Constant-time in the token's content.
    bool accepts(const QByteArray& token) const;

private:
    std::vector<QByteArray> m_hashes; // raw 32-byte digests
};

// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.
bool isLoopback(const QHostAddress& address);

// No Origin header, or an http(s) origin on localhost, 127.0.0.1 or [::1]
// (any port), or one listed in `allowed` (exact "scheme://host[:port]").
bool originAllowed(const QByteArray& origin, const QStringList& allowed);

// For a server on loopback: the Host header names localhost, 127.0.0.1 or
// [::1] (any port), or is absent. Refusing other names stops DNS-rebinding
// pages (evil.example resolving to 127.0.0.1) from reaching the agents.
bool loopbackHostAllowed(const QByteArray& host);

} // namespace outpost::core::gateway
