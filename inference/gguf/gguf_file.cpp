#include "inference/gguf/gguf_file.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static_assert(std::endian::native == std::endian::little,
              "the GGUF reader decodes little-endian files in place");

namespace outpost::inference::gguf {

namespace {

// Inner arrays may not hold arrays themselves: GGUF allows arrays of arrays,
// and two levels cover every file seen in practice while keeping recursion
// bounded on hostile input.
constexpr int kMaxArrayDepth = 2;

template<typename T>
T load(const std::byte* p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

bool isInteger(ValueType t)
{
    switch (t) {
    case ValueType::UINT8: case ValueType::INT8: case ValueType::UINT16: case ValueType::INT16:
    case ValueType::UINT32: case ValueType::INT32: case ValueType::UINT64: case ValueType::INT64:
        return true;
    default:
        return false;
    }
}

bool isSigned(ValueType t)
{
    return t == ValueType::INT8 || t == ValueType::INT16 || t == ValueType::INT32 || t == ValueType::INT64;
}

bool isKnownType(std::uint32_t t) { return t <= static_cast<std::uint32_t>(ValueType::FLOAT64); }

// Decodes one numeric scalar of type t at p into the union's matching member.
void decodeScalar(ValueType t, const std::byte* p, std::uint64_t& u, std::int64_t& i, double& f)
{
    switch (t) {
    case ValueType::UINT8: u = load<std::uint8_t>(p); break;
    case ValueType::INT8: i = load<std::int8_t>(p); break;
    case ValueType::UINT16: u = load<std::uint16_t>(p); break;
    case ValueType::INT16: i = load<std::int16_t>(p); break;
    case ValueType::UINT32: u = load<std::uint32_t>(p); break;
    case ValueType::INT32: i = load<std::int32_t>(p); break;
    case ValueType::UINT64: u = load<std::uint64_t>(p); break;
    case ValueType::INT64: i = load<std::int64_t>(p); break;
    case ValueType::FLOAT32: f = load<float>(p); break;
    case ValueType::FLOAT64: f = load<double>(p); break;
    case ValueType::BOOL: u = load<std::uint8_t>(p) != 0 ? 1 : 0; break;
    default: break;
    }
}

std::string quoted(std::string_view s)
{
    // Names come from untrusted files: keep messages printable and short.
    std::string out = "'";
    const std::size_t limit = 80;
    for (std::size_t k = 0; k < s.size() && k < limit; ++k) {
        const unsigned char c = static_cast<unsigned char>(s[k]);
        if (c < 0x20 || c == 0x7f)
            out += '?';
        else
            out += static_cast<char>(c);
    }
    if (s.size() > limit)
        out += "...";
    out += "'";
    return out;
}

} // namespace

std::string_view valueTypeName(ValueType type)
{
    switch (type) {
    case ValueType::UINT8: return "UINT8";
    case ValueType::INT8: return "INT8";
    case ValueType::UINT16: return "UINT16";
    case ValueType::INT16: return "INT16";
    case ValueType::UINT32: return "UINT32";
    case ValueType::INT32: return "INT32";
    case ValueType::FLOAT32: return "FLOAT32";
    case ValueType::BOOL: return "BOOL";
    case ValueType::STRING: return "STRING";
    case ValueType::ARRAY: return "ARRAY";
    case ValueType::UINT64: return "UINT64";
    case ValueType::INT64: return "INT64";
    case ValueType::FLOAT64: return "FLOAT64";
    }
    return "?";
}

std::size_t valueTypeSize(ValueType type)
{
    switch (type) {
    case ValueType::UINT8: case ValueType::INT8: case ValueType::BOOL: return 1;
    case ValueType::UINT16: case ValueType::INT16: return 2;
    case ValueType::UINT32: case ValueType::INT32: case ValueType::FLOAT32: return 4;
    case ValueType::UINT64: case ValueType::INT64: case ValueType::FLOAT64: return 8;
    case ValueType::STRING: case ValueType::ARRAY: return 0;
    }
    return 0;
}

// ---- Value -------------------------------------------------------------------

std::optional<std::int64_t> Value::asInt() const
{
    if (!isInteger(m_type))
        return std::nullopt;
    if (isSigned(m_type))
        return m_scalar.i;
    if (m_scalar.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return std::nullopt;
    return static_cast<std::int64_t>(m_scalar.u);
}

std::optional<std::uint64_t> Value::asUInt() const
{
    if (!isInteger(m_type))
        return std::nullopt;
    if (isSigned(m_type)) {
        if (m_scalar.i < 0)
            return std::nullopt;
        return static_cast<std::uint64_t>(m_scalar.i);
    }
    return m_scalar.u;
}

std::optional<double> Value::asFloat() const
{
    if (m_type == ValueType::FLOAT32 || m_type == ValueType::FLOAT64)
        return m_scalar.f;
    if (!isInteger(m_type))
        return std::nullopt;
    return isSigned(m_type) ? static_cast<double>(m_scalar.i) : static_cast<double>(m_scalar.u);
}

std::optional<bool> Value::asBool() const
{
    if (m_type != ValueType::BOOL)
        return std::nullopt;
    return m_scalar.u != 0;
}

std::optional<std::string_view> Value::asString() const
{
    if (m_type != ValueType::STRING)
        return std::nullopt;
    return m_string;
}

Value Value::at(std::size_t i) const
{
    Value v;
    if (m_type != ValueType::ARRAY || i >= m_count)
        return v;
    if (m_elementType == ValueType::STRING) {
        v.m_type = ValueType::STRING;
        v.m_string = m_strings[i];
    } else if (m_elementType == ValueType::ARRAY) {
        v = m_items[i];
    } else {
        v.m_type = m_elementType;
        std::uint64_t u = 0;
        std::int64_t s = 0;
        double f = 0;
        decodeScalar(m_elementType, m_raw + i * valueTypeSize(m_elementType), u, s, f);
        if (m_elementType == ValueType::FLOAT32 || m_elementType == ValueType::FLOAT64)
            v.m_scalar.f = f;
        else if (isSigned(m_elementType))
            v.m_scalar.i = s;
        else
            v.m_scalar.u = u;
    }
    return v;
}

std::optional<std::span<const std::string_view>> Value::asStringArray() const
{
    if (m_type != ValueType::ARRAY || m_elementType != ValueType::STRING)
        return std::nullopt;
    return std::span<const std::string_view>(m_strings);
}

std::optional<std::vector<float>> Value::asFloat32Array() const
{
    if (m_type != ValueType::ARRAY)
        return std::nullopt;
    std::vector<float> out(m_count);
    if (m_elementType == ValueType::FLOAT32) {
        if (m_count)
            std::memcpy(out.data(), m_raw, m_count * sizeof(float));
    } else if (m_elementType == ValueType::FLOAT64) {
        for (std::size_t k = 0; k < m_count; ++k)
            out[k] = static_cast<float>(load<double>(m_raw + k * 8));
    } else {
        return std::nullopt;
    }
    return out;
}

std::optional<std::vector<std::int64_t>> Value::asInt64Array() const
{
    if (m_type != ValueType::ARRAY || !isInteger(m_elementType))
        return std::nullopt;
    std::vector<std::int64_t> out(m_count);
    const std::size_t size = valueTypeSize(m_elementType);
    for (std::size_t k = 0; k < m_count; ++k) {
        std::uint64_t u = 0;
        std::int64_t s = 0;
        double f = 0;
        decodeScalar(m_elementType, m_raw + k * size, u, s, f);
        if (isSigned(m_elementType)) {
            out[k] = s;
        } else {
            if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return std::nullopt;
            out[k] = static_cast<std::int64_t>(u);
        }
    }
    return out;
}

std::optional<std::vector<std::int32_t>> Value::asInt32Array() const
{
    if (m_type != ValueType::ARRAY || !isInteger(m_elementType))
        return std::nullopt;
    std::vector<std::int32_t> out(m_count);
    if (m_elementType == ValueType::INT32) {
        if (m_count)
            std::memcpy(out.data(), m_raw, m_count * sizeof(std::int32_t));
        return out;
    }
    const auto wide = asInt64Array();
    if (!wide)
        return std::nullopt;
    for (std::size_t k = 0; k < m_count; ++k) {
        const std::int64_t v = (*wide)[k];
        if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
            return std::nullopt;
        out[k] = static_cast<std::int32_t>(v);
    }
    return out;
}

std::span<const std::byte> Value::rawArrayBytes() const
{
    if (m_type != ValueType::ARRAY || m_raw == nullptr)
        return {};
    return {m_raw, m_count * valueTypeSize(m_elementType)};
}

// ---- TensorInfo ------------------------------------------------------------

std::uint64_t TensorInfo::elementCount() const
{
    std::uint64_t n = 1;
    for (auto d : shape)
        n *= d;   // validated not to overflow when the file was read
    return n;
}

std::string_view TensorInfo::typeName() const
{
    const auto info = tensorTypeInfo(type);
    return info ? info->name : std::string_view("?");
}

bool TensorInfo::typeSupported() const
{
    const auto info = tensorTypeInfo(type);
    return info && info->supported;
}

// ---- Parser ------------------------------------------------------------------

// Walks the header with a cursor; every read checks the bytes left first, so
// a read can never leave the buffer whatever the counts claim.
class Parser {
public:
    Parser(GgufFile& file) : m_file(file), m_base(file.m_base), m_size(file.m_size) {}

    Status run();

private:
    Error fail(const std::string& what) const
    {
        return Error{m_file.m_path + ": " + what};
    }
    Error failAt(std::uint64_t pos, const std::string& what) const
    {
        return Error{m_file.m_path + ": at byte " + std::to_string(pos) + ": " + what};
    }
    std::uint64_t left() const { return m_size - m_pos; }

    bool need(std::uint64_t n) const { return n <= left(); }

    Status readU32(std::uint32_t& v, const char* what);
    Status readU64(std::uint64_t& v, const char* what);
    // `what` builds the description for an error message; it is called only
    // on failure, since string arrays hold hundreds of thousands of entries.
    template<typename What>
    Status readString(std::string_view& s, What&& what);
    Status readValue(Value& v, ValueType type, int depth, const std::string& key);

    GgufFile& m_file;
    const std::byte* m_base;
    std::uint64_t m_size;
    std::uint64_t m_pos = 0;
};

Status Parser::readU32(std::uint32_t& v, const char* what)
{
    if (!need(4))
        return failAt(m_pos, std::string("file ends inside ") + what + " (file is " + std::to_string(m_size) + " bytes)");
    v = load<std::uint32_t>(m_base + m_pos);
    m_pos += 4;
    return {};
}

Status Parser::readU64(std::uint64_t& v, const char* what)
{
    if (!need(8))
        return failAt(m_pos, std::string("file ends inside ") + what + " (file is " + std::to_string(m_size) + " bytes)");
    v = load<std::uint64_t>(m_base + m_pos);
    m_pos += 8;
    return {};
}

template<typename What>
Status Parser::readString(std::string_view& s, What&& what)
{
    const std::uint64_t start = m_pos;
    std::uint64_t len = 0;
    if (!need(8))
        return failAt(m_pos, "file ends inside the length of " + what() + " (file is " + std::to_string(m_size) + " bytes)");
    len = load<std::uint64_t>(m_base + m_pos);
    m_pos += 8;
    if (len > left())
        return failAt(start, what() + " has length " + std::to_string(len) + ", past the end of the file (" +
                                 std::to_string(left()) + " bytes left)");
    s = std::string_view(reinterpret_cast<const char*>(m_base + m_pos), static_cast<std::size_t>(len));
    m_pos += len;
    return {};
}

Status Parser::readValue(Value& v, ValueType type, int depth, const std::string& key)
{
    v.m_type = type;
    const std::size_t size = valueTypeSize(type);
    if (size > 0) {
        if (!need(size))
            return failAt(m_pos, "file ends inside the value of key " + key);
        decodeScalar(type, m_base + m_pos, v.m_scalar.u, v.m_scalar.i, v.m_scalar.f);
        m_pos += size;
        return {};
    }
    if (type == ValueType::STRING)
        return readString(v.m_string, [&] { return "the string value of key " + key; });

    // ARRAY: element type, count, elements.
    const std::uint64_t start = m_pos;
    std::uint32_t rawElem = 0;
    std::uint64_t count = 0;
    if (auto st = readU32(rawElem, "an array's element type"); !st)
        return st;
    if (auto st = readU64(count, "an array's element count"); !st)
        return st;
    if (!isKnownType(rawElem))
        return failAt(start, "array of key " + key + " has unknown element type " + std::to_string(rawElem));
    const auto elem = static_cast<ValueType>(rawElem);
    if (elem == ValueType::ARRAY && depth + 1 >= kMaxArrayDepth)
        return failAt(start, "array of key " + key + " nests arrays deeper than " + std::to_string(kMaxArrayDepth) +
                                 " levels");
    v.m_elementType = elem;
    // The smallest encoding of one element bounds how many can fit: a string
    // is at least its 8-byte length, an inner array its 12-byte header.
    const std::uint64_t minElem = elem == ValueType::STRING ? 8 : elem == ValueType::ARRAY ? 12 : valueTypeSize(elem);
    if (count > left() / minElem)
        return failAt(start, "array of key " + key + " claims " + std::to_string(count) + " " +
                                 std::string(valueTypeName(elem)) + " elements, more than the " +
                                 std::to_string(left()) + " bytes left in the file can hold");
    v.m_count = static_cast<std::size_t>(count);
    if (elem == ValueType::STRING) {
        v.m_strings.resize(v.m_count);
        for (std::size_t k = 0; k < v.m_count; ++k)
            if (auto st = readString(v.m_strings[k], [&] { return "string " + std::to_string(k) + " of key " + key; }); !st)
                return st;
    } else if (elem == ValueType::ARRAY) {
        v.m_items.resize(v.m_count);
        for (std::size_t k = 0; k < v.m_count; ++k)
            if (auto st = readValue(v.m_items[k], ValueType::ARRAY, depth + 1, key); !st)
                return st;
    } else {
        v.m_raw = m_base + m_pos;
        m_pos += count * minElem;
    }
    return {};
}

Status Parser::run()
{
    // ---- header ----
    std::uint32_t magic = 0;
    if (m_size < 4 || (magic = load<std::uint32_t>(m_base)) != kMagic)
        return fail("not a GGUF file (the first 4 bytes are not \"GGUF\")");
    m_pos = 4;
    std::uint32_t version = 0;
    if (auto st = readU32(version, "the version"); !st)
        return st;
    if (version == 1)
        return fail("GGUF version 1 is not supported (it predates 64-bit counts); convert the model again with a "
                    "current tool");
    if ((version & 0xffff) == 0 && (version >> 16) != 0)
        return fail("the file is big-endian GGUF (version field " + std::to_string(version) +
                    "); only little-endian files can be read");
    if (version != 2 && version != 3)
        return fail("unsupported GGUF version " + std::to_string(version) + " (versions 2 and 3 can be read)");
    m_file.m_version = version;

    std::uint64_t tensorCount = 0, kvCount = 0;
    if (auto st = readU64(tensorCount, "the tensor count"); !st)
        return st;
    if (auto st = readU64(kvCount, "the metadata count"); !st)
        return st;
    // A key/value takes at least 8 (key length) + 4 (type) + 1 bytes; a tensor
    // description at least 8 + 4 + 8 + 4 + 8.
    if (kvCount > left() / 13)
        return fail("the header claims " + std::to_string(kvCount) + " metadata keys, more than the file (" +
                    std::to_string(m_size) + " bytes) can hold");
    if (tensorCount > left() / 32)
        return fail("the header claims " + std::to_string(tensorCount) + " tensors, more than the file (" +
                    std::to_string(m_size) + " bytes) can hold");

    // ---- metadata ----
    m_file.m_metadata.resize(static_cast<std::size_t>(kvCount));
    m_file.m_keyIndex.reserve(static_cast<std::size_t>(kvCount));
    for (std::size_t k = 0; k < kvCount; ++k) {
        KeyValue& kv = m_file.m_metadata[k];
        const std::uint64_t start = m_pos;
        if (auto st = readString(kv.key, [&] { return "metadata key " + std::to_string(k); }); !st)
            return st;
        const std::string key = quoted(kv.key);
        std::uint32_t rawType = 0;
        if (auto st = readU32(rawType, "a metadata value type"); !st)
            return st;
        if (!isKnownType(rawType))
            return failAt(start, "key " + key + " has unknown value type " + std::to_string(rawType));
        if (auto st = readValue(kv.value, static_cast<ValueType>(rawType), 0, key); !st)
            return st;
        if (!m_file.m_keyIndex.emplace(kv.key, k).second)
            return failAt(start, "duplicate metadata key " + key);
    }

    if (const Value* a = m_file.find(kAlignmentKey)) {
        if (a->type() != ValueType::UINT32)
            return fail(std::string(kAlignmentKey) + " has type " + std::string(valueTypeName(a->type())) +
                        ", expected UINT32");
        const std::uint64_t align = *a->asUInt();
        if (align == 0 || !std::has_single_bit(align))
            return fail(std::string(kAlignmentKey) + " is " + std::to_string(align) + ", not a power of two");
        m_file.m_alignment = align;
    }

    // ---- tensor descriptions ----
    m_file.m_tensors.resize(static_cast<std::size_t>(tensorCount));
    m_file.m_tensorIndex.reserve(static_cast<std::size_t>(tensorCount));
    std::vector<std::string_view> names(static_cast<std::size_t>(tensorCount));
    for (std::size_t k = 0; k < tensorCount; ++k) {
        TensorInfo& t = m_file.m_tensors[k];
        const std::uint64_t start = m_pos;
        if (auto st = readString(names[k], [&] { return "the name of tensor " + std::to_string(k); }); !st)
            return st;
        if (names[k].empty())
            return failAt(start, "tensor " + std::to_string(k) + " has an empty name");
        t.name = std::string(names[k]);
        const std::string name = "tensor " + quoted(names[k]);
        std::uint32_t dims = 0;
        if (auto st = readU32(dims, "a tensor's dimension count"); !st)
            return st;
        if (dims < 1 || dims > kMaxDims)
            return failAt(start, name + " has " + std::to_string(dims) + " dimensions (1 to " +
                                     std::to_string(kMaxDims) + " allowed)");
        t.shape.resize(dims);
        std::uint64_t elements = 1;
        bool overflow = false;
        for (auto& d : t.shape) {
            if (auto st = readU64(d, "a tensor's shape"); !st)
                return st;
            // ggml keeps dimensions as int64: anything above that is corrupt.
            if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                overflow = true;
            else if (d != 0 && elements > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / d)
                overflow = true;
            else
                elements *= d;
        }
        if (overflow)
            return failAt(start, name + " has a shape whose element count overflows 64 bits");
        std::uint32_t rawType = 0;
        if (auto st = readU32(rawType, "a tensor's type"); !st)
            return st;
        const auto info = tensorTypeInfo(rawType);
        if (!info)
            return failAt(start, name + " has unknown tensor type " + std::to_string(rawType));
        t.type = info->type;
        if (auto st = readU64(t.offset, "a tensor's data offset"); !st)
            return st;
        const auto row = rowBytes(t.type, t.shape[0]);
        if (!row)
            return failAt(start, name + " of type " + std::string(info->name) + " has " + std::to_string(t.shape[0]) +
                                     " elements per row, not a multiple of the block size " +
                                     std::to_string(info->blockElements));
        std::uint64_t bytes = *row;
        for (std::size_t d = 1; d < t.shape.size(); ++d) {
            if (t.shape[d] != 0 && bytes > std::numeric_limits<std::uint64_t>::max() / t.shape[d])
                return failAt(start, name + " has a byte size that overflows 64 bits");
            bytes *= t.shape[d];
        }
        t.bytes = bytes;
        if (t.offset % m_file.m_alignment != 0)
            return failAt(start, name + " has data offset " + std::to_string(t.offset) +
                                     ", not a multiple of the alignment " + std::to_string(m_file.m_alignment));
        if (!m_file.m_tensorIndex.emplace(names[k], k).second)
            return failAt(start, "duplicate " + name);
    }

    // ---- data section ----
    const std::uint64_t align = m_file.m_alignment;
    const std::uint64_t pad = (align - m_pos % align) % align;
    m_file.m_dataOffset = m_pos + pad;   // cannot overflow: m_pos <= file size
    const std::uint64_t dataStart = m_file.m_dataOffset;
    const std::uint64_t dataSize = dataStart <= m_size ? m_size - dataStart : 0;

    std::vector<std::size_t> order(m_file.m_tensors.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        order[k] = k;
        TensorInfo& t = m_file.m_tensors[k];
        if (t.offset > dataSize || t.bytes > dataSize - t.offset)
            return fail("tensor " + quoted(t.name) + " data [offset " + std::to_string(t.offset) + ", " +
                        std::to_string(t.bytes) + " bytes] lies outside the file (" + std::to_string(m_size) +
                        " bytes, data section at " + std::to_string(dataStart) + ")");
        t.data = m_base + dataStart + t.offset;
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& ta = m_file.m_tensors[a];
        const auto& tb = m_file.m_tensors[b];
        return ta.offset != tb.offset ? ta.offset < tb.offset : ta.bytes < tb.bytes;
    });
    for (std::size_t k = 1; k < order.size(); ++k) {
        const auto& prev = m_file.m_tensors[order[k - 1]];
        const auto& cur = m_file.m_tensors[order[k]];
        // Zero-size tensors occupy nothing and cannot collide.
        if (cur.bytes != 0 && prev.bytes != 0 && cur.offset < prev.offset + prev.bytes)
            return fail("tensor " + quoted(cur.name) + " data [offset " + std::to_string(cur.offset) + ", " +
                        std::to_string(cur.bytes) + " bytes] overlaps tensor " + quoted(prev.name) + " [offset " +
                        std::to_string(prev.offset) + ", " + std::to_string(prev.bytes) + " bytes]");
    }
    return {};
}

// ---- GgufFile ----------------------------------------------------------------

GgufFile::~GgufFile()
{
    if (m_mapping)
        ::munmap(m_mapping, m_mappingSize);
}

Result<std::unique_ptr<GgufFile>> GgufFile::fromBuffer(std::vector<std::byte> bytes, std::string name)
{
    std::unique_ptr<GgufFile> file(new GgufFile);
    file->m_path = std::move(name);
    file->m_buffer = std::move(bytes);
    file->m_base = file->m_buffer.data();
    file->m_size = file->m_buffer.size();
    Parser parser(*file);
    if (auto st = parser.run(); !st)
        return Error{st.error()};
    return file;
}

Result<std::unique_ptr<GgufFile>> GgufFile::open(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error{path + ": cannot open: " + std::strerror(errno)};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return Error{path + ": cannot stat: " + std::strerror(err)};
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error{path + ": not a regular file"};
    }
    std::unique_ptr<GgufFile> file(new GgufFile);
    file->m_path = path;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > 0) {
        void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            return Error{path + ": cannot memory-map " + std::to_string(size) + " bytes: " + std::strerror(err)};
        }
        file->m_mapping = p;
        file->m_mappingSize = static_cast<std::size_t>(size);
        file->m_base = static_cast<const std::byte*>(p);
    }
    ::close(fd);   // the mapping keeps the file referenced
    file->m_size = size;
    Parser parser(*file);
    if (auto status = parser.run(); !status)
        return Error{status.error()};
    return file;
}

const Value* GgufFile::find(std::string_view key) const
{
    const auto it = m_keyIndex.find(key);
    return it == m_keyIndex.end() ? nullptr : &m_metadata[it->second].value;
}

std::optional<std::string> GgufFile::getString(std::string_view key) const
{
    if (auto s = getStringView(key))
        return std::string(*s);
    return std::nullopt;
}

std::optional<std::string_view> GgufFile::getStringView(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->asString() : std::nullopt;
}

std::optional<std::int64_t> GgufFile::getInt(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->asInt() : std::nullopt;
}

std::optional<std::uint64_t> GgufFile::getUInt(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->asUInt() : std::nullopt;
}

std::optional<double> GgufFile::getFloat(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->asFloat() : std::nullopt;
}

std::optional<bool> GgufFile::getBool(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->asBool() : std::nullopt;
}

std::optional<std::span<const std::string_view>> GgufFile::getStringArray(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->asStringArray() : std::nullopt;
}

std::optional<std::vector<float>> GgufFile::getFloat32Array(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->asFloat32Array() : std::nullopt;
}

std::optional<std::vector<std::int32_t>> GgufFile::getInt32Array(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->asInt32Array() : std::nullopt;
}

std::string_view GgufFile::architecture() const
{
    return getStringView("general.architecture").value_or(std::string_view());
}

const TensorInfo* GgufFile::tensor(std::string_view name) const
{
    const auto it = m_tensorIndex.find(name);
    return it == m_tensorIndex.end() ? nullptr : &m_tensors[it->second];
}

std::uint64_t GgufFile::elementCount() const
{
    std::uint64_t n = 0;
    for (const auto& t : m_tensors)
        n += t.elementCount();
    return n;
}

} // namespace outpost::inference::gguf
