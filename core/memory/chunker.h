#pragma once
// Splits plain text or Markdown into overlapping chunks for the memory.
// Chunks are slices of the original text: a chunk ends at the best boundary
// before `maxBytes` (paragraph, then sentence, then word, then a UTF-8
// character), and the next one starts about `overlapBytes` earlier, on a word
// boundary, so a sentence cut by one chunk is whole in its neighbour.
// Markdown: sections start at ATX headings (`#`..`######`) outside fenced
// code blocks; chunks never span sections and carry their heading path.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::core::memory {

struct ChunkOptions {
    std::size_t maxBytes = 1000;
    std::size_t overlapBytes = 150;   // kept below maxBytes / 2
    bool markdown = false;
};

struct Chunk {
    std::string text;
    std::size_t offset = 0;   // byte offset of text in the input
    std::string heading;      // Markdown: "Title > Section > Subsection"
};

std::vector<Chunk> chunkText(std::string_view text, const ChunkOptions& options = {});

} // namespace outpost::core::memory
