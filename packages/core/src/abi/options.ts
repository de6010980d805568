// Canonical ABI options of one `canon lift` / `canon lower` (definitions.py CanonicalOptions).

import type { ComponentInstance } from '../runtime/component-instance.ts';

export type StringEncoding = 'utf8' | 'utf16' | 'latin1+utf16';

export interface CanonOptions {
  /** The instance whose code is lifted or which does the lowering. */
  instance: ComponentInstance;
  stringEncoding: StringEncoding;
  memory?: WebAssembly.Memory;
  realloc?: (oldPtr: number, oldSize: number, align: number, newSize: number) => number;
  postReturn?: (...flat: any[]) => void;
  /** Async ABI (not yet supported: calls trap). */
  async?: boolean;
  callback?: Function;
}
