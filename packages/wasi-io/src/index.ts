export { BrokenPipeError, type ByteChunk, concat, isBrokenPipe, toBytes } from './bytes.ts';
export { FutureReader, FutureWriter, future, StreamReader, StreamWriter, stream } from './core.ts';
export {
  byteStream,
  type ByteProducer,
  drain,
  type DrainOptions,
  type EndReason,
  fromAsyncIterable,
  isStreamReader,
  pump,
  type PumpOptions,
  type SourceOptions,
  type TransferResult,
} from './pump.ts';
export { type Pipe, type PipeOptions, PipeWriter, pipe } from './pipe.ts';
export {
  BufferSink,
  bufferSink,
  type ByteSink,
  type ByteSource,
  bytesSource,
  callbackSink,
  emptySource,
  fromWritableStream,
  nullSink,
  pipeToSink,
  type PipeToSinkOptions,
} from './sink.ts';
export { fromReadableStream, pipeToWritableStream, toReadableStream, toWritableStream } from './web.ts';
export {
  type FromNodeReadableOptions,
  fromNodeReadable,
  nodeSink,
  type NodeSinkOptions,
  pipeToNodeWritable,
  type PipeToNodeOptions,
  toNodeReadable,
  toNodeWritable,
} from './node.ts';
export { fromBytes, fromChunks, fromGenerator } from './virtual.ts';
