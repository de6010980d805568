#!/bin/sh
# Rebuilds ../qjs-hello.wasm (componentize-qjs from the workspace's devDependencies).
set -e
cd "$(dirname "$0")"
componentize-qjs --wit hello.wit --js hello.js -n hello -o ../qjs-hello.wasm
