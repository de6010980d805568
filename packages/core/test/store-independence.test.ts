// Each top-level instantiation has its own Store (definitions.py inst.store):
// a sync call blocked in one never pauses another, a deadlock in one is found
// while another waits on the host, and options never cross between them.
import { describe, expect, it } from 'vitest';
import { HAS_JSPI, holdHost, stream, type StreamReader, type ValType } from '../src/index.ts';
import { CALLBACK, STREAM_PRODUCE, STREAM_SUM, SYNC_CALLS_HOST } from './helpers/guests.ts';
import { compile } from './helpers/wat.ts';
import { within } from './helpers/within.ts';

const U8: ValType = { kind: 'u8' };

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const later = <T>(v: T, ms = 5) => new Promise<T>((r) => setTimeout(() => r(v), ms));

/** Fails clearly (rather than by the test timeout) if `p` is still pending after `ms`. */
/** Tracks whether a Promise has settled. */
function track<T>(p: Promise<T>) {
  const s = { settled: false, p };
  p.then(
    () => (s.settled = true),
    () => (s.settled = true),
  );
  return s;
}

async function readAll(r: StreamReader<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const c of r) out.push(...(c as Uint8Array));
  return out;
}

const components = Promise.all([
  compile(SYNC_CALLS_HOST),
  compile(CALLBACK),
  compile(STREAM_SUM),
  compile(STREAM_PRODUCE),
]);

/**
 * Another instantiation (or several) answering sync calls, async calls and
 * host↔guest stream<u8> transfers; `jspi` as its option.
 */
async function otherStoreWorks(jspi: boolean, isBlocked: () => boolean): Promise<void> {
  const [syncCalls, callback, sum, produce] = await components;
  // The same component as the blocked one: a sync call whose host answers at once.
  const same = await syncCalls.instantiate({ get: (x: number) => x * 2 }, { jspi });
  expect(same.exports.run(4)).toBe(9);
  if (jspi && HAS_JSPI) {
    // The same component, blocked in a sync call of its own on a (fast) host Promise:
    // its store's scheduler resumes it while the other store's sync call is still blocked.
    const suspends = await syncCalls.instantiate(
      { get: (x: number) => later(x * 10) },
      { hostImportsMaySuspend: true, jspi },
    );
    const r = suspends.exports.run(4);
    expect(r).toBeInstanceOf(Promise);
    expect(await within(r, 2000, 'a sync call of another store')).toBe(41);
  }
  // Another component: async calls on a host subtask.
  const cb = await callback.instantiate({ get: () => later(7) }, { jspi });
  expect(await within(cb.exports.run(1), 2000, 'an async call')).toBe(8);
  expect(await within(cb.exports.run(2), 2000, 'a second async call')).toBe(9);
  // host → guest stream<u8>, written by a host StreamWriter.
  const summer = await sum.instantiate({}, { jspi });
  const { writer: w, reader: r } = stream<number>(U8);
  const total = summer.exports.sum(r);
  expect(await w.write(Uint8Array.of(1, 2, 3))).toBe(3);
  expect(await w.write(Uint8Array.of(4))).toBe(1);
  w.close();
  expect(await within(total, 2000, 'a host → guest stream')).toBe(10);
  // guest → host stream<u8>.
  const producer = await produce.instantiate({}, { jspi });
  const out = await within<StreamReader<number>>(producer.exports.produce(), 2000, 'a guest → host stream');
  expect(await within(readAll(out), 2000, 'reading a guest → host stream')).toEqual([1, 2, 3, 4, 5]);
  expect(isBlocked()).toBe(true);
}

describe('stores: a sync call blocked in one instantiation', () => {
  for (const jspi of [true, false]) {
    it.runIf(HAS_JSPI)(
      `never pauses another (the other ${jspi ? 'with' : 'without'} JSPI): sync calls, async calls, streams`,
      async () => {
        const [syncCalls] = await components;
        const slow = deferred<number>();
        const a = await syncCalls.instantiate({ get: () => slow.promise }, { hostImportsMaySuspend: true });
        const blocked = a.exports.run(1);
        expect(blocked).toBeInstanceOf(Promise);
        const t = track(blocked as Promise<number>);
        await otherStoreWorks(jspi, () => !t.settled);
        slow.resolve(10);
        expect(await blocked).toBe(11);
      },
    );
  }
});

describe('stores: an export of one instantiation imported by another', () => {
  it.runIf(HAS_JSPI)('waits across stores (host work to each) while a third keeps running', async () => {
    const [syncCalls, callback] = await components;
    const slow = deferred<number>();
    const b = await syncCalls.instantiate({ get: () => slow.promise }, { hostImportsMaySuspend: true });
    // c's sync import `get` is b's sync export `run`: c blocks while b waits on the host.
    const c = await syncCalls.instantiate({ get: b.exports.run });
    const r = c.exports.run(1);
    expect(r).toBeInstanceOf(Promise);
    const t = track(r as Promise<number>);
    const d = await callback.instantiate({ get: () => later(1) });
    expect(await within(d.exports.run(1), 2000, 'a third store')).toBe(2);
    await later(0, 20);
    // Neither store took the other's pending work for a deadlock.
    expect(t.settled).toBe(false);
    slow.resolve(10);
    expect(await within(t.p, 2000, 'the cross-store call')).toBe(12);
    // Once b is done waiting, calls through c complete (b answers at once now).
    const b2 = await syncCalls.instantiate({ get: (x: number) => x });
    const c2 = await syncCalls.instantiate({ get: b2.exports.run });
    expect(await c2.exports.run(5)).toBe(7);
  });
});

describe('stores: without JSPI (callback ABI)', () => {
  const noJspi = { jspi: false };

  it('an instance waiting on a slow host subtask never holds up another', async () => {
    const [, callback] = await components;
    const slow = deferred<number>();
    const a = await callback.instantiate({ get: () => slow.promise }, noJspi);
    const t = track(a.exports.run(1) as Promise<number>);
    await otherStoreWorks(false, () => !t.settled);
    slow.resolve(5);
    expect(await t.p).toBe(6);
  });

  it('a deadlock in one store is found while another waits on the host; holds are per store', async () => {
    const [, callback, sum] = await components;
    const slow = deferred<number>();
    const a = await callback.instantiate({ get: () => slow.promise }, noJspi);
    const t = track(a.exports.run(1) as Promise<number>);
    // A guest reading a stream nobody will write: deadlocked, though another store waits on host work.
    const stuck = await sum.instantiate({}, noJspi);
    const { writer: w0, reader: r0 } = stream<number>(U8);
    await expect(within(stuck.exports.sum(r0), 2000, 'deadlock detection')).rejects.toThrow(/deadlock/);
    w0.close();
    // holdHost(end): the writer's store (once its reader is in a guest) is not deadlocked while held.
    const held = await sum.instantiate({}, noJspi);
    const { writer: w1, reader: r1 } = stream<number>(U8);
    const release1 = holdHost(w1);
    const total1 = track(held.exports.sum(r1) as Promise<number>);
    await later(0, 20);
    expect(total1.settled).toBe(false);
    await w1.write(Uint8Array.of(2, 3));
    w1.close();
    release1();
    expect(await within(total1.p, 2000, 'a held stream')).toBe(5);
    // holdHost(instance): that store only.
    const heldInst = await sum.instantiate({}, noJspi);
    const other = await sum.instantiate({}, noJspi);
    const release2 = holdHost(heldInst);
    const { writer: w2, reader: r2 } = stream<number>(U8);
    const { writer: w3, reader: r3 } = stream<number>(U8);
    const total2 = track(heldInst.exports.sum(r2) as Promise<number>);
    await expect(within(other.exports.sum(r3), 2000, 'deadlock detection beside a held store')).rejects.toThrow(
      /deadlock/,
    );
    expect(total2.settled).toBe(false);
    await w2.write(Uint8Array.of(7));
    w2.close();
    w3.close();
    release2();
    expect(await within(total2.p, 2000, 'a held instance')).toBe(7);
    expect(t.settled).toBe(false);
    slow.resolve(1);
    expect(await t.p).toBe(2);
  });
});

describe('stores: options of one instantiation never reach another', () => {
  it('hostImportsMaySuspend', async () => {
    const [syncCalls] = await components;
    const get = async (x: number) => later(x * 10);
    const before = await syncCalls.instantiate({ get });
    // Made at once, with different options.
    const [opted, plain] = await Promise.all([
      syncCalls.instantiate({ get }, { hostImportsMaySuspend: true }),
      syncCalls.instantiate({ get }),
    ]);
    const after = await syncCalls.instantiate({ get });
    const notOpted = HAS_JSPI ? /hostImportsMaySuspend/ : /JSPI/;
    for (const inst of [before, plain, after]) {
      await expect((async () => inst.exports.run(1))()).rejects.toThrow(notOpted);
    }
    if (HAS_JSPI) expect(await opted.exports.run(4)).toBe(41);
    else await expect((async () => opted.exports.run(1))()).rejects.toThrow(/requires JSPI/);
  });

  it.runIf(HAS_JSPI)('jspi: false', async () => {
    const [syncCalls, callback] = await components;
    const get = async (x: number) => later(x * 10);
    const maySuspend = { hostImportsMaySuspend: true };
    const before = await syncCalls.instantiate({ get }, maySuspend);
    const [off, on] = await Promise.all([
      syncCalls.instantiate({ get }, { ...maySuspend, jspi: false }),
      syncCalls.instantiate({ get }, maySuspend),
    ]);
    const after = await syncCalls.instantiate({ get }, maySuspend);
    await expect((async () => off.exports.run(1))()).rejects.toThrow(/requires JSPI.*jspi: false/);
    for (const inst of [before, on, after]) expect(await inst.exports.run(4)).toBe(41);
    // A callback-ABI instance without JSPI beside them works as on an engine without it.
    const cb = await callback.instantiate({ get: () => later(3) }, { jspi: false });
    expect(await cb.exports.run(1)).toBe(4);
    expect(await after.exports.run(2)).toBe(21);
  });
});
