// definitions.py Table: index 0 reserved, free list, bounded length.

import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from '../link/component-instance.ts';

export class Table<T = unknown> {
  static readonly MAX_LENGTH = 2 ** 28 - 1;
  readonly array: (T | undefined)[] = [undefined];
  readonly free: number[] = [];

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
    if (i > Table.MAX_LENGTH) throw new Trap('handle table is full');
    this.array.push(e);
    return i;
  }

  remove(i: number): T {
    const e = this.get(i);
    this.array[i] = undefined;
    this.free.push(i);
    return e;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const e of this.array) if (e !== undefined) yield e;
  }
}

/** The instance's handle table, created on first use. */
export function tableOf(inst: ComponentInstance): Table {
  let t = inst.table as Table | undefined;
  if (t === undefined) {
    t = new Table();
    inst.table = t;
  }
  return t;
}
