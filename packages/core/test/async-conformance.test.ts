import { describe, expect, it } from 'vitest';
import { HAS_JSPI } from '../src/index.ts';
import { SYNC_CALLS_HOST } from './helpers/guests.ts';
import { instantiate } from './helpers/wat.ts';

const later = <T>(v: T, ms = 5) => new Promise<T>((r) => setTimeout(() => r(v), ms));

describe('a sync-lowered host import that returns a Promise', () => {
  const maySuspend = { hostImportsMaySuspend: true };

  it.runIf(HAS_JSPI)('suspends the guest until it settles; the export returns a Promise', async () => {
    const inst: any = await instantiate(SYNC_CALLS_HOST, { get: async (x: number) => later(x * 10) }, maySuspend);
    const r = inst.exports.run(4);
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe(41);
    // A host function that answers synchronously keeps the export synchronous.
    const sync: any = await instantiate(SYNC_CALLS_HOST, { get: (x: number) => x * 2 }, maySuspend);
    expect(sync.exports.run(4)).toBe(9);
    // Several calls one after another, each waiting on the host.
    for (let i = 0; i < 3; i++) expect(await inst.exports.run(i)).toBe(i * 10 + 1);
  });

  it.runIf(HAS_JSPI)('a rejected Promise traps the guest', async () => {
    const inst: any = await instantiate(
      SYNC_CALLS_HOST,
      {
        get: async () => {
          await later(0);
          throw new Error('host failed');
        },
      },
      maySuspend,
    );
    await expect(inst.exports.run(1)).rejects.toThrow(/host failed/);
  });

  it('traps, naming the opt-in, when the instance does not run on JSPI', async () => {
    const inst: any = await instantiate(SYNC_CALLS_HOST, { get: async (x: number) => x });
    const call = async () => inst.exports.run(1);
    await expect(call()).rejects.toThrow(HAS_JSPI ? /hostImportsMaySuspend/ : /JSPI/);
  });

  it('traps, naming JSPI, on an engine without it (or with jspi: false)', async () => {
    const inst: any = await instantiate(
      SYNC_CALLS_HOST,
      { get: async (x: number) => x },
      { ...maySuspend, jspi: false },
    );
    const call = async () => inst.exports.run(1);
    await expect(call()).rejects.toThrow(/requires JSPI/);
  });
});
