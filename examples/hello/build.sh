#!/usr/bin/env bash
# Rebuilds hello.wasm from hello.js + hello.wit with componentize-qjs (installed at the repo root).
# --sync: plain synchronous canonical ABI; --stub-wasi: no WASI imports, so it runs with an empty import object.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$root/node_modules/.bin/componentize-qjs" --sync --stub-wasi --wit "$here/hello.wit" --js "$here/hello.js" -o "$here/hello.wasm"
echo "built $here/hello.wasm"
