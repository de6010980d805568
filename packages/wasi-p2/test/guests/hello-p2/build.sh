#!/usr/bin/env bash
# Rebuilds the WASI 0.2 test guests from hello.js + wit/ with componentize-qjs
# (installed at the repo root). No --stub-wasi: the components import WASI 0.2
# through QuickJS's libc. Outputs are committed so tests need no toolchain.
#   hello-p2-sync.wasm  --sync: plain synchronous canonical ABI
#   hello-p2.wasm       the default runtime (component-model async ABI)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../../.." && pwd)"
qjs="$root/node_modules/.bin/componentize-qjs"
cd "$here"
"$qjs" --sync --wit wit --js hello.js -o hello-p2-sync.wasm >/dev/null
echo "built hello-p2-sync.wasm ($(wc -c <hello-p2-sync.wasm) bytes)"
"$qjs" --wit wit --js hello.js -o hello-p2.wasm >/dev/null
echo "built hello-p2.wasm ($(wc -c <hello-p2.wasm) bytes)"
