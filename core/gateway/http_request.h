#pragma once
// A minimal HTTP/1.1 request reader for the gateway: the request line and
// headers of one request, then a Content-Length body. Chunked request bodies
// are refused (411), so a request's end is always known in advance.
#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <optional>

namespace outpost::core::gateway {

struct HttpRequest {
    QByteArray method;
    QByteArray target;   // as sent: path and query
    QUrl url;            // target parsed (path decoded with QUrl::path())
    QByteArray version;  // "HTTP/1.1"
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased, in order
    QByteArray body;
    qint64 headBytes = 0;     // request line + headers + blank line
    qint64 contentLength = 0;

    QByteArray header(const QByteArray& lowerName) const;
    bool keepAlive() const;
    bool isWebSocketUpgrade() const;
};

// The outcome of reading the head of a request from `buffer`.
struct HeadParse {
    enum class State { NeedMore, Ready, Bad };
    State state = State::NeedMore;
    int status = 0;          // for Bad: the HTTP status to answer (400, 411, 413, 431, 501, 505)
    QByteArray reason;       // for Bad: why, for the response body
    HttpRequest request;     // for Ready: everything but the body
};

// Reads the head at the start of `buffer`. Limits: `maxHeadBytes` for the
// head (431 beyond), `maxBodyBytes` for Content-Length (413 beyond).
HeadParse parseHead(const QByteArray& buffer, qint64 maxHeadBytes, qint64 maxBodyBytes);

// "HTTP/1.1 <status> <reason>\r\n" + headers + body, with Content-Length.
QByteArray httpResponse(int status, const QByteArray& contentType, const QByteArray& body, bool keepAlive,
                        const QList<QPair<QByteArray, QByteArray>>& extraHeaders = {});
// {"error": message} as JSON.
QByteArray jsonError(const QString& message);
const char* reasonPhrase(int status);

} // namespace outpost::core::gateway
