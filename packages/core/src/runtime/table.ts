// definitions.py Table: index 0 reserved, free list, bounded length.

import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from './component-instance.ts';

export class Table<T = unknown> {
  static readonly MAX_LENGTH = 2 ** 28 - 1;
  readonly array: (T | undefined)[] = [undefined];
  readonly free: number[] = [];
  /** At most MAX_LENGTH; an embedder's lower cap bounds the host memory a leaking guest can pin. */
  readonly limit: number;

  constructor(limit: number = Table.MAX_LENGTH) {
    this.limit = Math.min(limit, Table.MAX_LENGTH);
  }

  get(i: number): T {
    const e = i < this.array.length ? this.array[i] : undefined;
    if (e === undefined) throw new Trap(`unknown handle index ${i}`);
    return e;
  }

  /** Without trapping: the entry or undefined. */
  peek(i: number): T | undefined {
    return i < this.array.length ? this.array[i] : undefined;
  }

  add(e: T): number {
    const free = this.free;
    if (free.length > 0) {
      const i = free.pop()!;
      this.array[i] = e;
      return i;
    }
    const i = this.array.length;
    if (i > this.limit) throw new Trap('handle table is full');
    this.array.push(e);
    return i;
  }

  remove(i: number): T {
    const e = this.get(i);
    this.array[i] = undefined;
    this.free.push(i);
    return e;
  }

  /** No live entries. */
  empty(): boolean {
    return this.array.length - 1 === this.free.length;
  }

  /** Back to new: no entries, indices from 1 again (link/reset.ts). */
  clear(): void {
    this.array.length = 1;
    this.free.length = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const e of this.array) if (e !== undefined) yield e;
  }
}

/** The instance's handle table, created on first use. */
export function tableOf(inst: ComponentInstance): Table {
  let t = inst.table;
  if (t === undefined) {
    t = new Table(inst.maxHandles);
    inst.table = t;
  }
  return t;
}
