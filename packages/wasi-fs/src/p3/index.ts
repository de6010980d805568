// wasi:filesystem@0.3.0 `types` and `preopens` over Backends. No Node APIs here: with
// MemoryBackend (or your own) it runs in browsers.

import type { Preopen } from '../preopens.ts';
import { Descriptor } from './descriptor.ts';
import { OpenFile } from '../open-file.ts';

export { type Advice, Descriptor } from './descriptor.ts';
export type { DescriptorStatP3, DescriptorTypeP3, ErrorCodeP3 } from './convert.ts';
export type { FileSource } from './streams.ts';

/** The version the keys carry; the linker's semver matching serves any 0.3.x import from them. */
const V = '0.3.0';

export type FilesystemImports = {
  'wasi:filesystem/types@0.3.0': { Descriptor: typeof Descriptor };
  'wasi:filesystem/preopens@0.3.0': { getDirectories(): [Descriptor, string][] };
};

/**
 * The wasi:filesystem@0.3.0 import entries serving `preopens`. Each `get-directories` call
 * hands out fresh descriptors of the preopens' roots, in list order.
 */
export function filesystemP3(preopens: readonly Preopen[]): FilesystemImports {
  const list = preopens.slice();
  return {
    [`wasi:filesystem/types@${V}`]: { Descriptor },
    [`wasi:filesystem/preopens@${V}`]: {
      getDirectories: () =>
        list.map(({ guestPath, backend }): [Descriptor, string] => [
          new Descriptor(new OpenFile(backend, backend.root())),
          guestPath,
        ]),
    },
  };
}
