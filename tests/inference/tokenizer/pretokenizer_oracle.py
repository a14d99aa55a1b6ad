#!/usr/bin/env python3
"""Checks the hand-written pre-tokenizers against the regexes they stand for.

The oracle is the third-party `regex` module (it knows \\p{L} etc.) running
the split regexes llama.cpp uses, with llama.cpp's two twists: \\s means the
Unicode White_Space set (not 0x1C..0x1F), and regexes without \\p{..} see
non-ASCII whitespace as U+000B. Random multilingual strings (code points
assigned since Unicode 14 at the latest, so both table versions agree) are
split by both and compared piece by piece.

Usage: pretokenizer_oracle.py PRETOKENIZE_DUMP PRE_TOKENIZER_CPP [SEED]
Exit 77 (skipped) when the `regex` module is not installed.
"""
import os
import random
import re
import subprocess
import sys
import tempfile
import unicodedata

try:
    import regex
except ImportError:
    print("SKIP: python module 'regex' is not installed")
    sys.exit(77)

dump, source = sys.argv[1], sys.argv[2]
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

WS = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
S, NS = "[" + WS + "]", "[^" + WS + "]"


def fix(p):
    return p.replace(r"[^\s", "[^" + WS).replace(r"\s", S).replace(r"\S", NS)


def deepseek_letters():
    text = open(source, encoding="utf-8").read()
    start = text.index("kDeepseekLetters = {{")
    block = text[start:text.index("}};", start)]
    pairs = re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+)\}", block)
    return "".join("\\U%08x-\\U%08x" % (int(a, 16), int(b, 16)) for a, b in pairs)


GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"
LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
TEKKEN = (r"[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+"
          r"|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*"
          r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
BLOOM = " ?[^(" + WS + "|.,!?\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c)]+"   # \\s spelled out inside the class
CJK = "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+"
PRE = {
    "gpt-2": [GPT2],
    "llama-bpe": [LLAMA3],
    "qwen2": [QWEN2],
    "tekken": [TEKKEN],
    "bloom": [BLOOM],
    "viking": [BLOOM, r"\p{N}"],
    "starcoder": [r"\p{N}", GPT2],
    "falcon": [r"[\p{P}\$\+<=>\^~\|`]+", GPT2, "[0-9][0-9][0-9]"],
    "default": [r"[\p{P}\$\+<=>\^~\|]+", GPT2, r"\p{N}+", "[0-9][0-9][0-9]"],
    "deepseek-coder": ["[\r\n]", r"\s?\p{L}+", r"\s?\p{P}+", CJK, r"\p{N}"],
    "deepseek-llm": ["[\r\n]", r"\s?[" + deepseek_letters() + "]+",
                     "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+", r"\s+$", CJK, r"\p{N}+"],
}


def split(patterns, text):
    pieces = [text]
    for p in patterns:
        r = regex.compile(fix(p))
        wide = "\\p{" not in p
        out = []
        for f in pieces:
            g = "".join("\x0b" if ord(c) > 0x7F and regex.match(S, c) else c for c in f) if wide else f
            last = 0
            for m in r.finditer(g):
                if m.start() > last:
                    out.append(f[last:m.start()])
                out.append(f[m.start():m.end()])
                last = m.end()
            if last < len(f):
                out.append(f[last:])
        pieces = out
    return pieces


ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x52F), (0x591, 0x5F4), (0x600, 0x6FF), (0x900, 0x97F),
          (0xE00, 0xE7F), (0x1780, 0x17FF), (0x1F00, 0x1FFF), (0x2000, 0x21FF), (0x2C00, 0x2CFF), (0x3000, 0x30FF),
          (0x4E00, 0x4E80), (0xAC00, 0xAC80), (0xFF00, 0xFFEF), (0x10400, 0x1044F), (0x1D400, 0x1D4FF),
          (0x1F300, 0x1F64F)]
pool = [chr(c) for a, b in ranges for c in range(a, b + 1) if unicodedata.category(chr(c)) not in ("Cn", "Cs")]
common = list(" \t\n\r\u00a0\u3000'sS\"tRE0123456789.,;:!?/()|\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c") + ["Hello", "HELLO", "hELLo", "McDonald", "ÀbcDÉF"] + ["'s", "'S", "'re", "'LL", "  ", "\r\n", "   \n"]
samples = ["".join(random.choice(pool) if random.random() < 0.5 else random.choice(common)
                   for _ in range(random.randint(0, 40))) for _ in range(3000)]

with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(b"".join(s.encode("utf-8") + b"\x01" for s in samples))
    corpus = f.name
failed = 0
try:
    for name, patterns in PRE.items():
        lines = subprocess.run([dump, name, corpus], capture_output=True, check=True).stdout.decode().split("\n")
        bad = 0
        for s, line in zip(samples, lines):
            want, pos = [], 0
            for piece in split(patterns, s):
                pos += len(piece.encode("utf-8"))
                want.append(pos)
            got = [int(x) for x in line.split()]
            if got != want:
                bad += 1
                if bad <= 3:
                    b = s.encode("utf-8")
                    print(f"{name}: {s!r}")
                    print("  regex:", [b[x:y].decode("utf-8", "replace") for x, y in zip([0] + want, want)])
                    print("  ours: ", [b[x:y].decode("utf-8", "replace") for x, y in zip([0] + got, got)])
        print(f"{name}: {bad} of {len(samples)} strings differ")
        failed += bad
finally:
    os.unlink(corpus)
sys.exit(1 if failed else 0)
