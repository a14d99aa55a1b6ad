#include "core/memory/memory_nodes.h"

#include <cstdint>

namespace outpost::core::memory {

namespace {

std::string derivedId(const std::string& ns, std::string_view text)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&](std::string_view bytes) {
        for (unsigned char c : bytes) {
            h ^= c;
            h *= 0x100000001b3ull;
        }
    };
    mix(ns);
    mix(std::string_view("\0", 1));
    mix(text);
    static const char* digits = "0123456789abcdef";
    std::string id = "mem-";
    for (int i = 15; i >= 0; --i)
        id.push_back(digits[(h >> (4 * i)) & 15]);
    return id;
}

} // namespace

Status checkEmbedder(VectorIndex& index, const Embedder& embedder)
{
    if (index.config().dimension != embedder.dimension())
        return Error{index.dir() + ": the index has dimension " + std::to_string(index.config().dimension)
                     + ", embedder '" + embedder.id() + "' makes " + std::to_string(embedder.dimension())};
    if (index.config().embedder == embedder.id())
        return {};
    if (index.config().embedder.empty())
        return index.bindEmbedder(embedder.id());
    return Error{index.dir() + ": the index holds vectors of embedder '" + index.config().embedder
                 + "'; refusing to use '" + embedder.id() + "'"};
}

Result<std::vector<Passage>> recall(VectorIndex& index, Embedder& embedder, std::string_view text, std::size_t topK,
                                    const std::optional<std::string>& ns, const Json& filter)
{
    if (auto st = checkEmbedder(index, embedder); !st)
        return Error{st.error()};
    auto vectors = embedder.embed({std::string(text)});
    if (!vectors)
        return Error{vectors.error()};
    QueryOptions options;
    options.topK = topK;
    options.ns = ns;
    options.filter = filter;
    options.returnMetadata = true;
    auto result = index.query(vectors->front(), options);
    if (!result)
        return Error{result.error()};
    std::vector<Passage> passages;
    for (auto& m : result->matches) {
        Passage p;
        p.id = m.id;
        p.score = m.score;
        p.ns = m.ns;
        p.metadata = m.metadata.value_or(Json::object());
        if (auto it = p.metadata.find("text"); it != p.metadata.end()) {
            if (it->is_string())
                p.text = it->get<std::string>();
            p.metadata.erase(it);
        }
        passages.push_back(std::move(p));
    }
    return passages;
}

Result<std::string> write(VectorIndex& index, Embedder& embedder, std::string_view text, const Json& metadata,
                          const std::string& ns, const std::string& id)
{
    if (!metadata.is_object() && !metadata.is_null())
        return Error{"memory.write: metadata must be a JSON object"};
    if (auto st = checkEmbedder(index, embedder); !st)
        return Error{st.error()};
    auto vectors = embedder.embed({std::string(text)});
    if (!vectors)
        return Error{"memory.write: " + vectors.error()};
    VectorRecord r;
    r.id = id.empty() ? derivedId(ns, text) : id;
    r.values = std::move(vectors->front());
    r.metadata = metadata.is_null() ? Json::object() : metadata;
    r.metadata["text"] = std::string(text);
    r.ns = ns;
    if (auto st = index.upsert({r}); !st)
        return Error{"memory.write: " + st.error()};
    return r.id;
}

Result<std::vector<std::string>> ingest(VectorIndex& index, Embedder& embedder, const std::string& docId,
                                        std::string_view text, const ChunkOptions& options, const Json& metadata,
                                        const std::string& ns)
{
    if (docId.empty())
        return Error{"ingest: the document id is empty"};
    if (!metadata.is_object() && !metadata.is_null())
        return Error{"ingest: metadata must be a JSON object"};
    if (auto st = checkEmbedder(index, embedder); !st)
        return Error{st.error()};
    const auto chunks = chunkText(text, options);
    std::vector<std::string> texts;
    for (const auto& c : chunks)
        texts.push_back(c.text);
    auto vectors = embedder.embed(texts);
    if (!vectors)
        return Error{"ingest '" + docId + "': " + vectors.error()};
    std::vector<VectorRecord> records;
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        VectorRecord r;
        r.id = docId + "#" + std::to_string(i);
        r.values = std::move((*vectors)[i]);
        r.metadata = metadata.is_null() ? Json::object() : metadata;
        r.metadata["text"] = chunks[i].text;
        r.metadata["doc"] = docId;
        r.metadata["chunk"] = i;
        r.metadata["offset"] = chunks[i].offset;
        if (!chunks[i].heading.empty())
            r.metadata["heading"] = chunks[i].heading;
        r.ns = ns;
        ids.push_back(r.id);
        records.push_back(std::move(r));
    }
    if (auto st = index.upsert(records); !st)
        return Error{"ingest '" + docId + "': " + st.error()};
    // Chunks of an earlier, longer version.
    for (std::size_t i = chunks.size();; i += 64) {
        std::vector<std::string> stale;
        for (std::size_t j = i; j < i + 64; ++j)
            stale.push_back(docId + "#" + std::to_string(j));
        auto removed = index.deleteByIds(stale);
        if (!removed)
            return Error{"ingest '" + docId + "': " + removed.error()};
        if (*removed == 0)
            break;
    }
    return ids;
}

} // namespace outpost::core::memory
