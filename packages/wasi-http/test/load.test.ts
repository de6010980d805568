// `weft serve` under load, bounded in time: 100 connections on the hello guest
// with no errors and flat memory; a client that stops reading and clients that
// write slowly, neither growing the server's memory without bound; a handler
// that loops forever cut off by the deadline while other requests are served;
// a handler that traps failing only its own requests. Each server is its own
// `weft serve` process (test/guests/serve.ts); memory is its resident set, read
// from /proc. Skipped until `weft serve` exists (packages/cli/src/commands/serve.ts).
//
// WEFT_LOAD_SECONDS: how long the 100-connection run lasts (default 10). The
// issue asks for 60 s; CI runs the whole suite in about 70 s on 2 cores, and
// 60 s here would nearly double it, so CI runs 10 s (about 15 s with start-up
// and warm-up; the file takes about 40 s) and a release check runs
// WEFT_LOAD_SECONDS=60. Ten seconds still see a leak: at the thousands of
// requests a second the hello guest is served at, the allowance between the
// first and last quarter (32 MiB + 10%) is crossed by a couple of KiB per request.

import { createHash } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guest, MiB, median, mib, type Served, sampler, serve, serveExists } from './guests/serve.ts';

const SECONDS = Number(process.env.WEFT_LOAD_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const onLinux = process.platform === 'linux';

interface Reply {
  status: number;
  body: Buffer;
  ms: number;
}

/** One request on a fresh connection; rejects past `timeoutMs`. */
function fetchOnce(url: string, path: string, timeoutMs = 15_000, body?: Buffer): Promise<Reply> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: body ? 'POST' : 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks), ms: performance.now() - start }),
      );
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${path}: no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const cannon = (opts: autocannon.Options): Promise<autocannon.Result> => autocannon(opts);

function summary(r: autocannon.Result): string {
  return `${r.requests.total} requests (${Math.round(r.requests.average)}/s), ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.mismatches} mismatched bodies, p99 ${r.latency.p99} ms`;
}

const title = serveExists()
  ? 'weft serve under load'
  : 'weft serve under load (skipped: packages/cli/src/commands/serve.ts does not exist yet)';

describe.skipIf(!serveExists())(title, () => {
  it(
    `serves the hello guest to 100 connections for ${SECONDS} s: no errors, no non-2xx, flat memory`,
    async () => {
      const server = await serve(guest('hello'));
      try {
        // Compiling, the first instances and the JIT settle first; not measured.
        const warm = await cannon({ url: server.url, connections: 100, duration: WARMUP_SECONDS });
        expect(warm.errors + warm.non2xx, `warm-up: ${summary(warm)}`).toBe(0);

        const rss = sampler(() => server.rss(), 250);
        const r = await cannon({ url: server.url, connections: 100, duration: SECONDS, expectBody: 'hello' });
        const samples = rss.stop();
        const line = summary(r);
        console.log(`load: hello, 100 connections, ${SECONDS} s: ${line}`);
        expect(r.requests.total, line).toBeGreaterThan(0);
        expect(r.errors, line).toBe(0);
        expect(r.timeouts, line).toBe(0);
        expect(r.non2xx, line).toBe(0);
        expect(r.mismatches, line).toBe(0);

        if (onLinux) {
          const q = Math.max(1, Math.floor(samples.length / 4));
          const first = median(samples.slice(0, q));
          const last = median(samples.slice(-q));
          const allowed = 32 * MiB + 0.1 * first;
          const what = `RSS first quarter ${mib(first)}, last quarter ${mib(last)} (allowed growth ${mib(allowed)}); samples: ${samples.map((s) => (s / MiB).toFixed(0)).join(' ')}`;
          console.log(`load: ${what}`);
          expect(last - first, what).toBeLessThanOrEqual(allowed);
        }
      } finally {
        await server.stop();
      }
    },
    (WARMUP_SECONDS + SECONDS) * 1000 + 90_000,
  );

  describe('slow clients (echo guest)', () => {
    let server: Served;
    beforeAll(async () => {
      server = await serve(guest('echo'));
    }, 60_000);
    afterAll(() => server?.stop());

    it('a client that stops reading stalls the upload instead of growing the server, then gets every byte back', async () => {
      const chunk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + 3) & 0xff;
      /** Pushed this much without a stall, the server is buffering: stop there. */
      const limit = 256 * MiB;
      const sentHash = createHash('sha256');
      const gotHash = createHash('sha256');
      let sent = 0;
      let got = 0;

      const req = request(new URL('/slow-reader', server.url), {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream' },
      });
      const response = new Promise<IncomingMessage>((res, rej) => {
        req.once('response', res);
        req.once('error', rej);
      });
      // Read nothing at first: the response sits paused while the upload goes on.
      void response.then((res) => res.pause());

      /** Writes until `stop` says so or a write has waited `stallMs` for drain; true if it stalled. */
      const push = async (stop: () => boolean, stallMs: number): Promise<boolean> => {
        while (!stop()) {
          sentHash.update(chunk);
          sent += chunk.length;
          if (!req.write(chunk)) {
            const drained = await new Promise<boolean>((res) => {
              const t = setTimeout(() => res(false), stallMs);
              req.once('drain', () => {
                clearTimeout(t);
                res(true);
              });
            });
            if (!drained) return true;
          }
        }
        return false;
      };

      const before = server.rss();
      const stalled = await push(() => sent >= limit, 1500);
      // A moment more with nothing read, to see the server's memory at rest.
      await new Promise((r) => setTimeout(r, 500));
      const during = server.rss();
      const what = `pushed ${mib(sent)}${stalled ? ' before the upload stalled' : ' without a stall'}; server RSS ${mib(before)} before, ${mib(during)} while stalled`;
      console.log(`load: slow reader: ${what}`);
      expect(stalled, `the upload never stalled: ${what}`).toBe(true);
      expect(sent, what).toBeLessThan(96 * MiB);
      if (onLinux) expect(during! - before!, what).toBeLessThan(64 * MiB);

      // Now read it all, while sending a little more.
      const res = await response;
      expect(res.statusCode).toBe(200);
      const done = new Promise<void>((resolve, reject) => {
        res.on('data', (c: Buffer) => {
          gotHash.update(c);
          got += c.length;
        });
        res.on('end', resolve);
        res.on('error', reject);
      });
      res.resume();
      const total = sent + 8 * MiB;
      await push(() => sent >= total, 30_000);
      req.end();
      await done;
      expect(got).toBe(sent);
      expect(gotHash.digest('hex')).toBe(sentHash.digest('hex'));
    }, 120_000);

    it('clients that write their bodies slowly hold the server to bounded memory while others are served', async () => {
      const writers = 32;
      const pieces = 50;
      const piece = Buffer.alloc(1024, 0x61);
      const before = server.rss();
      const rss = sampler(() => server.rss(), 250);

      const slow = Array.from(
        { length: writers },
        (_, i) =>
          new Promise<Reply>((resolve, reject) => {
            const start = performance.now();
            const req = request(new URL(`/slow-writer/${i}`, server.url), {
              method: 'POST',
              agent: false,
              headers: { 'transfer-encoding': 'chunked' },
            });
            req.on('response', (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () =>
                resolve({ status: res.statusCode!, body: Buffer.concat(chunks), ms: performance.now() - start }),
              );
              res.on('error', reject);
            });
            req.on('error', reject);
            let n = 0;
            const timer = setInterval(() => {
              req.write(piece);
              if (++n === pieces) {
                clearInterval(timer);
                req.end();
              }
            }, 100);
          }),
      );
      // Meanwhile, short requests on other connections.
      const others = await cannon({ url: server.url, connections: 10, duration: (pieces * 100) / 1000 });
      const replies = await Promise.all(slow);
      const samples = rss.stop();
      const peak = Math.max(...samples);
      // Memory follows the number of requests in flight (the pool makes instances for them:
      // 42 here), not the time they take: once they are all under way it stays level. "Under
      // way" is the third quarter: on a loaded machine the ramp-up can take the second.
      const q = Math.max(1, Math.floor(samples.length / 4));
      const settled = median(samples.slice(2 * q, 3 * q));
      const late = Math.max(...samples.slice(-q));
      const what = `${writers} slow writers (${pieces} × 1 KiB, one every 100 ms); others: ${summary(others)}; server RSS ${mib(before)} before, ${mib(settled)} once under way, ${mib(late)} at most in the last quarter, peak ${mib(peak)}`;
      console.log(`load: slow writers: ${what}`);
      for (const r of replies) {
        expect(r.status, what).toBe(200);
        expect(r.body.length, what).toBe(pieces * piece.length);
      }
      expect(others.errors + others.timeouts + others.non2xx, what).toBe(0);
      expect(others.requests.total, what).toBeGreaterThan(0);
      if (onLinux) {
        expect(late - settled, what).toBeLessThan(48 * MiB);
        // A few instances' worth (a componentize-qjs instance is some 35 MiB).
        expect(peak - before!, what).toBeLessThan(256 * MiB);
      }
    }, 120_000);
  });

  it('cuts a handler that loops forever off at its deadline (504), and the other requests are served', async () => {
    const timeoutMs = 1000;
    const server = await serve(guest('loop'), ['--request-timeout', `${timeoutMs}ms`]);
    try {
      expect((await fetchOnce(server.url, '/')).status).toBe(200);
      for (let round = 0; round < 2; round++) {
        let looping = true;
        const loop = fetchOnce(server.url, '/loop', 30_000).finally(() => {
          looping = false;
        });
        const others: Reply[] = [];
        const meanwhile = (async () => {
          // A request that lands on the looping instance before the pool can tell it spins
          // (time slicing has paused it for ~20 ms) waits behind the loop and shares its
          // deadline, as on any instance whose guest is busy: start once it spins.
          await new Promise((r) => setTimeout(r, 100));
          while (looping) {
            others.push(await fetchOnce(server.url, '/', 30_000));
            await new Promise((r) => setTimeout(r, 50));
          }
          // and after it
          for (let i = 0; i < 5; i++) others.push(await fetchOnce(server.url, `/after/${i}`, 30_000));
        })();
        const cut = await loop;
        await meanwhile;
        const what = `/loop: ${cut.status} after ${Math.round(cut.ms)} ms; others: ${others.map((o) => `${o.status} in ${Math.round(o.ms)} ms`).join(', ')}`;
        console.log(`load: deadline, round ${round + 1}: ${what}`);
        expect(cut.status, what).toBe(504);
        // The request's own deadline (time slicing lets the host's timer fire on time); the rest
        // is start-up and scheduling slack.
        expect(cut.ms, what).toBeLessThan(timeoutMs + 3000);
        expect(others.length, what).toBeGreaterThanOrEqual(6);
        // Served while it loops, at once (time slicing), not after its deadline.
        const during = others.slice(0, -5);
        expect(during.length, what).toBeGreaterThanOrEqual(3);
        for (const o of during) expect(o.ms, what).toBeLessThan(200);
        for (const o of others) {
          expect(o.status, what).toBe(200);
          expect(o.body.toString(), what).toBe('ok');
          expect(o.ms, what).toBeLessThan(timeoutMs + 3000);
        }
      }
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('fails only the requests whose handler traps (500), under load on the same server', async () => {
    const server = await serve(guest('trap'));
    try {
      const traps: Reply[] = [];
      let running = true;
      const trapping = (async () => {
        while (running) {
          traps.push(await fetchOnce(server.url, '/trap'));
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const r = await cannon({ url: server.url, connections: 50, duration: 3, expectBody: 'ok' });
      running = false;
      await trapping;
      const line = `${summary(r)}; traps: ${traps.length} (${[...new Set(traps.map((t) => t.status))].join(', ')})`;
      console.log(`load: trap isolation: ${line}`);
      expect(r.errors + r.timeouts + r.non2xx + r.mismatches, line).toBe(0);
      expect(r.requests.total, line).toBeGreaterThan(0);
      expect(traps.length, line).toBeGreaterThan(3);
      for (const t of traps) expect(t.status, line).toBe(500);
      expect((await fetchOnce(server.url, '/')).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
