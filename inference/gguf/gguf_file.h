#pragma once
// Reading GGUF files (versions 2 and 3, little-endian): metadata key/values
// and tensor descriptions, with the tensor data memory-mapped, never copied.
//
// Everything read from the file is validated before open() returns: a
// GgufFile that exists is internally consistent (every string and array lies
// inside the file, every tensor's data range lies inside the data section,
// is aligned and overlaps no other tensor). Bad input gives an Error whose
// message names the file, the byte position or key/tensor, and the reason.
//
// Lifetime: every string_view, span and pointer handed out (keys, string
// values, string arrays, TensorInfo::data) points into the file's mapping and
// stays valid exactly as long as the GgufFile object. A GgufFile never
// changes after open(), so any number of threads may read it at once.
// As with any memory mapping, a file truncated by another program while it
// is open makes reads of the lost pages fault: replace model files by
// renaming a new file into place (as GgufWriter::writeFile does), never by
// rewriting them in place.
#include "inference/tensor/tensor_type.h"
#include "inference/util/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace outpost::inference::gguf {

// Metadata value types, numbered as GGUF stores them.
enum class ValueType : std::uint32_t {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
};

// "UINT32", "STRING", ...; "?" for numbers outside the enum.
std::string_view valueTypeName(ValueType type);
// Bytes one scalar of this type takes in the file; 0 for STRING and ARRAY.
std::size_t valueTypeSize(ValueType type);

// One metadata value: a scalar, a string, or an array (possibly an array of
// arrays, one level deep). Numeric arrays stay in the mapping and are decoded
// on access; string arrays are kept as string_views into the mapping.
class Value {
public:
    Value() = default;

    ValueType type() const { return m_type; }
    bool isArray() const { return m_type == ValueType::ARRAY; }

    // Scalars. Each returns nullopt when the value has another kind.
    // asInt: any integer type whose value fits in int64.
    std::optional<std::int64_t> asInt() const;
    // asUInt: any integer type whose value is >= 0.
    std::optional<std::uint64_t> asUInt() const;
    // asFloat: FLOAT32, FLOAT64, or any integer type (converted).
    std::optional<double> asFloat() const;
    // asBool: BOOL only (any non-zero byte is true).
    std::optional<bool> asBool() const;
    // asString: STRING only; the view points into the file mapping.
    std::optional<std::string_view> asString() const;

    // Arrays. size() is 0 and elementType() is meaningless for scalars.
    std::size_t size() const { return m_count; }
    ValueType elementType() const { return m_elementType; }
    // Element i as a Value (a scalar, a string or an inner array); an empty
    // UINT8 value of 0 when i >= size() or this is not an array.
    Value at(std::size_t i) const;

    // Whole arrays at once. nullopt when this is not an array of a suitable
    // element type.
    // Strings: zero-copy, views into the mapping.
    std::optional<std::span<const std::string_view>> asStringArray() const;
    // FLOAT32 or FLOAT64 elements (FLOAT64 narrowed).
    std::optional<std::vector<float>> asFloat32Array() const;
    // Any integer element type whose every value fits in int32.
    std::optional<std::vector<std::int32_t>> asInt32Array() const;
    // Any integer element type whose every value fits in int64.
    std::optional<std::vector<std::int64_t>> asInt64Array() const;
    // The raw little-endian bytes of a numeric array (size() * element size;
    // not aligned); empty for string arrays, nested arrays and scalars.
    std::span<const std::byte> rawArrayBytes() const;

private:
    friend class Parser;

    ValueType m_type = ValueType::UINT8;
    ValueType m_elementType = ValueType::UINT8;
    union {
        std::uint64_t u;
        std::int64_t i;
        double f;
    } m_scalar{0};
    std::string_view m_string;                // STRING
    const std::byte* m_raw = nullptr;         // numeric array elements
    std::size_t m_count = 0;                  // array element count
    std::vector<std::string_view> m_strings;  // array of STRING
    std::vector<Value> m_items;               // array of ARRAY
};

struct KeyValue {
    std::string_view key;   // points into the mapping
    Value value;
};

struct TensorInfo {
    std::string name;
    std::vector<std::uint64_t> shape;   // ne[0] first (the contiguous dimension), as GGUF stores it; 1..4 dims
    TensorType type = TensorType::F32;
    std::uint64_t offset = 0;           // relative to the data section, a multiple of alignment()
    std::uint64_t bytes = 0;            // size of the data, from the type's block layout
    const std::byte* data = nullptr;    // into the mapping; valid while the GgufFile lives

    std::uint64_t elementCount() const;
    // "Q4_K"; types the reader knows but the engine cannot compute with
    // (TensorTypeInfo::supported false) are readable, and the model loader
    // refuses them by this name.
    std::string_view typeName() const;
    bool typeSupported() const;
};

class GgufFile {
public:
    // Memory-maps `path` read-only and validates it. Errors: the file cannot
    // be opened or mapped, or any validation failure (see the top of this
    // header). Messages start with `path`.
    static Result<std::unique_ptr<GgufFile>> open(const std::string& path);
    // Same checks over bytes held in memory (tests, fuzzing). `name` starts
    // error messages.
    static Result<std::unique_ptr<GgufFile>> fromBuffer(std::vector<std::byte> bytes,
                                                        std::string name = "<buffer>");

    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::string& path() const { return m_path; }
    std::uint32_t version() const { return m_version; }
    // general.alignment when present (a power of two), else 32.
    std::uint64_t alignment() const { return m_alignment; }
    std::uint64_t fileSize() const { return m_size; }
    // Absolute file offset of the tensor data section (the end of the header
    // rounded up to alignment()). A file without tensors may end before it.
    std::uint64_t dataOffset() const { return m_dataOffset; }
    // The whole file, mapped.
    std::span<const std::byte> bytes() const { return {m_base, static_cast<std::size_t>(m_size)}; }

    // ---- metadata ----
    // All key/values in file order.
    std::span<const KeyValue> metadata() const { return m_metadata; }
    // nullptr when the key is absent.
    const Value* find(std::string_view key) const;
    // Typed helpers: nullopt when the key is absent or has another kind
    // (same conversions as Value::asX).
    std::optional<std::string> getString(std::string_view key) const;
    std::optional<std::string_view> getStringView(std::string_view key) const;
    std::optional<std::int64_t> getInt(std::string_view key) const;
    std::optional<std::uint64_t> getUInt(std::string_view key) const;
    std::optional<double> getFloat(std::string_view key) const;
    std::optional<bool> getBool(std::string_view key) const;
    std::optional<std::span<const std::string_view>> getStringArray(std::string_view key) const;
    std::optional<std::vector<float>> getFloat32Array(std::string_view key) const;
    std::optional<std::vector<std::int32_t>> getInt32Array(std::string_view key) const;
    // general.architecture, or "" when absent.
    std::string_view architecture() const;

    // ---- tensors ----
    // In file order.
    std::span<const TensorInfo> tensors() const { return m_tensors; }
    // nullptr when absent.
    const TensorInfo* tensor(std::string_view name) const;
    // Sum of all tensors' element counts (the parameter count).
    std::uint64_t elementCount() const;

private:
    friend class Parser;
    GgufFile() = default;

    std::string m_path;
    std::vector<std::byte> m_buffer;   // fromBuffer only
    void* m_mapping = nullptr;         // open() only
    std::size_t m_mappingSize = 0;
    const std::byte* m_base = nullptr;
    std::uint64_t m_size = 0;

    std::uint32_t m_version = 0;
    std::uint64_t m_alignment = 32;
    std::uint64_t m_dataOffset = 0;
    std::vector<KeyValue> m_metadata;
    std::unordered_map<std::string_view, std::size_t> m_keyIndex;
    std::vector<TensorInfo> m_tensors;
    std::unordered_map<std::string_view, std::size_t> m_tensorIndex;
};

// GGUF defaults and limits, shared by the reader and the writer.
inline constexpr std::uint32_t kMagic = 0x46554747;   // "GGUF" read as little-endian uint32
inline constexpr std::uint64_t kDefaultAlignment = 32;
inline constexpr std::uint32_t kMaxDims = 4;
inline constexpr std::string_view kAlignmentKey = "general.alignment";

} // namespace outpost::inference::gguf
