// The instance pool with fake components (JS handle functions): reuse, limits, failures,
// deadlines and closing. The same pool with real guests is in server-guests.test.ts.

import { describe, expect, it } from 'vitest';
import { type HostResponse, HttpError } from '../src/host.ts';
import { DeadlineError, describeError, HandlerPool, PoolClosedError } from '../src/index.ts';
import { dec, fakeComponent, fakeOptions, readAll, sleep, textResponse } from './server-helpers.ts';

/** A gate: requests wait on `wait()` until `open()`. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { wait: () => p, open };
}

async function body(pool: HandlerPool, path = '/'): Promise<string> {
  const r = await pool.handle({
    method: 'GET',
    scheme: 'http',
    authority: 'x',
    pathWithQuery: path,
    headers: [],
    contents: undefined,
    trailers: Promise.resolve(undefined),
  });
  const bytes = await readAll(r.contents);
  await r.trailers;
  return dec.decode(bytes);
}

/** A response whose body yields `first` and then nothing more, and whose trailers never come. */
function stalling(first: string): HostResponse {
  return {
    status: 200,
    headers: [],
    contents: (async function* () {
      yield new TextEncoder().encode(first);
      await new Promise(() => {});
    })(),
    trailers: new Promise(() => {}),
  };
}

describe('HandlerPool', { timeout: 10_000 }, () => {
  it('a handle that returns no wasi:http Response fails its request and drops its instance', async () => {
    // The default call path (no callHandler option): handle gets a Request resource.
    const c = fakeComponent(async () => ({ status: 200 }) as unknown as HostResponse);
    const pool = new HandlerPool(c, { log: () => {} });
    await expect(body(pool)).rejects.toThrow('the handler returned no wasi:http Response');
    expect(pool.stats()).toMatchObject({ active: 0, poisoned: 1 });
    await expect(body(pool)).rejects.toThrow(TypeError);
    expect(pool.stats()).toMatchObject({ active: 0, poisoned: 2, created: 2 });
    await pool.close();
  });

  it('sends concurrent requests to one instance, up to concurrencyPerInstance', async () => {
    const g = gate();
    const c = fakeComponent(async (_req, ctx) => {
      await g.wait();
      return textResponse(`i${ctx.instance}`);
    });
    const pool = new HandlerPool(c, fakeOptions);
    const all = Promise.all(Array.from({ length: 10 }, () => body(pool)));
    await sleep(10);
    expect(pool.stats()).toMatchObject({ active: 10, instances: 1, peakConcurrency: 10 });
    g.open();
    expect(new Set(await all)).toEqual(new Set(['i0']));
    expect(c.instances.length).toBe(1);

    const g2 = gate();
    const c2 = fakeComponent(async (_req, ctx) => {
      await g2.wait();
      return textResponse(`i${ctx.instance}`);
    });
    const pool2 = new HandlerPool(c2, { ...fakeOptions, concurrencyPerInstance: 4 });
    const all2 = Promise.all(Array.from({ length: 10 }, () => body(pool2)));
    await sleep(10);
    expect(pool2.stats()).toMatchObject({ active: 10, instances: 3, peakConcurrency: 4 });
    g2.open();
    const got = await all2;
    expect(got.filter((x) => x === 'i0').length).toBe(4);
    expect(got.filter((x) => x === 'i2').length).toBe(2);
    await pool.close();
    await pool2.close();
  });

  it('makes a fresh instance after requestsPerInstance requests', async () => {
    const c = fakeComponent((_req, ctx) => textResponse(`i${ctx.instance}`));
    const pool = new HandlerPool(c, { ...fakeOptions, requestsPerInstance: 2 });
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push(await body(pool));
    expect(got).toEqual(['i0', 'i0', 'i1', 'i1', 'i2']);
    // A used-up instance is dropped once its last request is done.
    expect(pool.stats().instances).toBe(1);
    await pool.close();
    expect(pool.stats().instances).toBe(0);
  });

  it('queues requests past maxInstances and maxConcurrent, in order', async () => {
    const order: string[] = [];
    const c = fakeComponent(async (req) => {
      order.push(`start ${req.pathWithQuery}`);
      await sleep(20);
      order.push(`end ${req.pathWithQuery}`);
      return textResponse(req.pathWithQuery!);
    });
    const pool = new HandlerPool(c, { ...fakeOptions, maxInstances: 1, concurrencyPerInstance: 1 });
    const all = Promise.all(['/a', '/b', '/c'].map((p) => body(pool, p)));
    await sleep(5);
    expect(pool.stats()).toMatchObject({ active: 1, queued: 2, instances: 1 });
    expect(await all).toEqual(['/a', '/b', '/c']);
    expect(order).toEqual(['start /a', 'end /a', 'start /b', 'end /b', 'start /c', 'end /c']);
    expect(c.instances.length).toBe(1);

    const c2 = fakeComponent(async (req) => {
      await sleep(20);
      return textResponse(req.pathWithQuery!);
    });
    const pool2 = new HandlerPool(c2, { ...fakeOptions, maxConcurrent: 2, concurrencyPerInstance: 1 });
    const all2 = Promise.all(['/a', '/b', '/c', '/d'].map((p) => body(pool2, p)));
    await sleep(5);
    expect(pool2.stats()).toMatchObject({ active: 2, queued: 2, instances: 2 });
    expect(await all2).toEqual(['/a', '/b', '/c', '/d']);
    expect(c2.instances.length).toBe(2);
    await pool.close();
    await pool2.close();
  });

  it('drops an instance idle for idleTimeout', async () => {
    const c = fakeComponent((_req, ctx) => textResponse(`i${ctx.instance}`));
    const pool = new HandlerPool(c, { ...fakeOptions, idleTimeout: 30 });
    expect(await body(pool)).toBe('i0');
    expect(await body(pool)).toBe('i0');
    expect(pool.stats().instances).toBe(1);
    await sleep(80);
    expect(pool.stats().instances).toBe(0);
    expect(c.instances[0]!.signal?.aborted).toBe(true);
    expect(await body(pool)).toBe('i1');
    await pool.close();
  });

  it('drops an instance whose guest trapped; the next request gets a fresh one', async () => {
    const log: string[] = [];
    const c = fakeComponent((req, ctx) => {
      if (req.pathWithQuery === '/trap') {
        const e = new Error('wasm trap: unreachable');
        e.name = 'Trap';
        throw e;
      }
      return textResponse(`i${ctx.instance}`);
    });
    const pool = new HandlerPool(c, { ...fakeOptions, log: (l) => log.push(l) });
    expect(await body(pool)).toBe('i0');
    const trap = await body(pool, '/trap').catch((e: unknown) => e);
    expect(trap).toMatchObject({ name: 'Trap' });
    expect(pool.stats()).toMatchObject({ poisoned: 1, instances: 0, active: 0 });
    // The failure says which instance went with it (for the request's log line).
    expect(describeError(trap)).toBe('Trap: wasm trap: unreachable (instance 0 dropped)');
    expect(log).toEqual([]);
    expect(await body(pool)).toBe('i1');
    await pool.close();
  });

  it('describes failures on one bounded line', () => {
    const long = new HttpError({ tag: 'internal-error', val: `a\nb${'x'.repeat(100_000)}` });
    const d = describeError(long);
    expect(d).not.toMatch(/\n/);
    expect(d.length).toBeLessThan(2100);
    expect(d).toMatch(/^error-code internal-error\("a\\nbxxx.*…\(\d+ more\)…x+"\)$/);
  });

  it('keeps an instance whose guest returned an error-code', async () => {
    const c = fakeComponent((req, ctx) => {
      if (req.pathWithQuery === '/err') throw new HttpError({ tag: 'internal-error', val: 'no' });
      return textResponse(`i${ctx.instance}`);
    });
    const pool = new HandlerPool(c, fakeOptions);
    await expect(body(pool, '/err')).rejects.toBeInstanceOf(HttpError);
    expect(await body(pool)).toBe('i0');
    expect(pool.stats().poisoned).toBe(0);
    await pool.close();
  });

  it('cuts a request off at requestTimeout and drops its instance', async () => {
    const c = fakeComponent(async (req, ctx) => {
      if (req.pathWithQuery === '/hang') await new Promise(() => {});
      return textResponse(`i${ctx.instance}`);
    });
    const pool = new HandlerPool(c, { ...fakeOptions, requestTimeout: 100 });
    const t0 = Date.now();
    const hang = body(pool, '/hang');
    // The instance was made before the deadline and is still reused for other work meanwhile.
    expect(await body(pool)).toBe('i0');
    await expect(hang).rejects.toBeInstanceOf(DeadlineError);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(1000);
    // Retired and idle: dropped at once, and its guest code would trap "interrupted".
    expect(pool.stats()).toMatchObject({ instances: 0, active: 0 });
    expect(c.instances[0]!.signal?.aborted).toBe(true);
    expect(await body(pool)).toBe('i1');
    await pool.close();
  });

  it('cuts off a response body that outlives the deadline', async () => {
    const c = fakeComponent(() => stalling('part'));
    const pool = new HandlerPool(c, { ...fakeOptions, requestTimeout: 100 });
    const r = await pool.handle({
      method: 'GET',
      scheme: 'http',
      authority: 'x',
      pathWithQuery: '/',
      headers: [],
      contents: undefined,
      trailers: Promise.resolve(undefined),
    });
    const it = r.contents![Symbol.asyncIterator]();
    expect(dec.decode((await it.next()).value)).toBe('part');
    await expect(it.next()).rejects.toBeInstanceOf(DeadlineError);
    await expect(r.trailers).rejects.toBeInstanceOf(DeadlineError);
    expect(pool.stats().active).toBe(0);
    await pool.close();
  });

  it('an instance that cannot be made fails start() and the requests given to it', async () => {
    const bad = {
      instantiate: async () => ({ exports: { 'wasi:cli/run@0.3.0': { run() {} } } }),
    };
    const pool = new HandlerPool(bad, fakeOptions);
    await expect(pool.start()).rejects.toThrow(/exports no wasi:http\/handler@0\.3\.x handle/);
    await expect(body(pool)).rejects.toThrow(/exports no wasi:http\/handler/);
    expect(pool.stats()).toMatchObject({ instances: 0, active: 0 });
  });

  it('close() waits for requests in flight and refuses new and queued ones', async () => {
    const g = gate();
    const c = fakeComponent(async () => {
      await g.wait();
      return textResponse('done');
    });
    const pool = new HandlerPool(c, { ...fakeOptions, maxConcurrent: 1 });
    const inflight = body(pool);
    const queued = body(pool);
    await sleep(5);
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await expect(queued).rejects.toBeInstanceOf(PoolClosedError);
    await expect(body(pool)).rejects.toBeInstanceOf(PoolClosedError);
    await sleep(20);
    expect(closed).toBe(false);
    g.open();
    expect(await inflight).toBe('done');
    await closing;
    expect(pool.stats().instances).toBe(0);
  });

  it('close({ force }) fails requests whose guest waits forever, and ends a graceful close waiting on them', async () => {
    for (const requestTimeout of [0, 60_000]) {
      const c = fakeComponent(async (req) => {
        if (req.pathWithQuery === '/forever') await new Promise(() => {});
        return stalling('first');
      });
      const pool = new HandlerPool(c, { ...fakeOptions, requestTimeout });
      const forever = body(pool, '/forever');
      const streaming = await pool.handle({
        method: 'GET',
        scheme: 'http',
        authority: 'x',
        pathWithQuery: '/',
        headers: [],
        contents: undefined,
        trailers: Promise.resolve(undefined),
      });
      const it = streaming.contents![Symbol.asyncIterator]();
      await it.next();
      const next = it.next();
      let gracefulDone = false;
      const graceful = pool.close().then(() => (gracefulDone = true));
      await sleep(20);
      expect(gracefulDone).toBe(false);
      await pool.close({ force: true });
      await expect(forever).rejects.toBeInstanceOf(PoolClosedError);
      await expect(next).rejects.toBeInstanceOf(PoolClosedError);
      await graceful;
      expect(pool.stats()).toMatchObject({ instances: 0, active: 0 });
      // With a deadline the instance was made interruptible: its guest code would trap now.
      if (requestTimeout > 0) expect(c.instances[0]!.signal?.aborted).toBe(true);
    }
  });

  it('checks its limits', () => {
    const c = fakeComponent(() => textResponse(''));
    expect(() => new HandlerPool(c, { concurrencyPerInstance: 0 })).toThrow(RangeError);
    expect(() => new HandlerPool(c, { requestTimeout: -1 })).toThrow(RangeError);
    expect(() => new HandlerPool(c, { maxInstances: 1.5 })).toThrow(RangeError);
  });

  // imports(instanceId, dropped): a host closes what it opened for an instance (weft serve: its sockets).
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
