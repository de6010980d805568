// wasi:clocks@0.3.0 import objects over a Clock.

import { type Clock, RealClock, VirtualClock } from './clock.ts';

/** `wasi:clocks/system-clock.instant`. */
export interface Instant {
  seconds: bigint;
  nanoseconds: number;
}

export interface ClocksOptions {
  /** Drive every clock from this virtual clock instead of the platform's. */
  virtual?: VirtualClock;
  /** Or any other Clock implementation (takes precedence over `virtual`). */
  clock?: Clock;
  /**
   * Also provide the unstable `wasi:clocks/timezone` (feature `clocks-timezone`),
   * answering for the host's local timezone (or UTC under a virtual clock).
   */
  timezone?: boolean;
}

const NS_PER_S = 1_000_000_000n;
const MAX_U64 = (1n << 64n) - 1n;

/** Splits ns since the epoch into an `instant` (nanoseconds always in 0..1e9-1, also before 1970). */
export function toInstant(ns: bigint): Instant {
  let s = ns / NS_PER_S;
  let r = ns % NS_PER_S;
  if (r < 0n) {
    s -= 1n;
    r += NS_PER_S;
  }
  return { seconds: s, nanoseconds: Number(r) };
}

export function fromInstant(i: Instant): bigint {
  return i.seconds * NS_PER_S + BigInt(i.nanoseconds);
}

export interface MonotonicClockHost {
  now(): bigint;
  getResolution(): bigint;
  /** `undefined` when `when` has passed: the guest's subtask completes at once (RETURNED). */
  waitUntil(when: bigint, signal?: AbortSignal): Promise<void> | undefined;
  waitFor(howLong: bigint, signal?: AbortSignal): Promise<void> | undefined;
}

export interface SystemClockHost {
  now(): Instant;
  getResolution(): bigint;
}

export interface TimezoneHost {
  ianaId(): string | undefined;
  utcOffset(when: Instant): bigint | undefined;
  toDebugString(): string;
}

export function monotonicClock(clock: Clock): MonotonicClockHost {
  return {
    now: () => {
      const t = clock.now();
      if (t < 0n || t > MAX_U64) throw new RangeError('the monotonic clock does not fit in a u64 mark');
      return t;
    },
    getResolution: () => clock.resolution,
    // A wait that is already over answers synchronously, so the async call
    // completes eagerly (as Wasmtime's first poll of a ready future does).
    // An optional trailing AbortSignal lets a runtime that cancels host subtasks stop the timer.
    waitUntil: (when, signal) => (when <= clock.now() ? undefined : clock.waitUntil(when, signal)),
    waitFor: (howLong, signal) => (howLong <= 0n ? undefined : clock.waitUntil(clock.now() + howLong, signal)),
  };
}

export function systemClock(clock: Clock): SystemClockHost {
  return {
    now: () => toInstant(clock.systemNow()),
    getResolution: () => clock.systemResolution,
  };
}

export function timezone(utc: boolean): TimezoneHost {
  const id = utc ? 'UTC' : safeTimeZone();
  return {
    ianaId: () => id,
    utcOffset: (when) => {
      if (utc) return 0n;
      const ms = Number(when.seconds) * 1000 + Math.floor(when.nanoseconds / 1e6);
      const min = new Date(ms).getTimezoneOffset();
      // getTimezoneOffset is UTC minus local; the WIT wants local minus UTC.
      return Number.isNaN(min) ? undefined : BigInt(-min) * 60n * NS_PER_S;
    },
    toDebugString: () => id ?? 'unknown',
  };
}

function safeTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

let shared: RealClock | undefined;

/** The process-wide real clock (one timer serves every host built on it). */
export function realClock(): RealClock {
  return (shared ??= new RealClock());
}

export type ClocksImports = {
  'wasi:clocks/types@0.3.0': Record<string, never>;
  'wasi:clocks/monotonic-clock@0.3.0': MonotonicClockHost;
  'wasi:clocks/system-clock@0.3.0': SystemClockHost;
  'wasi:clocks/timezone@0.3.0'?: TimezoneHost;
};

/** Builds the `wasi:clocks@0.3.0` import object entries. */
export function createClocks(options: ClocksOptions = {}): ClocksImports {
  const clock = options.clock ?? options.virtual ?? realClock();
  const imports: ClocksImports = {
    'wasi:clocks/types@0.3.0': {},
    'wasi:clocks/monotonic-clock@0.3.0': monotonicClock(clock),
    'wasi:clocks/system-clock@0.3.0': systemClock(clock),
  };
  if (options.timezone) imports['wasi:clocks/timezone@0.3.0'] = timezone(clock instanceof VirtualClock);
  return imports;
}
