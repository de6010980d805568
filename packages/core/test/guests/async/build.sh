#!/usr/bin/env bash
# Rebuilds the component-model async guest (async.wasm) from async.wit + async.js with
# componentize-qjs (installed at the repo root), using its built-in async runtime.
# The output is committed so tests need no toolchain. streams.wat needs no build:
# tests and the bench assemble it with jco `parse`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../../.." && pwd)"
qjs="$root/node_modules/.bin/componentize-qjs"
"$qjs" --stub-wasi --wit "$here/async.wit" --js "$here/async.js" -o "$here/async.wasm" >/dev/null
echo "built $here/async.wasm ($(wc -c <"$here/async.wasm") bytes)"
