// Host errors (issue 9): anything a host function throws (a Proxy whose traps
// throw, a revoked Proxy, null, a number, an Error) becomes a Trap that
// poisons the calling instance, and building that Trap never throws itself;
// nothing escapes as a raw error, an uncaught exception or an unhandled
// rejection. A trap after `task.return` makes the host's reads of the
// returned stream, and its await of a returned future, reject with the trap.
import { describe, expect, it } from 'vitest';
import { ComponentError, type StreamReader, Trap } from '../src/index.ts';
import { failOnEscapes } from './helpers/escapes.ts';
import { compile } from './helpers/wat.ts';
import { within } from './helpers/within.ts';

failOnEscapes();

/** Awaits `f()`, giving what it returned or threw. */
async function outcome(f: () => unknown): Promise<{ ok: unknown } | { err: unknown }> {
  try {
    return { ok: await f() };
  } catch (err) {
    return { err };
  }
}

function throwingProxy(): object {
  return new Proxy(
    {},
    {
      get() {
        throw 1;
      },
      getPrototypeOf() {
        throw 1;
      },
      getOwnPropertyDescriptor() {
        throw 1;
      },
      has() {
        throw 1;
      },
      ownKeys() {
        throw 1;
      },
    },
  );
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const THROWN: [string, () => unknown][] = [
  ['a Proxy whose traps throw', throwingProxy],
  ['a revoked Proxy', revokedProxy],
  ['null', () => null],
  ['undefined', () => undefined],
  ['42', () => 42],
  ['an Error', () => new Error('host failed')],
];

// call-f: calls the sync-lowered host import f, then returns 1.
// call-g: calls g: func() -> result<u32, u32> (sync, through a retptr) and
//   returns disc * 1000 + payload.
// call-h: callback-ABI async export calling the async host import h through an
//   async lower; its callback returns 5 once h's subtask reports.
// ping: returns 7 (to see whether the instance is poisoned).
const IMPORTS = `(component
  (import "f" (func $f))
  (import "g" (func $g (result (result u32 (error u32)))))
  (import "h" (func $h async))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $f' (canon lower (func $f)))
  (core func $g' (canon lower (func $g) (memory (core memory $mem "mem"))))
  (core func $h' (canon lower (func $h) async))
  (core func $ws.new (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $ret (canon task.return (result u32)))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "f" (func $f))
    (import "" "g" (func $g (param i32)))
    (import "" "h" (func $h (result i32)))
    (import "" "ws.new" (func $ws.new (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "ret" (func $ret (param i32)))
    (func (export "call-f") (result i32) (call $f) (i32.const 1))
    (func (export "call-g") (result i32)
      (call $g (i32.const 16))
      (i32.add (i32.mul (i32.load8_u (i32.const 16)) (i32.const 1000)) (i32.load (i32.const 20))))
    (func (export "call-h") (result i32)
      (local $st i32) (local $ws i32)
      (local.set $st (call $h))
      (if (i32.ne (i32.and (local.get $st) (i32.const 0xf)) (i32.const 1)) (then unreachable))
      (local.set $ws (call $ws.new))
      (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $ws))
      (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
    (func (export "cb") (param i32 i32 i32) (result i32)
      (call $ret (i32.const 5))
      (i32.const 0))
    (func (export "ping") (result i32) (i32.const 7)))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "f" (func $f'))
    (export "g" (func $g'))
    (export "h" (func $h'))
    (export "ws.new" (func $ws.new))
    (export "join" (func $join))
    (export "ret" (func $ret))))))
  (func (export "call-f") (result u32) (canon lift (core func $m "call-f")))
  (func (export "call-g") (result u32) (canon lift (core func $m "call-g")))
  (func (export "call-h") async (result u32)
    (canon lift (core func $m "call-h") async (callback (core func $m "cb"))))
  (func (export "ping") (result u32) (canon lift (core func $m "ping")))
)`;

type Exports = Record<string, (...args: unknown[]) => any>;

async function imports(over: Record<string, unknown>): Promise<Exports> {
  const c = await compile(IMPORTS);
  const inst = await c.instantiate({
    f: () => {},
    g: () => 3,
    h: async () => {},
    ...over,
  });
  return inst.exports as Exports;
}

/** The instance is poisoned: its next call traps before running, naming the poison. */
function expectPoisoned(x: Exports): void {
  let err: unknown;
  try {
    x.ping!();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(Trap);
  expect((err as Trap).message).toMatch(/cannot enter component instance.*poisoned/);
}

describe('a sync-lowered host import that throws', () => {
  for (const [what, make] of THROWN) {
    it(`${what}: the call traps, the instance is poisoned, a fresh one works`, async () => {
      const x = await imports({
        f: () => {
          throw make();
        },
      });
      expect(x.ping!()).toBe(7);
      let err: unknown;
      try {
        x['call-f']!();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Trap);
      expectPoisoned(x);
      const fresh = await imports({});
      expect(fresh['call-f']!()).toBe(1);
    });
  }

  it('a message from an Error, a generic one otherwise', async () => {
    const withError = await imports({
      f: () => {
        throw new Error('host failed');
      },
    });
    expect(() => withError['call-f']!()).toThrow(/host failed/);
    const withProxy = await imports({
      f: () => {
        throw revokedProxy();
      },
    });
    expect(() => withProxy['call-f']!()).toThrow(/host function threw a non-Error value/);
  });
});

describe('a result-typed host import', () => {
  it('a thrown ComponentError is the err value, not a trap', async () => {
    const x = await imports({
      g: () => {
        throw new ComponentError(9);
      },
    });
    expect(x['call-g']!()).toBe(1009);
    expect(x.ping!()).toBe(7);
  });

  it('returning a value is ok', async () => {
    const x = await imports({});
    expect(x['call-g']!()).toBe(3);
  });

  for (const [what, make] of [
    ['a revoked Proxy', revokedProxy],
    ['a Proxy whose traps throw', throwingProxy],
    ['an Error', () => new Error('not a payload')],
  ] as const) {
    it(`throwing ${what} traps and poisons`, async () => {
      const x = await imports({
        g: () => {
          throw make();
        },
      });
      expect(() => x['call-g']!()).toThrow(Trap);
      expectPoisoned(x);
    });
  }
});

// `f` and `g`: async exports (callback ABI) of result<u32, u32>: err if x > 9. `f` returns at
// once; `g` yields first and returns from its callback.
const ASYNC_RESULT = `(component
  (core module $M
    (import "" "task.return" (func $ret (param i32 i32)))
    (func (export "f") (param $x i32) (result i32)
      (call $ret (i32.gt_u (local.get $x) (i32.const 9)) (local.get $x))
      (i32.const 0))
    (func (export "g") (param $x i32) (result i32)
      (global.set $x (local.get $x))
      (i32.const 1))
    (global $x (mut i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32)
      (call $ret (i32.gt_u (global.get $x) (i32.const 9)) (global.get $x))
      (i32.const 0)))
  (core func $ret (canon task.return (result (result u32 (error u32)))))
  (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $ret))))))
  (func (export "f") async (param "x" u32) (result (result u32 (error u32)))
    (canon lift (core func $m "f") async (callback (core func $m "cb"))))
  (func (export "g") async (param "x" u32) (result (result u32 (error u32)))
    (canon lift (core func $m "g") async (callback (core func $m "cb")))))`;

describe('an async export of a result, called by the host', () => {
  it('resolves with the ok value and rejects with a ComponentError of the err, at once or later', async () => {
    for (const jspi of [true, false]) {
      const x = (await (await compile(ASYNC_RESULT)).instantiate({}, { jspi })).exports;
      await expect(x.f(3)).resolves.toBe(3);
      await expect(x.g(4)).resolves.toBe(4);
      for (const call of [x.f(12), x.g(13)]) {
        const err = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ComponentError);
        expect((err as ComponentError).payload).toBeGreaterThan(9);
      }
    }
  });
});

describe('an async-lowered host import whose Promise rejects', () => {
  for (const [what, make] of THROWN) {
    it(`with ${what}: the export call rejects with a Trap, the instance is poisoned`, async () => {
      const x = await imports({
        h: () => Promise.reject(make()),
      });
      const got = await within(
        outcome(() => x['call-h']!()),
        2000,
      );
      expect('err' in got && got.err).toBeInstanceOf(Trap);
      expectPoisoned(x);
      const fresh = await imports({});
      expect(await within(fresh['call-h']!(), 2000)).toBe(5);
    });
  }

  it('throwing a revoked Proxy at once traps as well', async () => {
    const x = await imports({
      h: () => {
        throw revokedProxy();
      },
    });
    const got = await within(
      outcome(() => x['call-h']!()),
      2000,
    );
    expect('err' in got && got.err).toBeInstanceOf(Trap);
    expectPoisoned(x);
  });
});

// give-s(n): async func(n: u32) -> stream<u8>: task.returns a new stream's
//   readable end; n = 0: writes nothing and yields; n > 0: writes n bytes in one
//   async write and waits for it. Its callback traps (unreachable) at once.
// give-f: async func() -> future<u32>: task.returns a new future's readable end,
//   yields, and traps in its callback. give-tf: the same, the future in a tuple.
const AFTER_RETURN = `(component
  (type $S (stream u8))
  (type $F (future u32))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "s.new" (func $s.new (result i64)))
    (import "" "f.new" (func $f.new (result i64)))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (import "" "ws.new" (func $ws.new (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "ret-s" (func $ret-s (param i32)))
    (import "" "ret-f" (func $ret-f (param i32)))
    (import "" "ret-tf" (func $ret-tf (param i32)))
    (func (export "give-s") (param $n i32) (result i32)
      (local $p i64) (local $w i32) (local $ws i32)
      (local.set $p (call $s.new))
      (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $p) (i64.const 32))))
      (call $ret-s (i32.wrap_i64 (local.get $p)))
      (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
      (if (i32.ne (call $write (local.get $w) (i32.const 0) (local.get $n)) (i32.const -1)) (then unreachable))
      (local.set $ws (call $ws.new))
      (call $join (local.get $w) (local.get $ws))
      (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
    (func (export "give-f") (result i32)
      (local $p i64)
      (local.set $p (call $f.new))
      (call $ret-f (i32.wrap_i64 (local.get $p)))
      (i32.const 1))
    (func (export "give-tf") (result i32)
      (local $p i64)
      (local.set $p (call $f.new))
      (call $ret-tf (i32.wrap_i64 (local.get $p)))
      (i32.const 1))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
    (func (export "ping") (result i32) (i32.const 7)))
  (core func $s.new (canon stream.new $S))
  (core func $f.new (canon future.new $F))
  (core func $write (canon stream.write $S async (memory (core memory $mem "mem"))))
  (core func $ws.new (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $ret-s (canon task.return (result $S)))
  (core func $ret-f (canon task.return (result $F)))
  (core func $ret-tf (canon task.return (result (tuple $F))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "s.new" (func $s.new))
    (export "f.new" (func $f.new))
    (export "write" (func $write))
    (export "ws.new" (func $ws.new))
    (export "join" (func $join))
    (export "ret-s" (func $ret-s))
    (export "ret-f" (func $ret-f))
    (export "ret-tf" (func $ret-tf))))))
  (func (export "give-s") async (param "n" u32) (result $S)
    (canon lift (core func $m "give-s") async (callback (core func $m "cb"))))
  (func (export "give-f") async (result $F)
    (canon lift (core func $m "give-f") async (callback (core func $m "cb"))))
  (func (export "give-tf") async (result (tuple $F))
    (canon lift (core func $m "give-tf") async (callback (core func $m "cb"))))
  (func (export "ping") (result u32) (canon lift (core func $m "ping")))
)`;

async function afterReturn(): Promise<Exports> {
  const inst = await (await compile(AFTER_RETURN)).instantiate({});
  return inst.exports as Exports;
}

const UNREACHABLE = /wasm `unreachable` instruction executed/;

describe('a trap after task.return', () => {
  it('a returned stream that was never written: for await rejects with the Trap', async () => {
    const x = await afterReturn();
    const r = (await within(x['give-s']!(0), 2000)) as StreamReader<number>;
    const chunks: Uint8Array[] = [];
    const got = await within(
      outcome(async () => {
        for await (const c of r) chunks.push(c as Uint8Array);
      }),
      2000,
    );
    expect(chunks).toEqual([]);
    expect('err' in got && got.err).toBeInstanceOf(Trap);
    expect(String((got as { err: unknown }).err)).toMatch(UNREACHABLE);
    expectPoisoned(x);
    // A later read rejects with the same trap.
    await expect(r.read()).rejects.toBe((got as { err: unknown }).err);
  });

  it('a read pending when the trap comes rejects with it', async () => {
    const x = await afterReturn();
    const r = (await within(x['give-s']!(0), 2000)) as StreamReader<number>;
    const got = await within(
      outcome(() => r.read()),
      2000,
    );
    expect('err' in got && got.err).toBeInstanceOf(Trap);
    expect(String((got as { err: unknown }).err)).toMatch(UNREACHABLE);
  });

  it('after some bytes: they arrive, then the reads reject with the Trap', async () => {
    const x = await afterReturn();
    const r = (await within(x['give-s']!(64), 2000)) as StreamReader<number>;
    const buf = new Uint8Array(16);
    // The first read takes 16 of the 64 bytes; reporting that to the guest runs its callback, which traps.
    expect(await within(r.readInto(buf), 2000)).toBe(16);
    await expect(within(r.readInto(buf), 2000)).rejects.toThrow(UNREACHABLE);
    await expect(within(r.read(), 2000)).rejects.toBeInstanceOf(Trap);
    expectPoisoned(x);
  });

  it('a returned future: awaiting it rejects with the Trap', async () => {
    const x = await afterReturn();
    // The call's Promise resolves with the FutureReader, a thenable: awaiting the
    // call awaits the future too, and that rejects with the trap (not "dropped").
    const got = await within(
      outcome(() => x['give-f']!()),
      2000,
    );
    expect('err' in got && got.err).toBeInstanceOf(Trap);
    expect(String((got as { err: unknown }).err)).toMatch(UNREACHABLE);
    expectPoisoned(x);
  });

  it('a returned future the host holds: awaiting it later rejects with the Trap', async () => {
    const x = await afterReturn();
    const [f] = (await within(x['give-tf']!(), 2000)) as [PromiseLike<unknown>];
    const got = await within(
      outcome(() => f),
      2000,
    );
    expect('err' in got && got.err).toBeInstanceOf(Trap);
    expect(String((got as { err: unknown }).err)).toMatch(UNREACHABLE);
    expectPoisoned(x);
  });

  it('a fresh instance of the same component is unaffected', async () => {
    const x = await afterReturn();
    expect(x.ping!()).toBe(7);
  });
});
