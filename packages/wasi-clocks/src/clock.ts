// The clock behind the wasi:clocks host: a monotonic reading, a wall-clock
// reading and deadline waits. RealClock reads the platform; VirtualClock is
// driven by the embedder (tests, simulations, deterministic replay).

import { abortReason, Deadlines, type Waiter } from './deadlines.ts';

export interface Clock {
  /** Monotonic time in nanoseconds since an arbitrary origin. */
  now(): bigint;
  /** Nominal tick of `now()`, in nanoseconds. */
  readonly resolution: bigint;
  /** Wall-clock time in nanoseconds since 1970-01-01T00:00:00Z (may be negative, may jump). */
  systemNow(): bigint;
  /** Nominal tick of `systemNow()`, in nanoseconds. */
  readonly systemResolution: bigint;
  /** Resolves once `now() >= mark`; rejects with the signal's reason if aborted first. */
  waitUntil(mark: bigint, signal?: AbortSignal): Promise<void>;
}

/** Deadline bookkeeping shared by both clocks; subclasses decide when to fire. */
abstract class WaitingClock implements Clock {
  protected readonly deadlines = new Deadlines();
  abstract now(): bigint;
  abstract readonly resolution: bigint;
  abstract systemNow(): bigint;
  abstract readonly systemResolution: bigint;
  /** Called after the earliest deadline may have changed. */
  protected abstract rearm(): void;

  /** Number of waits not yet resolved. */
  get pendingWaits(): number {
    return this.deadlines.size;
  }

  waitUntil(mark: bigint, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (mark <= this.now()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let w: Waiter;
      if (signal === undefined) {
        w = this.deadlines.push(mark, resolve);
      } else {
        const onAbort = () => {
          this.deadlines.remove(w);
          this.rearm();
          reject(abortReason(signal));
        };
        w = this.deadlines.push(mark, () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
        signal.addEventListener('abort', onAbort, { once: true });
      }
      if (w.index === 0) this.rearm();
    });
  }

  waitFor(duration: bigint, signal?: AbortSignal): Promise<void> {
    return this.waitUntil(this.now() + duration, signal);
  }
}

// setTimeout takes a signed 32-bit millisecond delay; longer ones fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

const hrtime: (() => bigint) | undefined = (globalThis as { process?: { hrtime?: { bigint?: () => bigint } } }).process
  ?.hrtime?.bigint;

/** The platform's clocks: process.hrtime (or performance.now) and Date.now. One timer armed at most. */
export class RealClock extends WaitingClock {
  readonly resolution: bigint = hrtime !== undefined ? 1n : 1000n;
  readonly systemResolution = 1_000_000n;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private armedFor: bigint | undefined = undefined;

  now(): bigint {
    return hrtime !== undefined ? hrtime() : BigInt(Math.round(performance.now() * 1e6));
  }

  systemNow(): bigint {
    return BigInt(Date.now()) * 1_000_000n;
  }

  protected rearm(): void {
    const next = this.deadlines.peek();
    if (next === this.armedFor) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = next;
    if (next === undefined) return;
    // Round up so a timer never fires before its deadline; clamp so huge waits
    // re-arm in steps instead of overflowing setTimeout.
    const ns = next - this.now();
    const ms =
      ns <= 0n ? 0 : ns >= BigInt(MAX_TIMER_MS) * 1_000_000n ? MAX_TIMER_MS : Number((ns + 999_999n) / 1_000_000n);
    this.timer = setTimeout(this.onTimer, ms);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.armedFor = undefined;
    this.deadlines.fire(this.now());
    this.rearm();
  };
}

export interface VirtualClockOptions {
  /** Initial monotonic reading in ns (default 0). */
  start?: bigint;
  /** Initial wall-clock reading in ns since the Unix epoch (default 0, i.e. 1970-01-01). */
  systemStart?: bigint;
  /** Reported resolution of both clocks in ns (default 1). */
  resolution?: bigint;
}

/**
 * A clock the embedder drives: time only moves on `advance` / `set`, and waits
 * resolve when it passes their deadline. The wall clock moves with it and can
 * also be set on its own (it is allowed to jump backwards).
 */
export class VirtualClock extends WaitingClock {
  readonly resolution: bigint;
  readonly systemResolution: bigint;
  private mono: bigint;
  private systemOffset: bigint;

  constructor(options: VirtualClockOptions = {}) {
    super();
    this.mono = options.start ?? 0n;
    this.systemOffset = (options.systemStart ?? 0n) - this.mono;
    this.resolution = this.systemResolution = options.resolution ?? 1n;
  }

  now(): bigint {
    return this.mono;
  }

  systemNow(): bigint {
    return this.mono + this.systemOffset;
  }

  /** The earliest pending wait's deadline, if any (to jump straight to it). */
  get nextDeadline(): bigint | undefined {
    return this.deadlines.peek();
  }

  /** Moves time forward by `ns` and resolves the waits that became due; returns how many. */
  advance(ns: bigint | number): number {
    const d = BigInt(ns);
    if (d < 0n) throw new RangeError('a monotonic clock cannot go backwards');
    return this.set(this.mono + d);
  }

  /** Sets the monotonic reading (never backwards) and resolves due waits; returns how many. */
  set(ns: bigint | number): number {
    const t = BigInt(ns);
    if (t < this.mono) throw new RangeError(`a monotonic clock cannot go backwards (${t} < ${this.mono})`);
    this.mono = t;
    return this.deadlines.fire(t);
  }

  /** Advances to the next pending deadline (if any) and resolves the waits due then. */
  advanceToNext(): number {
    const next = this.deadlines.peek();
    return next === undefined ? 0 : this.set(next);
  }

  /** Sets the wall clock (ns since the epoch) without moving monotonic time. */
  setSystem(ns: bigint | number): void {
    this.systemOffset = BigInt(ns) - this.mono;
  }

  protected rearm(): void {
    // nothing to arm: waits fire from advance() / set()
  }
}
