// libFuzzer target for the GGUF reader (and, on what it accepts, the writer).
//
// Properties checked beyond "no crash, no sanitizer report":
// - a file the reader accepts has every value and tensor readable, with all
//   tensor data inside the buffer (touched, so ASan sees any overread);
// - writing an accepted file back with the writer succeeds, the result is
//   accepted too, and writing that again gives the same bytes (the writer's
//   layout is canonical).
#include "inference/gguf/gguf_file.h"
#include "inference/gguf/gguf_writer.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace outpost::inference;
using namespace outpost::inference::gguf;

namespace {

[[noreturn]] void violated(const char* what, const std::string& detail = {})
{
    std::fprintf(stderr, "property violated: %s %s\n", what, detail.c_str());
    std::abort();
}

unsigned sink = 0;

void touch(const Value& v)
{
    sink += static_cast<unsigned>(v.asInt().value_or(0));
    sink += static_cast<unsigned>(v.asUInt().value_or(0));
    sink += static_cast<unsigned>(v.asFloat().value_or(0) != 0);
    sink += v.asBool().value_or(false);
    if (auto s = v.asString(); s && !s->empty())
        sink += static_cast<unsigned char>(s->back());
    if (auto a = v.asStringArray())
        for (auto s : *a)
            sink += static_cast<unsigned>(s.size()) + (s.empty() ? 0u : static_cast<unsigned char>(s.front()));
    if (auto a = v.asFloat32Array())
        sink += static_cast<unsigned>(a->size());
    if (auto a = v.asInt32Array())
        sink += static_cast<unsigned>(a->size());
    if (auto a = v.asInt64Array())
        sink += static_cast<unsigned>(a->size());
    const auto raw = v.rawArrayBytes();
    if (!raw.empty())
        sink += static_cast<unsigned>(raw.back());
    for (std::size_t k = 0; k < v.size() && k < 64; ++k)
        touch(v.at(k));
}

std::vector<std::byte> rewrite(const GgufFile& f)
{
    GgufWriter w;
    for (const auto& kv : f.metadata())
        w.set(kv.key, OwnedValue::fromValue(kv.value));
    for (const auto& t : f.tensors()) {
        auto st = w.addTensor(t.name, t.shape, t.type, std::span<const std::byte>(t.data, t.bytes));
        if (!st)
            violated("the writer refused a tensor the reader accepted:", st.error());
    }
    auto bytes = w.toBytes();
    if (!bytes)
        violated("the writer refused what the reader accepted:", bytes.error());
    return std::move(*bytes);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::vector<std::byte> buffer(size);
    if (size)
        std::memcpy(buffer.data(), data, size);
    auto r = GgufFile::fromBuffer(std::move(buffer), "fuzz.gguf");
    if (!r) {
        if (r.error().rfind("fuzz.gguf: ", 0) != 0)
            violated("error message does not name the file:", r.error());
        return 0;
    }
    const GgufFile& f = **r;
    for (const auto& kv : f.metadata()) {
        if (f.find(kv.key) != &kv.value)
            violated("find() does not return the first value of a key");
        touch(kv.value);
    }
    const auto* begin = f.bytes().data();
    const auto* end = begin + f.bytes().size();
    for (const auto& t : f.tensors()) {
        if (f.tensor(t.name) != &t)
            violated("tensor() does not find a tensor by its name");
        if (t.bytes && (t.data < begin || t.data + t.bytes > end))
            violated("tensor data outside the buffer");
        if (t.bytes)
            sink += static_cast<unsigned>(t.data[0]) + static_cast<unsigned>(t.data[t.bytes - 1]);
        sink += static_cast<unsigned>(t.elementCount()) + static_cast<unsigned>(t.typeName().size());
    }
    sink += static_cast<unsigned>(f.elementCount());

    // Round trip through the writer.
    const auto once = rewrite(f);
    auto again = GgufFile::fromBuffer(once, "rewritten.gguf");
    if (!again)
        violated("the reader refused the writer's output:", again.error());
    if ((*again)->metadata().size() != f.metadata().size() || (*again)->tensors().size() != f.tensors().size())
        violated("the rewrite lost keys or tensors");
    const auto twice = rewrite(**again);
    if (twice != once)
        violated("writing a rewritten file again changed its bytes");
    return 0;
}
