#include "core/memory/chunker.h"

#include <algorithm>

namespace outpost::core::memory {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isContinuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

struct Section {
    std::size_t begin, end;
    std::string heading;
};

std::vector<Section> markdownSections(std::string_view text)
{
    std::vector<Section> sections;
    std::vector<std::string> path;   // heading text per level
    std::size_t sectionStart = 0;
    std::string heading;
    bool inFence = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        std::size_t indent = 0;
        while (indent < line.size() && indent < 3 && line[indent] == ' ')
            ++indent;
        std::string_view body = line.substr(indent);
        if (body.starts_with("```") || body.starts_with("~~~")) {
            inFence = !inFence;
        } else if (!inFence && body.starts_with('#')) {
            std::size_t level = 0;
            while (level < body.size() && body[level] == '#')
                ++level;
            if (level <= 6 && (level == body.size() || body[level] == ' ' || body[level] == '\t')) {
                if (pos > sectionStart)
                    sections.push_back({sectionStart, pos, heading});
                std::string title(body.substr(level));
                while (!title.empty() && (isSpace(title.back()) || title.back() == '#'))
                    title.pop_back();
                title.erase(0, std::min(title.find_first_not_of(" \t"), title.size()));
                path.resize(level);
                path[level - 1] = title;
                heading.clear();
                for (const auto& part : path) {
                    if (part.empty())
                        continue;
                    if (!heading.empty())
                        heading += " > ";
                    heading += part;
                }
                sectionStart = pos;
            }
        }
        pos = eol + 1;
    }
    if (sectionStart < text.size())
        sections.push_back({sectionStart, text.size(), heading});
    return sections;
}

// The best place to end a chunk in (lo, hi]: after a paragraph break, then
// after a sentence end or line break, then at a space, else at a character
// boundary.
std::size_t cutPoint(std::string_view text, std::size_t lo, std::size_t hi)
{
    for (std::size_t i = hi; i > lo + 1; --i)
        if (text[i - 1] == '\n' && text[i - 2] == '\n')
            return i;
    for (std::size_t i = hi; i > lo + 1; --i) {
        const char p = text[i - 2], c = text[i - 1];
        if ((p == '.' || p == '!' || p == '?') && isSpace(c))
            return i;
        if (c == '\n')
            return i;
    }
    for (std::size_t i = hi; i > lo; --i)
        if (isSpace(text[i - 1]))
            return i;
    std::size_t i = hi;
    while (i > lo + 1 && i < text.size() && isContinuation(text[i]))
        --i;
    return i;
}

} // namespace

std::vector<Chunk> chunkText(std::string_view text, const ChunkOptions& options)
{
    const std::size_t maxBytes = std::max<std::size_t>(options.maxBytes, 16);
    const std::size_t overlap = std::min(options.overlapBytes, maxBytes / 2);
    std::vector<Section> sections =
        options.markdown ? markdownSections(text) : std::vector<Section>{{0, text.size(), std::string()}};
    std::vector<Chunk> chunks;
    for (const auto& section : sections) {
        std::size_t pos = section.begin;
        while (pos < section.end) {
            while (pos < section.end && isSpace(text[pos]))
                ++pos;
            if (pos >= section.end)
                break;
            std::size_t end = section.end;
            if (end - pos > maxBytes)
                end = cutPoint(text, pos + maxBytes / 2, pos + maxBytes);
            std::size_t trimmed = end;
            while (trimmed > pos && isSpace(text[trimmed - 1]))
                --trimmed;
            if (trimmed > pos)
                chunks.push_back({std::string(text.substr(pos, trimmed - pos)), pos, section.heading});
            if (end >= section.end)
                break;
            // Step back by the overlap to the start of a word, but always
            // move forward.
            std::size_t next = end > overlap ? end - overlap : 0;
            next = std::max(next, pos + 1);
            while (next < end && !isSpace(text[next - 1]))
                ++next;
            pos = next;
        }
    }
    return chunks;
}

} // namespace outpost::core::memory
