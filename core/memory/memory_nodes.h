#pragma once
// What the agent graph's memory nodes call (the graph executor will wire
// them): memory.recall and memory.write, and document ingestion.
// The passage text is stored in the record's metadata under "text".
#include "core/memory/chunker.h"
#include "core/memory/embedder.h"
#include "core/memory/vector_index.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::core::memory {

struct Passage {
    std::string id;
    float score = 0;
    std::string text;
    Json metadata;     // without "text"
    std::string ns;
};

// Errors unless `index` holds vectors of `embedder` (same id and dimension).
// An empty index without an embedder is bound to this one.
Status checkEmbedder(VectorIndex& index, const Embedder& embedder);

// memory.recall: the topK passages closest to `text`, best first.
Result<std::vector<Passage>> recall(VectorIndex& index, Embedder& embedder, std::string_view text, std::size_t topK,
                                    const std::optional<std::string>& ns = std::nullopt, const Json& filter = nullptr);

// memory.write: stores `text` with its metadata; returns the record id
// (`id` if given, else one derived from the namespace and text, so writing
// the same text twice keeps one record). Errors: embedder mismatch, empty
// text, metadata + text over the 10 KiB limit (use ingest for documents).
Result<std::string> write(VectorIndex& index, Embedder& embedder, std::string_view text, const Json& metadata = Json::object(),
                          const std::string& ns = {}, const std::string& id = {});

// Chunks a document and stores each chunk as "<docId>#<n>" with metadata
// plus {"doc", "chunk", "offset", "heading"?}; removes chunks left over from
// an earlier, longer version of the document. Returns the chunk ids.
Result<std::vector<std::string>> ingest(VectorIndex& index, Embedder& embedder, const std::string& docId,
                                        std::string_view text, const ChunkOptions& options = {},
                                        const Json& metadata = Json::object(), const std::string& ns = {});

} // namespace outpost::core::memory
