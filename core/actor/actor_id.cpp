#include "core/actor/actor_id.h"

#include <QByteArrayView>
#include <QCryptographicHash>
#include <QRandomGenerator>

namespace outpost::core::actor {

namespace {

const std::string kEmpty;

std::string toHex(const unsigned char* bytes, int n)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(size_t(n) * 2);
    for (int i = 0; i < n; ++i) {
        out.push_back(digits[bytes[i] >> 4]);
        out.push_back(digits[bytes[i] & 0xF]);
    }
    return out;
}

} // namespace

Status validateClassName(std::string_view c)
{
    if (c.empty() || c.size() > 64)
        return Error{"invalid actor class name '" + std::string(c) + "': it must have 1 to 64 characters"};
    auto letter = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); };
    if (!letter(c[0]))
        return Error{"invalid actor class name '" + std::string(c) + "': it must start with a letter"};
    for (char ch : c) {
        if (!letter(ch) && !(ch >= '0' && ch <= '9') && ch != '_' && ch != '-')
            return Error{"invalid actor class name '" + std::string(c) + "': only letters, digits, '_' and '-' are allowed"};
    }
    return {};
}

Status validateInstanceName(std::string_view n)
{
    if (n.empty() || n.size() > 1024)
        return Error{"invalid actor name: it must have 1 to 1024 bytes"};
    if (!QByteArrayView(n.data(), qsizetype(n.size())).isValidUtf8())
        return Error{"invalid actor name: not valid UTF-8"};
    for (unsigned char ch : n) {
        if (ch < 0x20 || ch == 0x7F)
            return Error{"invalid actor name: control characters are not allowed"};
    }
    return {};
}

ActorId ActorId::make(std::string className, std::string hex, std::string name)
{
    auto d = std::make_shared<Data>();
    d->hash = std::stoull(hex.substr(0, 16), nullptr, 16);
    d->key = className + "/" + hex;
    d->className = std::move(className);
    d->hex = std::move(hex);
    d->name = std::move(name);
    ActorId id;
    id.m_d = std::move(d);
    return id;
}

Result<ActorId> ActorId::fromName(std::string_view className, std::string_view name)
{
    if (auto st = validateClassName(className); !st)
        return Error{st.error()};
    if (auto st = validateInstanceName(name); !st)
        return Error{st.error()};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(QByteArrayView("outpost.actor.v1", 16));
    h.addData(QByteArrayView("\0", 1));
    h.addData(QByteArrayView(className.data(), qsizetype(className.size())));
    h.addData(QByteArrayView("\0", 1));
    h.addData(QByteArrayView(name.data(), qsizetype(name.size())));
    QByteArray digest = h.result();
    auto* bytes = reinterpret_cast<unsigned char*>(digest.data());
    bytes[15] &= 0xFE;
    return make(std::string(className), toHex(bytes, 16), std::string(name));
}

Result<ActorId> ActorId::unique(std::string_view className)
{
    if (auto st = validateClassName(className); !st)
        return Error{st.error()};
    unsigned char bytes[16];
    for (int i = 0; i < 16; i += 4) {
        const quint32 v = QRandomGenerator::system()->generate();
        bytes[i] = static_cast<unsigned char>(v);
        bytes[i + 1] = static_cast<unsigned char>(v >> 8);
        bytes[i + 2] = static_cast<unsigned char>(v >> 16);
        bytes[i + 3] = static_cast<unsigned char>(v >> 24);
    }
    bytes[15] |= 0x01;
    return make(std::string(className), toHex(bytes, 16), {});
}

Result<ActorId> ActorId::fromHex(std::string_view className, std::string_view hex)
{
    if (auto st = validateClassName(className); !st)
        return Error{st.error()};
    if (hex.size() != 32)
        return Error{"invalid actor id '" + std::string(hex) + "': expected 32 hex digits"};
    for (char ch : hex) {
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return Error{"invalid actor id '" + std::string(hex) + "': only lower-case hex digits are allowed"};
    }
    return make(std::string(className), std::string(hex), {});
}

const std::string& ActorId::className() const { return m_d ? m_d->className : kEmpty; }
const std::string& ActorId::hex() const { return m_d ? m_d->hex : kEmpty; }
const std::string& ActorId::name() const { return m_d ? m_d->name : kEmpty; }
const std::string& ActorId::key() const { return m_d ? m_d->key : kEmpty; }
std::uint64_t ActorId::hash() const { return m_d ? m_d->hash : 0; }
bool ActorId::isUnique() const
{
    if (!m_d || m_d->hex.size() != 32)
        return false;
    const char last = m_d->hex.back();
    const int v = (last >= 'a') ? last - 'a' + 10 : last - '0';
    return (v & 1) != 0;
}

} // namespace outpost::core::actor
