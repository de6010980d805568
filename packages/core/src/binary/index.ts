export { type DecodeOptions, decodeComponent } from './decode.ts';
export { Reader } from './reader.ts';
export type * from './ir.ts';
