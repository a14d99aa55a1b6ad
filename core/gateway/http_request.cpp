#include "core/gateway/http_request.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace outpost::core::gateway {

QByteArray HttpRequest::header(const QByteArray& lowerName) const
{
    for (const auto& h : headers)
        if (h.first == lowerName)
            return h.second;
    return {};
}

bool HttpRequest::keepAlive() const
{
    const QByteArray c = header("connection").toLower();
    if (version == "HTTP/1.0")
        return c.contains("keep-alive");
    return !c.contains("close");
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return header("upgrade").toLower().contains("websocket") && header("connection").toLower().contains("upgrade");
}

HeadParse parseHead(const QByteArray& buffer, qint64 maxHeadBytes, qint64 maxBodyBytes)
{
    HeadParse out;
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (buffer.size() > maxHeadBytes) {
            out.state = HeadParse::State::Bad;
            out.status = 431;
            out.reason = "the request head is larger than " + QByteArray::number(maxHeadBytes) + " bytes";
        }
        return out;
    }
    if (end + 4 > maxHeadBytes) {
        out.state = HeadParse::State::Bad;
        out.status = 431;
        out.reason = "the request head is larger than " + QByteArray::number(maxHeadBytes) + " bytes";
        return out;
    }
    auto bad = [&](int status, QByteArray why) {
        out.state = HeadParse::State::Bad;
        out.status = status;
        out.reason = std::move(why);
        return out;
    };
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QByteArray requestLine = lines.value(0).trimmed();
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || parts[0].isEmpty() || parts[1].isEmpty())
        return bad(400, "malformed request line");
    HttpRequest& r = out.request;
    r.method = parts[0];
    r.target = parts[1];
    r.version = parts[2];
    if (r.version != "HTTP/1.1" && r.version != "HTTP/1.0")
        return bad(505, "unsupported HTTP version " + r.version);
    if (!r.target.startsWith('/'))
        return bad(400, "the request target must be a path");
    r.url = QUrl::fromEncoded("http://localhost" + r.target, QUrl::StrictMode);
    if (!r.url.isValid())
        return bad(400, "invalid request target");
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].endsWith('\r') ? lines[i].chopped(1) : lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return bad(400, "malformed header line " + QByteArray::number(i + 1));
        r.headers.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    r.headBytes = end + 4;
    if (!r.header("transfer-encoding").isEmpty())
        return bad(411, "chunked request bodies are not supported; send Content-Length");
    // Content-Length is digits only, and every copy of it agrees: a body
    // length read two ways would split the stream into other requests.
    std::optional<QByteArray> cl;
    for (const auto& h : r.headers) {
        if (h.first != "content-length")
            continue;
        const QByteArray& v = h.second;
        if (v.isEmpty() || !std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
            return bad(400, "invalid Content-Length");
        if (cl && *cl != v)
            return bad(400, "conflicting Content-Length headers");
        cl = v;
    }
    if (cl) {
        bool ok = false;
        r.contentLength = cl->toLongLong(&ok);
        if (!ok || r.contentLength > maxBodyBytes)
            return bad(413, "the body is larger than " + QByteArray::number(maxBodyBytes) + " bytes");
    }
    out.state = HeadParse::State::Ready;
    return out;
}

const char* reasonPhrase(int status)
{
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

QByteArray httpResponse(int status, const QByteArray& contentType, const QByteArray& body, bool keepAlive,
                        const QList<QPair<QByteArray, QByteArray>>& extraHeaders)
{
    QByteArray out;
    out.reserve(128 + body.size());
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    if (!contentType.isEmpty())
        out += "Content-Type: " + contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto& h : extraHeaders)
        out += h.first + ": " + h.second + "\r\n";
    if (!keepAlive)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += body;
    return out;
}

QByteArray jsonError(const QString& message)
{
    return QByteArray::fromStdString(nlohmann::json{{"error", message.toStdString()}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace outpost::core::gateway
