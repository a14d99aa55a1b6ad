#include "inference/gguf/gguf_writer.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <unistd.h>

namespace outpost::inference::gguf {

namespace {

template<typename T>
std::vector<std::byte> bytesOf(T v)
{
    std::vector<std::byte> out(sizeof v);
    std::memcpy(out.data(), &v, sizeof v);
    return out;
}

// resize + memcpy rather than vector::insert of a pointer range: GCC 12
// reports a false -Wstringop-overflow for the latter on small vectors.
void append(std::vector<std::byte>& out, const void* p, std::size_t n)
{
    if (n == 0)
        return;
    const std::size_t at = out.size();
    out.resize(at + n);
    std::memcpy(out.data() + at, p, n);
}

template<typename T>
void put(std::vector<std::byte>& out, T v)
{
    append(out, &v, sizeof v);
}

void putString(std::vector<std::byte>& out, std::string_view s)
{
    put<std::uint64_t>(out, s.size());
    append(out, s.data(), s.size());
}

bool isScalar(ValueType t) { return valueTypeSize(t) != 0; }

std::uint64_t padTo(std::uint64_t n, std::uint64_t align) { return (align - n % align) % align; }

} // namespace

// ---- OwnedValue --------------------------------------------------------------

#define OUTPOST_SCALAR(fn, T, VT)              \
    OwnedValue OwnedValue::fn(T v)             \
    {                                          \
        OwnedValue o;                          \
        o.m_type = ValueType::VT;              \
        o.m_raw = bytesOf(v);                  \
        return o;                              \
    }
OUTPOST_SCALAR(uint8, std::uint8_t, UINT8)
OUTPOST_SCALAR(int8, std::int8_t, INT8)
OUTPOST_SCALAR(uint16, std::uint16_t, UINT16)
OUTPOST_SCALAR(int16, std::int16_t, INT16)
OUTPOST_SCALAR(uint32, std::uint32_t, UINT32)
OUTPOST_SCALAR(int32, std::int32_t, INT32)
OUTPOST_SCALAR(uint64, std::uint64_t, UINT64)
OUTPOST_SCALAR(int64, std::int64_t, INT64)
OUTPOST_SCALAR(float32, float, FLOAT32)
OUTPOST_SCALAR(float64, double, FLOAT64)
#undef OUTPOST_SCALAR

OwnedValue OwnedValue::boolean(bool v)
{
    OwnedValue o;
    o.m_type = ValueType::BOOL;
    o.m_raw = {std::byte{v ? std::uint8_t(1) : std::uint8_t(0)}};
    return o;
}

OwnedValue OwnedValue::string(std::string v)
{
    OwnedValue o;
    o.m_type = ValueType::STRING;
    o.m_string = std::move(v);
    return o;
}

OwnedValue OwnedValue::stringArray(std::vector<std::string> v)
{
    OwnedValue o;
    o.m_type = ValueType::ARRAY;
    o.m_elementType = ValueType::STRING;
    o.m_strings = std::move(v);
    return o;
}

OwnedValue OwnedValue::stringArray(std::span<const std::string_view> v)
{
    return stringArray(std::vector<std::string>(v.begin(), v.end()));
}

OwnedValue OwnedValue::numericArray(ValueType elementType, std::vector<std::byte> raw)
{
    OwnedValue o;
    o.m_type = ValueType::ARRAY;
    o.m_elementType = elementType;
    o.m_raw = std::move(raw);
    return o;
}

OwnedValue OwnedValue::arrayOfArrays(std::vector<OwnedValue> items)
{
    OwnedValue o;
    o.m_type = ValueType::ARRAY;
    o.m_elementType = ValueType::ARRAY;
    o.m_items = std::move(items);
    return o;
}

OwnedValue OwnedValue::fromValue(const Value& v)
{
    OwnedValue o;
    o.m_type = v.type();
    if (v.type() == ValueType::STRING) {
        o.m_string = std::string(*v.asString());
    } else if (v.type() == ValueType::ARRAY) {
        o.m_elementType = v.elementType();
        if (v.elementType() == ValueType::STRING) {
            const auto strings = *v.asStringArray();
            o.m_strings.assign(strings.begin(), strings.end());
        } else if (v.elementType() == ValueType::ARRAY) {
            o.m_items.reserve(v.size());
            for (std::size_t k = 0; k < v.size(); ++k)
                o.m_items.push_back(fromValue(v.at(k)));
        } else {
            const auto raw = v.rawArrayBytes();
            o.m_raw.assign(raw.begin(), raw.end());
        }
    } else {
        switch (v.type()) {
        case ValueType::UINT8: o.m_raw = bytesOf(static_cast<std::uint8_t>(*v.asUInt())); break;
        case ValueType::INT8: o.m_raw = bytesOf(static_cast<std::int8_t>(*v.asInt())); break;
        case ValueType::UINT16: o.m_raw = bytesOf(static_cast<std::uint16_t>(*v.asUInt())); break;
        case ValueType::INT16: o.m_raw = bytesOf(static_cast<std::int16_t>(*v.asInt())); break;
        case ValueType::UINT32: o.m_raw = bytesOf(static_cast<std::uint32_t>(*v.asUInt())); break;
        case ValueType::INT32: o.m_raw = bytesOf(static_cast<std::int32_t>(*v.asInt())); break;
        case ValueType::UINT64: o.m_raw = bytesOf(*v.asUInt()); break;
        case ValueType::INT64: o.m_raw = bytesOf(*v.asInt()); break;
        case ValueType::FLOAT32: o.m_raw = bytesOf(static_cast<float>(*v.asFloat())); break;
        case ValueType::FLOAT64: o.m_raw = bytesOf(*v.asFloat()); break;
        case ValueType::BOOL: o.m_raw = {std::byte{*v.asBool() ? std::uint8_t(1) : std::uint8_t(0)}}; break;
        default: break;
        }
    }
    return o;
}

// ---- GgufWriter --------------------------------------------------------------

void GgufWriter::set(std::string_view key, OwnedValue value)
{
    for (auto& [k, v] : m_metadata) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    m_metadata.emplace_back(std::string(key), std::move(value));
}

bool GgufWriter::remove(std::string_view key)
{
    for (auto it = m_metadata.begin(); it != m_metadata.end(); ++it) {
        if (it->first == key) {
            m_metadata.erase(it);
            return true;
        }
    }
    return false;
}

Status GgufWriter::addTensor(std::string name, std::vector<std::uint64_t> shape, TensorType type,
                             std::span<const std::byte> data)
{
    return addTensor(std::move(name), std::move(shape), type, std::vector<std::byte>(data.begin(), data.end()));
}

Status GgufWriter::addTensor(std::string name, std::vector<std::uint64_t> shape, TensorType type,
                             std::vector<std::byte> data)
{
    const std::string what = "tensor '" + name + "'";
    if (name.empty())
        return Error{"a tensor needs a name"};
    for (const auto& t : m_tensors)
        if (t.name == name)
            return Error{"duplicate " + what};
    if (shape.empty() || shape.size() > kMaxDims)
        return Error{what + " has " + std::to_string(shape.size()) + " dimensions (1 to 4 allowed)"};
    const auto info = tensorTypeInfo(type);
    if (!info)
        return Error{what + " has unknown type " + std::to_string(static_cast<std::uint32_t>(type))};
    const auto row = rowBytes(type, shape[0]);
    if (!row)
        return Error{what + " of type " + std::string(info->name) + " has " + std::to_string(shape[0]) +
                     " elements per row, not a multiple of the block size " + std::to_string(info->blockElements)};
    std::uint64_t bytes = *row;
    for (std::size_t d = 1; d < shape.size(); ++d) {
        if (shape[d] != 0 && bytes > UINT64_MAX / shape[d])
            return Error{what + " is too large"};
        bytes *= shape[d];
    }
    if (bytes != data.size())
        return Error{what + " needs " + std::to_string(bytes) + " bytes of " + std::string(info->name) + " data, got " +
                     std::to_string(data.size())};
    m_tensors.push_back(Tensor{std::move(name), std::move(shape), type, std::move(data)});
    return {};
}

Status OwnedValue::write(std::vector<std::byte>& out, const std::string& key, int depth) const
{
    const ValueType type = m_type;
    const ValueType elementType = m_elementType;
    const auto& raw = m_raw;
    const auto& items = m_items;
    if (isScalar(type)) {
        if (raw.size() != valueTypeSize(type))
            return Error{"key '" + key + "': scalar has " + std::to_string(raw.size()) + " bytes"};
        out.insert(out.end(), raw.begin(), raw.end());
        return {};
    }
    if (type == ValueType::STRING) {
        putString(out, m_string);
        return {};
    }
    if (type != ValueType::ARRAY)
        return Error{"key '" + key + "': unknown value type " + std::to_string(static_cast<std::uint32_t>(type))};
    put<std::uint32_t>(out, static_cast<std::uint32_t>(elementType));
    if (elementType == ValueType::STRING) {
        put<std::uint64_t>(out, m_strings.size());
        for (const auto& s : m_strings)
            putString(out, s);
    } else if (elementType == ValueType::ARRAY) {
        if (depth >= 1)
            return Error{"key '" + key + "': arrays nest at most two levels"};
        put<std::uint64_t>(out, items.size());
        for (const auto& item : items) {
            if (item.type() != ValueType::ARRAY)
                return Error{"key '" + key + "': an array of arrays holds a non-array"};
            if (auto st = item.write(out, key, depth + 1); !st)
                return st;
        }
    } else if (isScalar(elementType)) {
        const std::size_t size = valueTypeSize(elementType);
        if (raw.size() % size != 0)
            return Error{"key '" + key + "': " + std::to_string(raw.size()) + " bytes are not a whole number of " +
                         std::string(valueTypeName(elementType)) + " elements"};
        put<std::uint64_t>(out, raw.size() / size);
        out.insert(out.end(), raw.begin(), raw.end());
    } else {
        return Error{"key '" + key + "': unknown array element type " +
                     std::to_string(static_cast<std::uint32_t>(elementType))};
    }
    return {};
}

Result<GgufWriter::Layout> GgufWriter::layout() const
{
    Layout l;
    for (const auto& [key, value] : m_metadata) {
        if (key != kAlignmentKey)
            continue;
        if (value.type() != ValueType::UINT32)
            return Error{std::string(kAlignmentKey) + " must be UINT32"};
        std::uint32_t a = 0;
        std::memcpy(&a, value.m_raw.data(), 4);
        if (a == 0 || !std::has_single_bit(a))
            return Error{std::string(kAlignmentKey) + " is " + std::to_string(a) + ", not a power of two"};
        l.alignment = a;
    }

    auto& out = l.header;
    put<std::uint32_t>(out, kMagic);
    put<std::uint32_t>(out, 3);
    put<std::uint64_t>(out, m_tensors.size());
    put<std::uint64_t>(out, m_metadata.size());
    for (const auto& [key, value] : m_metadata) {
        putString(out, key);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(value.type()));
        if (auto st = value.write(out, key, 0); !st)
            return Error{st.error()};
    }
    std::uint64_t offset = 0;
    for (const auto& t : m_tensors) {
        putString(out, t.name);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.shape.size()));
        for (auto d : t.shape)
            put<std::uint64_t>(out, d);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.type));
        put<std::uint64_t>(out, offset);
        l.offsets.push_back(offset);
        offset += t.data.size();
        offset += padTo(offset, l.alignment);
    }
    // The data section starts aligned even when empty, as current GGUF
    // writers do (older ones stopped right after the header without tensors).
    out.resize(out.size() + padTo(out.size(), l.alignment), std::byte{0});
    return l;
}

Result<std::vector<std::byte>> GgufWriter::toBytes() const
{
    auto l = layout();
    if (!l)
        return Error{l.error()};
    std::vector<std::byte> out = std::move(l->header);
    const std::size_t dataStart = out.size();
    for (std::size_t k = 0; k < m_tensors.size(); ++k) {
        out.resize(dataStart + l->offsets[k], std::byte{0});
        out.insert(out.end(), m_tensors[k].data.begin(), m_tensors[k].data.end());
    }
    // The reader needs no padding after the last tensor; none is written, as
    // other GGUF writers do.
    return out;
}

Status GgufWriter::writeFile(const std::string& path) const
{
    auto l = layout();
    if (!l)
        return Error{path + ": " + l.error()};
    const std::string tmp = path + ".part";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        return Error{path + ": cannot create " + tmp + ": " + std::strerror(errno)};
    auto failWith = [&](const std::string& why) -> Status {
        std::fclose(f);
        std::remove(tmp.c_str());
        return Error{path + ": " + why};
    };
    auto write = [&](const void* p, std::size_t n) { return n == 0 || std::fwrite(p, 1, n, f) == n; };
    if (!write(l->header.data(), l->header.size()))
        return failWith(std::string("write failed: ") + std::strerror(errno));
    std::uint64_t pos = 0;
    static const std::byte zeros[256] = {};
    for (std::size_t k = 0; k < m_tensors.size(); ++k) {
        while (pos < l->offsets[k]) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof zeros, l->offsets[k] - pos));
            if (!write(zeros, n))
                return failWith(std::string("write failed: ") + std::strerror(errno));
            pos += n;
        }
        const auto& data = m_tensors[k].data;
        if (!write(data.data(), data.size()))
            return failWith(std::string("write failed: ") + std::strerror(errno));
        pos += data.size();
    }
    if (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0)
        return failWith(std::string("write failed: ") + std::strerror(errno));
    if (std::fclose(f) != 0) {
        std::remove(tmp.c_str());
        return Error{path + ": write failed: " + std::strerror(errno)};
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        return Error{path + ": cannot rename " + tmp + " into place: " + std::strerror(err)};
    }
    return {};
}

} // namespace outpost::inference::gguf
