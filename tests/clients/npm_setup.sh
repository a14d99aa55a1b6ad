#!/bin/sh
# ctest fixture: installs the pinned client packages with `npm ci` into a
# copy in the build folder (the source tree stays clean). Exit 77 (skipped)
# when npm is missing or the registry cannot be reached.
# Usage: npm_setup.sh SOURCE_DIR DEST_DIR
set -u
src=$1
dst=$2
if ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: npm is not installed; the Agents SDK client tests need Node.js 20 and npm"
    exit 77
fi
mkdir -p "$dst" || exit 1
cp "$src/package.json" "$src/package-lock.json" "$src/.npmrc" "$src"/*.mjs "$dst/" || exit 1
cd "$dst" || exit 1
# Reinstall only when the lock file changed.
if [ -f node_modules/.outpost-lock ] && cmp -s package-lock.json node_modules/.outpost-lock; then
    exit 0
fi
if ! npm ci --no-audit --no-fund --ignore-scripts; then
    echo "SKIP: npm ci failed (is the npm registry reachable?)"
    exit 77
fi
cp package-lock.json node_modules/.outpost-lock
