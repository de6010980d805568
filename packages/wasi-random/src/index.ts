export {
  createRandom,
  cryptoFill,
  DEFAULT_MAX_BYTES,
  type InsecureHost,
  type InsecureSeedHost,
  type RandomHost,
  type RandomImports,
  type RandomOptions,
} from './host.ts';
export { seedWords, Xoshiro128 } from './prng.ts';
