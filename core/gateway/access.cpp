#include "core/gateway/access.h"

#include <QCryptographicHash>
#include <QFile>
#include <QUrl>

namespace outpost::core::gateway {

Result<TokenSet> TokenSet::load(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{"cannot read the token file " + path.toStdString() + ": " + f.errorString().toStdString()};
    std::vector<QByteArray> hashes;
    int lineNo = 0;
    while (!f.atEnd()) {
        ++lineNo;
        QByteArray line = f.readLine(4096).trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (line.startsWith("sha256:"))
            line = line.mid(7);
        // `sha256sum` appends "  -": keep the digest only.
        if (const qsizetype sp = line.indexOf(' '); sp > 0)
            line = line.left(sp);
        const QByteArray raw = QByteArray::fromHex(line);
        if (line.size() != 64 || raw.size() != 32 || raw.toHex() != line.toLower())
            return Error{path.toStdString() + ":" + std::to_string(lineNo) + ": not a SHA-256 hex digest (64 hex digits)"};
        hashes.push_back(line.toLower());
    }
    if (hashes.empty())
        return Error{path.toStdString() + ": holds no token hash"};
    return fromHashes(std::move(hashes));
}

TokenSet TokenSet::fromHashes(std::vector<QByteArray> sha256Hex)
{
    TokenSet t;
    for (const auto& h : sha256Hex)
        t.m_hashes.push_back(QByteArray::fromHex(h));
    return t;
}

QByteArray TokenSet::hashToken(const QByteArray& token) { return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex(); }

bool TokenSet::accepts(const QByteArray& token) const
{
    if (token.isEmpty())
        return false;
    // Comparing digests, not tokens, keeps the time independent of how much
    // of a guessed token is right.
    const QByteArray digest = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
    bool found = false;
    for (const auto& h : m_hashes) {
        unsigned diff = 0;
        for (int i = 0; i < 32; ++i)
            diff |= unsigned(static_cast<unsigned char>(h[i]) ^ static_cast<unsigned char>(digest[i]));
        found |= diff == 0;
    }
    return found;
}

bool isLoopback(const QHostAddress& address)
{
    bool ok = false;
    const quint32 v4 = address.toIPv4Address(&ok);
    if (ok)
        return (v4 >> 24) == 127;
    return address.isLoopback();
}

bool originAllowed(const QByteArray& origin, const QStringList& allowed)
{
    if (origin.isEmpty())
        return true;
    const QString o = QString::fromUtf8(origin).trimmed();
    if (allowed.contains(o))
        return true;
    const QUrl url(o);
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return false;
    const QString host = url.host().toLower();
    return host == QLatin1String("localhost") || host == QLatin1String("127.0.0.1") || host == QLatin1String("::1");
}

bool loopbackHostAllowed(const QByteArray& host)
{
    if (host.isEmpty())
        return true;
    QByteArray name = host.trimmed().toLower();
    if (name.startsWith('[')) {
        const qsizetype close = name.indexOf(']');
        if (close < 0)
            return false;
        name = name.left(close + 1);
    } else if (const qsizetype colon = name.indexOf(':'); colon >= 0) {
        name = name.left(colon);
    }
    return name == "localhost" || name == "127.0.0.1" || name == "[::1]";
}

} // namespace outpost::core::gateway
