// HandlerPool's `imports(instanceId, dropped)`: the signal aborts when the pool drops that
// instance, so a host can close what it opened for it (weft serve closes the guest's sockets).

import { describe, expect, it } from 'vitest';
import { HandlerPool } from '../src/index.ts';
import { dec, fakeComponent, fakeOptions, readAll, sleep, textResponse } from './server-helpers.ts';

async function body(pool: HandlerPool): Promise<string> {
  const r = await pool.handle({
    method: 'GET',
    scheme: 'http',
    authority: 'x',
    pathWithQuery: '/',
    headers: [],
    contents: undefined,
    trailers: Promise.resolve(undefined),
  });
  const bytes = await readAll(r.contents);
  await r.trailers;
  return dec.decode(bytes);
}

describe('HandlerPool imports(instanceId, dropped)', { timeout: 10_000 }, () => {
  it('aborts an instance’s signal once the pool drops it (used up), and not before', async () => {
    const signals: AbortSignal[] = [];
    const c = fakeComponent(async (_req, ctx) => textResponse(`i${ctx.instance}`));
    const pool = new HandlerPool(c, {
      ...fakeOptions,
      requestsPerInstance: 2,
      imports: (_id, dropped) => {
        signals.push(dropped);
        return {};
      },
    });
    expect(await body(pool)).toBe('i0');
    expect(signals.length).toBe(1);
    expect(signals[0]!.aborted).toBe(false);
    expect(await body(pool)).toBe('i0');
    // Used up: retired, and dropped once its last request is done.
    expect(await body(pool)).toBe('i1');
    await sleep(20);
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[1]!.aborted).toBe(false);
    await pool.close();
    await sleep(20);
    expect(signals[1]!.aborted).toBe(true);
  });
});
