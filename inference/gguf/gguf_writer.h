#pragma once
// Writing GGUF v3 files: metadata of every value type (arrays of strings and
// arrays of arrays included) and tensors given as raw bytes in their on-disk
// layout. Tests and benchmarks build synthetic models with it; tools use it to
// rewrite metadata.
//
// Layout written: header, key/values in the order they were first set,
// tensor descriptions in the order added, padding to the alignment, then the
// tensor data in the same order, each tensor starting on an alignment
// boundary (no padding after the last tensor). The alignment is
// general.alignment when set (UINT32, a power of two), else 32. Reading a file
// and writing its key/values and tensors back in order reproduces files
// written by llama.cpp's tools byte for byte (older tools left out the
// padding of an empty data section; that is the only difference).
#include "inference/gguf/gguf_file.h"
#include "inference/tensor/tensor_type.h"
#include "inference/util/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace outpost::inference::gguf {

// A metadata value that owns its contents (the writer's counterpart of
// Value, which only views a mapped file).
class OwnedValue {
public:
    OwnedValue() = default;

    static OwnedValue uint8(std::uint8_t v);
    static OwnedValue int8(std::int8_t v);
    static OwnedValue uint16(std::uint16_t v);
    static OwnedValue int16(std::int16_t v);
    static OwnedValue uint32(std::uint32_t v);
    static OwnedValue int32(std::int32_t v);
    static OwnedValue uint64(std::uint64_t v);
    static OwnedValue int64(std::int64_t v);
    static OwnedValue float32(float v);
    static OwnedValue float64(double v);
    static OwnedValue boolean(bool v);
    static OwnedValue string(std::string v);
    static OwnedValue stringArray(std::vector<std::string> v);
    static OwnedValue stringArray(std::span<const std::string_view> v);
    // A numeric array: `elementType` must be a scalar type (not STRING or
    // ARRAY) and `raw` its little-endian bytes, a multiple of the element size.
    // An invalid combination makes the writer fail at write time.
    static OwnedValue numericArray(ValueType elementType, std::vector<std::byte> raw);
    template<typename T>
    static OwnedValue array(std::span<const T> values);   // T: an arithmetic type GGUF has (not bool)
    // An array of arrays (each item must itself be an array of non-arrays).
    static OwnedValue arrayOfArrays(std::vector<OwnedValue> items);
    // A deep copy of a value read from a file.
    static OwnedValue fromValue(const Value& v);

    ValueType type() const { return m_type; }
    ValueType elementType() const { return m_elementType; }

private:
    friend class GgufWriter;
    Status write(std::vector<std::byte>& out, const std::string& key, int depth) const;

    ValueType m_type = ValueType::UINT8;
    ValueType m_elementType = ValueType::UINT8;
    std::vector<std::byte> m_raw;           // scalar bytes, or numeric array elements
    std::string m_string;                   // STRING
    std::vector<std::string> m_strings;     // array of STRING
    std::vector<OwnedValue> m_items;        // array of ARRAY
};

class GgufWriter {
public:
    // Sets a key; a key set again keeps its first position and takes the new value.
    void set(std::string_view key, OwnedValue value);
    void setUInt8(std::string_view key, std::uint8_t v) { set(key, OwnedValue::uint8(v)); }
    void setInt8(std::string_view key, std::int8_t v) { set(key, OwnedValue::int8(v)); }
    void setUInt16(std::string_view key, std::uint16_t v) { set(key, OwnedValue::uint16(v)); }
    void setInt16(std::string_view key, std::int16_t v) { set(key, OwnedValue::int16(v)); }
    void setUInt32(std::string_view key, std::uint32_t v) { set(key, OwnedValue::uint32(v)); }
    void setInt32(std::string_view key, std::int32_t v) { set(key, OwnedValue::int32(v)); }
    void setUInt64(std::string_view key, std::uint64_t v) { set(key, OwnedValue::uint64(v)); }
    void setInt64(std::string_view key, std::int64_t v) { set(key, OwnedValue::int64(v)); }
    void setFloat32(std::string_view key, float v) { set(key, OwnedValue::float32(v)); }
    void setFloat64(std::string_view key, double v) { set(key, OwnedValue::float64(v)); }
    void setBool(std::string_view key, bool v) { set(key, OwnedValue::boolean(v)); }
    void setString(std::string_view key, std::string v) { set(key, OwnedValue::string(std::move(v))); }
    void setStringArray(std::string_view key, std::vector<std::string> v) { set(key, OwnedValue::stringArray(std::move(v))); }
    void setFloat32Array(std::string_view key, std::span<const float> v) { set(key, OwnedValue::array(v)); }
    void setInt32Array(std::string_view key, std::span<const std::int32_t> v) { set(key, OwnedValue::array(v)); }
    // Sets general.alignment (UINT32); must be a power of two (checked at write).
    void setAlignment(std::uint32_t alignment) { setUInt32(kAlignmentKey, alignment); }
    bool remove(std::string_view key);

    // Adds a tensor. `shape` is ne[0] first (1..4 dims); `data` must hold
    // exactly the bytes the type's block layout needs for that shape.
    // Errors: empty or duplicate name, bad dims, shape[0] not a multiple of
    // the block size, unknown type, wrong data size.
    Status addTensor(std::string name, std::vector<std::uint64_t> shape, TensorType type, std::vector<std::byte> data);
    Status addTensor(std::string name, std::vector<std::uint64_t> shape, TensorType type, std::span<const std::byte> data);
    std::size_t tensorCount() const { return m_tensors.size(); }

    // The whole file in memory. Errors: an invalid value (see OwnedValue) or
    // a bad general.alignment.
    Result<std::vector<std::byte>> toBytes() const;
    // Writes the file at `path` through a temporary file in the same folder
    // renamed into place, so a failure never leaves a half-written file at
    // `path`. Errors name the path and the system's reason.
    Status writeFile(const std::string& path) const;

private:
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> shape;
        TensorType type;
        std::vector<std::byte> data;
    };
    struct Layout {
        std::vector<std::byte> header;   // through the padding before the data section
        std::uint64_t alignment = kDefaultAlignment;
        std::vector<std::uint64_t> offsets;   // relative to the data section
    };
    Result<Layout> layout() const;

    std::vector<std::pair<std::string, OwnedValue>> m_metadata;
    std::vector<Tensor> m_tensors;
};

template<typename T>
OwnedValue OwnedValue::array(std::span<const T> values)
{
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && sizeof(T) <= 8);
    ValueType t;
    if constexpr (std::is_same_v<T, float>)
        t = ValueType::FLOAT32;
    else if constexpr (std::is_same_v<T, double>)
        t = ValueType::FLOAT64;
    else if constexpr (std::is_signed_v<T>)
        t = sizeof(T) == 1 ? ValueType::INT8 : sizeof(T) == 2 ? ValueType::INT16 : sizeof(T) == 4 ? ValueType::INT32 : ValueType::INT64;
    else
        t = sizeof(T) == 1 ? ValueType::UINT8 : sizeof(T) == 2 ? ValueType::UINT16 : sizeof(T) == 4 ? ValueType::UINT32 : ValueType::UINT64;
    const auto bytes = std::as_bytes(values);
    return numericArray(t, std::vector<std::byte>(bytes.begin(), bytes.end()));
}

} // namespace outpost::inference::gguf
