// @weft/wasi-cli: wasi:cli@0.3.0 over @weft/wasi-io's byte streams.

export { type CliHost, type CliImports, createCli, createCliHost } from './cli.ts';
export { resolveCliOptions } from './resolve.ts';
export type { CliOptions, OutputOption, ResolvedCli, StdinOption } from './types.ts';
export { findRunExport, runCommand, type RunCommandOptions } from './run.ts';
export { findWasiExit, WasiExit } from './exit.ts';
// From @weft/wasi-io: the sink and source types of the options, and the sink embedders capture output with.
export { type ByteSink, type ByteSource, CaptureSink } from '@weft/wasi-io';
