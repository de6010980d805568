// @weft/wasi-io: the byte-stream layer every WASI host package builds on.

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
  type FromNodeReadableOptions,
  fromNodeReadable,
  type NodeSink,
  nodeSink,
  type NodeSinkOptions,
  type NodeWritableLike,
  pipeToNodeWritable,
  type PipeToNodeOptions,
  toNodeReadable,
  toNodeWritable,
} from './node.ts';
