// The hostile-guest suite (issue 9): each case must end in a clear Weft error
// that names what stopped it, in bounded time, growing the process by less
// than 512 MiB, after which the same process still compiles, instantiates
// and calls a healthy component. (Lifting limits have their own file,
// lift-limits.test.ts, with the same checks.)

import { describe, expect, it } from 'vitest';
import { Component, DecodeError, LinkError, Trap, ValidationError } from '../src/index.ts';
import { assemble, instantiate } from './helpers/wat.ts';

const MiB = 1024 * 1024;

const HEALTHY = `(component
  (core module $M (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
  (core instance $m (instantiate $M))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $m "add")))
)`;

/** Runs `attack`, which must fail with `kind` and a message matching `message`, then a healthy component. */
async function contained(
  attack: () => Promise<unknown>,
  kind: typeof DecodeError | typeof ValidationError | typeof LinkError | typeof Trap,
  message: RegExp,
  maxMs = 5000,
): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const err = await attack().then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = performance.now() - t0;
  expect(err).toBeInstanceOf(kind);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message.length).toBeLessThan(4200);
  expect(ms).toBeLessThan(maxMs);
  expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * MiB);
  const healthy: any = await instantiate(HEALTHY);
  expect(healthy.exports.add(40, 2)).toBe(42);
}

const leb = (n: number): number[] => {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    o.push(b);
  } while (n !== 0);
  return o;
};

describe('hostile components', () => {
  it('5,000,000 tiny type definitions (10 MB): a DecodeError, not gigabytes', async () => {
    const n = 5_000_000;
    const body = new Uint8Array(leb(n).length + 2 * n);
    body.set(leb(n));
    for (let i = leb(n).length; i < body.length; i += 2) body.set([0x70, 0x7d], i); // (list u8)
    const head = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, ...leb(body.length)];
    const bytes = new Uint8Array(head.length + body.length);
    bytes.set(head);
    bytes.set(body, head.length);
    await contained(() => Component.compile(bytes), DecodeError, /^definitions count exceeds limit of 1000000/);
  });

  it('a type nested 5,000 deep: a ValidationError, not a stack overflow', async () => {
    let t = '(type $t0 (list u8))';
    for (let i = 1; i < 5000; i++) t += ` (type $t${i} (list $t${i - 1}))`;
    const bytes = await assemble(`(component ${t})`);
    await contained(
      () => Component.compile(bytes),
      ValidationError,
      /type nesting is too deep \(more than 100 levels; compile option maxTypeDepth\)/,
    );
  });

  it('2^30 nested instantiations: a LinkError naming the limit, at once', async () => {
    let c = '(component)';
    for (let k = 0; k < 30; k++) c = `(component ${c} (instance (instantiate 0)) (instance (instantiate 0)))`;
    const comp = await Component.compile(await assemble(`(component ${c} (instance (instantiate 0)))`));
    await contained(() => comp.instantiate({}), LinkError, /instance count exceeds the limit of 10000/);
  });

  it('an import name of 4 MB: a short LinkError', async () => {
    const name = `a${'-a'.repeat(2 * MiB)}`;
    const comp = await Component.compile(await assemble(`(component (import "${name}" (func)))`));
    await contained(() => comp.instantiate({}), LinkError, /…\(\d+ more\)…/);
  });

  const LOOP = `(component
    (core module $M (func (export "spin") (loop $l (br $l))))
    (core instance $m (instantiate $M))
    (func (export "spin") (canon lift (core func $m "spin")))
  )`;

  it('an endless loop under fuel: "fuel exhausted", its instance poisoned', async () => {
    const comp = await Component.compile(await assemble(LOOP), { fuel: true });
    const inst: any = await comp.instantiate({}, { fuel: 1_000_000 });
    await contained(async () => inst.exports.spin(), Trap, /fuel exhausted/);
    expect(() => inst.exports.spin()).toThrow(Trap);
  });

  it('an endless loop under a deadline: "deadline exceeded" after about the deadline', async () => {
    const comp = await Component.compile(await assemble(LOOP), { interruptible: true });
    const inst: any = await comp.instantiate({}, { timeout: 200 });
    await contained(async () => inst.exports.spin(), Trap, /deadline exceeded/, 3000);
  });

  it('a host import that throws a revoked Proxy: a Trap that poisons the instance', async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const inst: any = await instantiate(
      `(component
        (import "f" (func $f))
        (core func $f' (canon lower (func $f)))
        (core module $M (import "" "f" (func $f)) (func (export "run") (call $f)))
        (core instance $m (instantiate $M (with "" (instance (export "f" (func $f'))))))
        (func (export "run") (canon lift (core func $m "run")))
      )`,
      {
        f: () => {
          throw proxy;
        },
      },
    );
    await contained(async () => inst.exports.run(), Trap, /./);
    expect(() => inst.exports.run()).toThrow(Trap);
  });
});
