export type {
  ByteSink,
  ByteSource,
  CliOptions,
  NodeWritableLike,
  OutputOption,
  ResolvedCli,
  StdinOption,
  SyncReadable,
} from './types.ts';
export { WasiExit, isWasiExit, findWasiExit } from './exit.ts';
export {
  BrokenPipe,
  CaptureSink,
  discardSink,
  fdSink,
  type FdWriter,
  isBrokenPipe,
  nodeWritableSink,
  processFdSink,
  webWritableSink,
  toSink,
} from './sinks.ts';
export { sharedSource } from './sources.ts';
export { resolveCliOptions } from './resolve.ts';
export { createCli, createCliHost, CLI_VERSION, type CliHost } from './cli.ts';
export { runCommand, findRunExport, type RunCommandOptions } from './run.ts';
export { asFuture, pumpToSink, stdinStream, Transfers, type ByteStreamReader } from './stdio.ts';
export { TerminalInput, TerminalOutput } from './terminal.ts';
