// LiftLowerContext: one per `canon lift`/`canon lower`, holding the options,
// a cached view of linear memory (re-made only when memory.buffer changes,
// i.e. after growth) and the per-call state that lifting/lowering needs.

import { running } from '../runtime/store.ts';
import { SyncFrame } from '../runtime/thread.ts';
import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from '../runtime/component-instance.ts';
import type { ResourceHandle } from '../runtime/handle.ts';
import type { FuncType, ValType } from '../types/model.ts';
import type { CanonOptions, StringEncoding } from './options.ts';
import { hostSize } from './host-size.ts';

/** definitions.py Task.num_borrows: borrow handles lent to a callee for one call. */
export interface BorrowScope {
  numBorrows: number;
}

/** A guest-resource wrapper lent to the host for the duration of one call. */
export interface Expirable {
  state: string;
}

const EMPTY = new ArrayBuffer(0);
// Zero-length views nothing can write through: every context starts from these.
const EMPTY_DV = new DataView(EMPTY);
const EMPTY_U8 = new Uint8Array(EMPTY);
const NO_FLAT: ArrayLike<unknown> = Object.freeze([]);

/** The views of one memory's current buffer, shared by every context over that memory. */
interface MemoryViews {
  buffer: ArrayBufferLike;
  dv: DataView;
  u8: Uint8Array;
}
const memoryViews = new WeakMap<WebAssembly.Memory, MemoryViews>();

/** realloc's function type: (old, old-size, align, new-size) -> ptr, sync. */
const REALLOC_TYPE = {
  params: ['old', 'old-size', 'align', 'new-size'].map((name) => ({ name, type: { kind: 'u32' } })),
  result: { kind: 'u32' },
  async: false,
} as unknown as FuncType;

export class LiftLowerContext {
  readonly opts: CanonOptions;
  readonly inst: ComponentInstance;
  readonly encoding: StringEncoding;
  readonly memory: WebAssembly.Memory | undefined;
  buffer: ArrayBufferLike = EMPTY;
  dv: DataView = EMPTY_DV;
  u8: Uint8Array = EMPTY_U8;
  /**
   * The other side of the call is a guest (a fused adapter in wasmtime's
   * terms); only changes the wording of some traps to match wasmtime's.
   */
  fused = false;
  /** Callee-side borrow scope of the current lifted call (created on first borrow). */
  borrowScope: BorrowScope | undefined = undefined;
  /** Caller-side lenders of the current lowered call (Subtask.lenders). */
  lenders: ResourceHandle[] | undefined = undefined;
  /** Wrappers handed to the host for borrows; invalidated when the call returns. */
  lent: Expirable[] | undefined = undefined;
  /** Flat-value iterator (CoreValueIter) used by liftFlat. */
  flat: ArrayLike<unknown> = NO_FLAT;
  fi = 0;
  private shared = false;
  /**
   * Host bytes one lift may create (the store's `maxLiftBytes`, instantiate
   * option): the lists, maps and strings of a call's results or parameters,
   * or of one stream/future copy, each counted as it is lifted, aliases too.
   */
  readonly maxLiftBytes: number;
  /** What the current lift may still create; reset by refresh(), which every lift site calls first. */
  liftBudget: number;

  constructor(opts: CanonOptions) {
    this.opts = opts;
    this.inst = opts.instance;
    this.encoding = opts.stringEncoding ?? 'utf8';
    this.memory = opts.memory;
    this.maxLiftBytes = this.inst.store.maxLiftBytes;
    this.liftBudget = this.maxLiftBytes;
    // Contexts made per call or per copy start from the views already made for this memory
    // (refresh() still re-derives them once the buffer detaches, or always for shared memory).
    const v = opts.memory === undefined ? undefined : memoryViews.get(opts.memory);
    if (v !== undefined) {
      this.buffer = v.buffer;
      this.dv = v.dv;
      this.u8 = v.u8;
      this.shared = !(v.buffer instanceof ArrayBuffer);
    }
  }

  /**
   * Counts `bytes` of host memory about to be created by this lift, before it
   * is: past the budget, a trap naming the limit (the instance is poisoned).
   */
  charge(bytes: number): void {
    if ((this.liftBudget -= bytes) < 0) this.liftLimitExceeded();
  }

  /** charge() for `n` lifted values of type `t` in a JS array (a stream or future copy). */
  chargeValues(t: ValType, n: number): void {
    this.charge(n * hostSize(t));
  }

  private liftLimitExceeded(): never {
    throw new Trap(`lifted values exceed the limit of ${this.maxLiftBytes} bytes (instantiate option maxLiftBytes)`);
  }

  /** strings.ts's Node Buffer view over `buffer`, and the buffer it views. */
  nodeBuffer: unknown = undefined;
  nodeBufferOf: ArrayBufferLike | undefined = undefined;

  /**
   * Re-derive the views if memory grew. Growing a non-shared memory detaches
   * its old buffer (byteLength 0), which is much cheaper to test than reading
   * `memory.buffer` on every call; shared buffers never detach, so ask those.
   * Callers refresh once before each lift (and lower), so this also starts
   * a fresh lift budget.
   */
  refresh(): void {
    this.liftBudget = this.maxLiftBytes;
    const m = this.memory;
    if (m === undefined) return;
    if (this.buffer.byteLength !== 0 && !this.shared) return;
    const b = m.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.shared = !(b instanceof ArrayBuffer);
      const v = memoryViews.get(m);
      if (v !== undefined && v.buffer === b) {
        this.dv = v.dv;
        this.u8 = v.u8;
      } else {
        this.dv = new DataView(b);
        this.u8 = new Uint8Array(b);
        memoryViews.set(m, { buffer: b, dv: this.dv, u8: this.u8 });
      }
    }
  }

  needMemory(): void {
    if (this.memory === undefined) throw new Trap('canonical ABI needs a memory but none was given');
    this.refresh();
  }

  /** realloc's own task and thread, made only if it calls a built-in (reused: realloc cannot re-enter). */
  private reallocFrame: SyncFrame | undefined = undefined;

  /**
   * LiftLowerContext.reallocate: guest realloc with may_leave cleared, as a
   * sync call on a fresh thread of this instance (component-model #680): its
   * context.get/set slots start at 0 and the caller's are untouched.
   */
  reallocate(old: number, oldSize: number, align: number, newSize: number): number {
    const realloc = this.opts.realloc;
    if (realloc === undefined) throw new Trap('canonical ABI needs realloc but none was given');
    const inst = this.inst;
    const frame = (this.reallocFrame ??= new SyncFrame(REALLOC_TYPE, { instance: inst } as CanonOptions));
    const prev = running.current;
    running.current = frame;
    inst.mayLeave = false;
    let ptr: number;
    try {
      ptr = realloc(old, oldSize, align, newSize) >>> 0;
    } finally {
      inst.mayLeave = true;
      frame.release();
      running.current = prev;
    }
    this.refresh();
    return ptr;
  }

  /**
   * allocate + the bounds/alignment checks every caller of allocate does,
   * worded like wasmtime (host lowering vs. guest-to-guest adapter).
   */
  allocChecked(align: number, size: number, what: 'string' | 'list'): number {
    return this.reallocChecked(0, 0, align, size, what);
  }

  reallocChecked(old: number, oldSize: number, align: number, size: number, what: 'string' | 'list'): number {
    const ptr = this.reallocate(old, oldSize, align, size);
    this.checkRange(ptr, align, size, what);
    return ptr;
  }

  checkRange(ptr: number, align: number, size: number, what: 'string' | 'list'): void {
    if ((ptr & (align - 1)) !== 0) {
      throw new Trap(this.fused ? 'unaligned pointer' : 'realloc return: result not aligned');
    }
    if (ptr + size > this.buffer.byteLength) {
      throw new Trap(this.fused ? `${what} content out-of-bounds` : 'realloc return: beyond end of memory');
    }
  }

  /** Checks of a pointer the guest passed us (argptr/retptr/list/string). */
  checkGuestRange(ptr: number, align: number, size: number, what: 'string' | 'list' | 'pointer'): void {
    if ((ptr & (align - 1)) !== 0) throw new Trap('unaligned pointer');
    if (ptr + size > this.buffer.byteLength) {
      if (what === 'pointer') throw new Trap('pointer out of bounds of memory');
      throw new Trap(this.fused ? `${what} content out-of-bounds` : `${what} pointer/length out of bounds of memory`);
    }
  }
}
