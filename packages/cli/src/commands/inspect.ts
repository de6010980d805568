// `weft inspect component.wasm`: imports and exports as WIT.

import { UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { printWorld } from '../wit.ts';
import { loadComponent } from './load.ts';

export async function inspectCommand(files: string[], io: Io): Promise<number> {
  if (files.length !== 1) throw new UsageError('weft inspect takes one component file');
  const component = await loadComponent(files[0]!);
  io.out(printWorld(component.type));
  return 0;
}
