import { describe, expect, it } from 'vitest';
import { createClocks, fromInstant, RealClock, toInstant, VirtualClock } from '../src/index.ts';
import { instantiateSleeper } from './sleeper.ts';

const MONO = 'wasi:clocks/monotonic-clock@0.3.0';
const SYS = 'wasi:clocks/system-clock@0.3.0';

describe('system-clock instants', () => {
  it('splits ns into seconds + nanoseconds, also before the epoch', () => {
    expect(toInstant(1_500_000_000n)).toEqual({ seconds: 1n, nanoseconds: 500_000_000 });
    expect(toInstant(-1n)).toEqual({ seconds: -1n, nanoseconds: 999_999_999 });
    expect(toInstant(-1_000_000_000n)).toEqual({ seconds: -1n, nanoseconds: 0 });
    for (const ns of [0n, 7n, -7n, 123_456_789_012n, -123_456_789_012n]) expect(fromInstant(toInstant(ns))).toBe(ns);
  });

  it('reads the real wall clock', () => {
    const sys = createClocks()[SYS];
    const i = sys.now();
    const ms = Number(i.seconds) * 1000 + i.nanoseconds / 1e6;
    expect(Math.abs(ms - Date.now())).toBeLessThan(1000);
    expect(i.nanoseconds).toBeLessThan(1e9);
    expect(sys.getResolution()).toBe(1_000_000n);
  });
});

describe('monotonic-clock (real)', () => {
  it('is non-decreasing bigint ns', () => {
    const mono = createClocks()[MONO];
    const a = mono.now();
    const b = mono.now();
    expect(typeof a).toBe('bigint');
    expect(b >= a).toBe(true);
    expect(mono.getResolution() > 0n).toBe(true);
  });

  it('waitFor waits at least the duration', async () => {
    const mono = createClocks({ clock: new RealClock() })[MONO];
    const t0 = mono.now();
    await mono.waitFor(20_000_000n);
    expect(mono.now() - t0 >= 20_000_000n).toBe(true);
  });

  it('a wait that is already over answers synchronously (the guest subtask completes eagerly)', () => {
    const mono = createClocks()[MONO];
    expect(mono.waitUntil(0n)).toBeUndefined();
    expect(mono.waitUntil(mono.now())).toBeUndefined();
    expect(mono.waitFor(0n)).toBeUndefined();
    expect(mono.waitFor(1_000_000_000n)).toBeInstanceOf(Promise);
  });

  it('keeps one timer for many waits and fires them in deadline order', async () => {
    const clock = new RealClock();
    const order: number[] = [];
    const base = clock.now();
    const ps = [30, 10, 20, 10].map((ms, i) =>
      clock.waitUntil(base + BigInt(ms) * 1_000_000n).then(() => order.push(i)),
    );
    expect(clock.pendingWaits).toBe(4);
    await Promise.all(ps);
    expect(order.slice(0, 2).sort()).toEqual([1, 3]);
    expect(order.slice(2)).toEqual([2, 0]);
    expect(clock.pendingWaits).toBe(0);
  });

  it('clamps huge waits instead of overflowing setTimeout, and aborts them', async () => {
    const clock = new RealClock();
    const ac = new AbortController();
    // 2^64-1 ns is ~584 years: an unclamped setTimeout would fire immediately.
    let fired = false;
    const p = clock.waitFor((1n << 64n) - 1n, ac.signal).then(() => (fired = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.pendingWaits).toBe(0);
  });
});

describe('VirtualClock', () => {
  it('resolves waits only when advanced past their deadline', async () => {
    const vc = new VirtualClock({ start: 100n });
    const mono = createClocks({ virtual: vc })[MONO];
    expect(mono.now()).toBe(100n);
    const done: string[] = [];
    const a = mono.waitFor(50n)!.then(() => done.push('a'));
    const b = mono.waitUntil(120n)!.then(() => done.push('b'));
    expect(vc.pendingWaits).toBe(2);
    expect(vc.nextDeadline).toBe(120n);
    expect(vc.advance(19n)).toBe(0);
    await Promise.resolve();
    expect(done).toEqual([]);
    expect(vc.advance(1n)).toBe(1);
    await b;
    expect(done).toEqual(['b']);
    vc.set(1000n);
    await a;
    expect(done).toEqual(['b', 'a']);
    expect(mono.now()).toBe(1000n);
  });

  it('refuses to go backwards, jumps to the next deadline, aborts', async () => {
    const vc = new VirtualClock();
    expect(() => vc.set(-1n)).toThrow(RangeError);
    expect(() => vc.advance(-1n)).toThrow(RangeError);
    const ac = new AbortController();
    const p = vc.waitFor(10n ** 18n, ac.signal);
    const q = vc.waitFor(5n);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(vc.advanceToNext()).toBe(1);
    await q;
    expect(vc.now()).toBe(5n);
    expect(vc.pendingWaits).toBe(0);
  });

  it('drives the system clock too', () => {
    const vc = new VirtualClock({ systemStart: 1_700_000_000n * 1_000_000_000n });
    const sys = createClocks({ virtual: vc })[SYS];
    expect(sys.now()).toEqual({ seconds: 1_700_000_000n, nanoseconds: 0 });
    vc.advance(1_500_000_000n);
    expect(sys.now()).toEqual({ seconds: 1_700_000_001n, nanoseconds: 500_000_000 });
    vc.setSystem(0n);
    expect(sys.now()).toEqual({ seconds: 0n, nanoseconds: 0 });
  });
});

describe('timezone (unstable, opt-in)', () => {
  it('is absent by default and UTC under a virtual clock', () => {
    expect(createClocks()['wasi:clocks/timezone@0.3.0']).toBeUndefined();
    const tz = createClocks({ virtual: new VirtualClock(), timezone: true })['wasi:clocks/timezone@0.3.0']!;
    expect(tz.ianaId()).toBe('UTC');
    expect(tz.utcOffset({ seconds: 0n, nanoseconds: 0 })).toBe(0n);
  });

  it('answers for the local zone with a sub-day offset', () => {
    const tz = createClocks({ timezone: true })['wasi:clocks/timezone@0.3.0']!;
    const off = tz.utcOffset({ seconds: 1_700_000_000n, nanoseconds: 0 })!;
    expect(off < 86_400_000_000_000n && off > -86_400_000_000_000n).toBe(true);
    expect(typeof tz.toDebugString()).toBe('string');
  });
});

describe('a guest calling wait-for', () => {
  it('sleeps on a virtual clock until the embedder advances it', async () => {
    const vc = new VirtualClock();
    const inst = await instantiateSleeper(createClocks({ virtual: vc }));
    let result: bigint | undefined;
    const p = (inst.exports.sleep as (d: bigint) => Promise<bigint>)(5_000n).then((r) => (result = r));
    await new Promise((r) => setTimeout(r, 5));
    expect(result).toBeUndefined();
    expect(vc.pendingWaits).toBe(1);
    vc.advance(4_999n);
    await new Promise((r) => setTimeout(r, 5));
    expect(result).toBeUndefined();
    vc.advance(1n);
    await p;
    expect(result).toBe(5_000n);
  });

  it('sleeps on the real clock', async () => {
    const inst = await instantiateSleeper(createClocks());
    const elapsed = await (inst.exports.sleep as (d: bigint) => Promise<bigint>)(15_000_000n);
    expect(elapsed >= 15_000_000n).toBe(true);
    expect(elapsed < 2_000_000_000n).toBe(true);
  });
});
