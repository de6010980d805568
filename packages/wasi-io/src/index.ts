// @weft/wasi-io: the byte-stream layer every WASI host package builds on. The Node entry is the
// browser entry's API (browser.ts) plus the adapters that build or read node:stream classes.

export * from './browser.ts';
export { type FromNodeReadableOptions, fromNodeReadable, toNodeReadable, toNodeWritable } from './node.ts';
