#!/usr/bin/env bash
# Rebuilds every guest component under this folder (and examples/hello) from source with
# componentize-qjs, installed at the repo root. Outputs are committed so tests need no toolchain.
#   --sync       plain synchronous canonical ABI (no component-model async runtime)
#   --stub-wasi  WASI imports replaced by trapping stubs, so the component imports nothing
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
qjs="$root/node_modules/.bin/componentize-qjs"

build() { # <dir> <name>
  "$qjs" --sync --stub-wasi --wit "$1/$2.wit" --js "$1/$2.js" -o "$1/$2.wasm" >/dev/null
  echo "built $1/$2.wasm ($(wc -c <"$1/$2.wasm") bytes)"
}

build "$here/values" values
build "$root/examples/hello" hello
"$here/async/build.sh"
