// The browser entry of @weft/wasi-io (the `browser` export condition): the whole API but the
// Node stream adapters (toNodeReadable and toNodeWritable build node:stream classes;
// fromNodeReadable's types are Node's). The duck-typed sinks stay: they touch no Node API
// themselves, and @weft/wasi-cli's option handling uses them.

export { BrokenPipeError, type ByteChunk, isBrokenPipe } from './bytes.ts';
export {
  type ByteSink,
  type ByteSource,
  CaptureSink,
  discardSink,
  type SinkLike,
  type SyncReadable,
  toSink,
} from './sink.ts';
export {
  byteStream,
  type ByteProducer,
  type EndReason,
  fromAsyncIterable,
  pipeToSink,
  type PipeToSinkOptions,
  pump,
  type PumpOptions,
  type SourceOptions,
  type TransferResult,
} from './pump.ts';
export { fromBytes, fromGenerator } from './virtual.ts';
export { type Pipe, type PipeOptions, type PipeWriter, pipe } from './pipe.ts';
export { fromReadableStream, toReadableStream, toWritableStream, webSink } from './web.ts';
export {
  fdSink,
  type FdWriter,
  type NodeSink,
  nodeSink,
  type NodeSinkOptions,
  type NodeWritableLike,
  pipeToNodeWritable,
  type PipeToNodeOptions,
} from './node.ts';
