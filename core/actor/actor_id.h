#pragma once
// Actor identity. An id is 128 bits written as 32 lower-case hex digits,
// always paired with its class name. fromName() derives it from
// (class, name) with SHA-256, so the same pair gives the same id on every
// run and every machine; unique() draws it at random. The last bit tells
// the two apart (0 named, 1 unique). Copies share one immutable record.
#include "inference/util/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace outpost::core::actor {

using inference::Error;
using inference::Result;
using inference::Status;

// Class names become folder names: 1-64 characters, a letter first, then
// letters, digits, '_' or '-'.
Status validateClassName(std::string_view className);
// Instance names: 1-1024 bytes of UTF-8 without control characters.
Status validateInstanceName(std::string_view name);

class ActorId {
public:
    ActorId() = default;

    static Result<ActorId> fromName(std::string_view className, std::string_view name);
    static Result<ActorId> unique(std::string_view className);
    // An id read back from its hex form (e.g. a file name).
    static Result<ActorId> fromHex(std::string_view className, std::string_view hex);

    bool isValid() const { return bool(m_d); }
    const std::string& className() const;
    const std::string& hex() const;
    // The name it was derived from; empty for unique ids and parsed ones.
    const std::string& name() const;
    bool isUnique() const;
    // "<class>/<hex>": unique across classes, the runtime's map key.
    const std::string& key() const;
    // 64 bits of the id, for hashing and the shard ring.
    std::uint64_t hash() const;

    bool operator==(const ActorId& other) const { return key() == other.key(); }

private:
    struct Data {
        std::string className;
        std::string hex;
        std::string name;
        std::string key;
        std::uint64_t hash = 0;
    };
    static ActorId make(std::string className, std::string hex, std::string name);
    std::shared_ptr<const Data> m_d;
};

} // namespace outpost::core::actor
