// Helper for pretokenizer_oracle.py: reads texts separated by \x01 from a
// file and prints, per text, the byte end offset of each pre-tokenizer piece.
//   pretokenize_dump PRE_NAME FILE
#include "inference/tokenizer/pre_tokenizer.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using namespace outpost::inference::tokenizer;

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: pretokenize_dump PRE_NAME FILE\n");
        return 2;
    }
    const auto kind = preTokenizerFromName(argv[1]);
    if (!kind) {
        std::fprintf(stderr, "unknown pre-tokenizer %s\n", argv[1]);
        return 2;
    }
    std::ifstream in(argv[2], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string all = ss.str();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> words;
    for (std::size_t pos = 0; pos < all.size();) {
        const std::size_t end = all.find('\x01', pos);
        if (end == std::string::npos)
            break;
        preTokenize(*kind, std::string_view(all).substr(pos, end - pos), words);
        for (const auto& w : words)
            std::printf("%u ", w.second);
        std::printf("\n");
        pos = end + 1;
    }
    return 0;
}
