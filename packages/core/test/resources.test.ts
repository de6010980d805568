import { describe, expect, it } from 'vitest';
import { canonLift } from '../src/canon/lift.ts';
import { canonLower } from '../src/canon/lower.ts';
import type { CanonOptions } from '../src/abi/options.ts';
import { ComponentInstance } from '../src/runtime/component-instance.ts';
import { canonResourceDrop, canonResourceNew, canonResourceRep } from '../src/canon/resource-builtins.ts';
import {
  createResourceType,
  getWrapperClass,
  type GuestResource,
  type ResourceRuntimeType,
} from '../src/runtime/resource-type.ts';
import { Table } from '../src/runtime/table.ts';
import type { FuncType, ValType } from '../src/types/model.ts';
import { PRIMS as P } from '../src/types/model.ts';
import { coreInstance } from './abi-helpers.ts';

const fn = (params: ValType[], result?: ValType): FuncType => ({
  kind: 'func',
  async: false,
  params: params.map((type, i) => ({ label: `p${i}`, type })),
  result,
});
const opts = (instance: ComponentInstance): CanonOptions => ({ instance, stringEncoding: 'utf8' });

const C = `
  (import "" "new" (func $new (param i32) (result i32)))
  (import "" "drop" (func $drop (param i32)))
  (global $made (mut i32) (i32.const 0))
  (global $dropped (mut i32) (i32.const 0))
  (global $last (mut i32) (i32.const 0))
  (func (export "make") (result i32)
    (global.set $made (i32.add (global.get $made) (i32.const 1)))
    (call $new (i32.add (i32.const 0x40) (global.get $made))))
  (func (export "get-rep") (param i32) (result i32) (local.get 0))
  (func (export "take") (param i32) (result i32) (call $drop (local.get 0)) (global.get $last))
  (func (export "borrow-and-take") (param i32 i32) (result i32) (call $drop (local.get 1)) (local.get 0))
  (func (export "dtor") (param i32)
    (global.set $dropped (i32.add (global.get $dropped) (i32.const 1)))
    (global.set $last (local.get 0)))
  (func (export "dropped") (result i32) (global.get $dropped))
`;

/** Component C defines resource R and exports functions over it. */
async function defineC() {
  const inst = new ComponentInstance('c');
  const box: { rt?: ResourceRuntimeType } = {};
  const core = await coreInstance(C, {
    '': {
      new: (rep: number) => canonResourceNew(box.rt!, inst)(rep),
      drop: (i: number) => canonResourceDrop(box.rt!, inst)(i),
    },
  });
  const ex = core.exports as Record<string, any>;
  const rt = createResourceType('my-res', inst, ex.dtor);
  box.rt = rt;
  const own: ValType = { kind: 'own', resource: rt };
  const borrow: ValType = { kind: 'borrow', resource: rt };
  const o = opts(inst);
  return {
    inst,
    rt,
    ex,
    own,
    borrow,
    make: canonLift(fn([], own), o, ex.make),
    getRep: canonLift(fn([borrow], P.u32), o, ex['get-rep']),
    take: canonLift(fn([own], P.u32), o, ex.take),
    borrowAndTake: canonLift(fn([borrow, own], P.u32), o, ex['borrow-and-take']),
  };
}

describe('table', () => {
  it('reserves 0, reuses freed slots, traps on unknown indices', () => {
    const t = new Table<string>();
    expect(t.add('a')).toBe(1);
    expect(t.add('b')).toBe(2);
    expect(t.remove(1)).toBe('a');
    expect(t.add('c')).toBe(1);
    expect(() => t.get(0)).toThrow('unknown handle index 0');
    expect(() => t.get(9)).toThrow('unknown handle index 9');
  });
});

describe('guest-defined resources seen from the host', () => {
  it('own handles become wrappers; dispose runs the dtor once', async () => {
    const c = await defineC();
    const r = c.make() as GuestResource;
    expect(r).toBeInstanceOf(getWrapperClass(c.rt));
    expect(getWrapperClass(c.rt).name).toBe('MyRes');
    expect(r.rep).toBe(0x41);
    expect(c.getRep(r)).toBe(0x41);
    expect(c.getRep(r)).toBe(0x41);
    r[Symbol.dispose]();
    r[Symbol.dispose]();
    expect(c.ex.dropped()).toBe(1);
    expect(() => c.getRep(r)).toThrow(/has been dropped/);
  });

  it('passing own moves the wrapper; the guest drop runs the dtor', async () => {
    const c = await defineC();
    const r = c.make() as GuestResource;
    expect(c.take(r)).toBe(0x41);
    expect(r.state).toBe('moved');
    expect(c.ex.dropped()).toBe(1);
    expect(() => c.take(r)).toThrow(/moved/);
  });

  it('the wrapper class cannot be constructed without a constructor export', async () => {
    const c = await defineC();
    const Cls = getWrapperClass(c.rt);
    expect(() => new Cls()).toThrow(/no constructor/);
  });
});

describe('guest-to-guest handles', () => {
  async function defineD() {
    const c = await defineC();
    const d = new ComponentInstance('d');
    const od = opts(d);
    const make = canonLower(fn([], c.own), od, c.make) as () => number;
    const getRep = canonLower(fn([c.borrow], P.u32), od, c.getRep) as (h: number) => number;
    const bat = canonLower(fn([c.borrow, c.own], P.u32), od, c.borrowAndTake) as (b: number, o: number) => number;
    const drop = canonResourceDrop(c.rt, d);
    const run = (body: () => number) => canonLift(fn([], P.u32), od, body)();
    return { c, d, make, getRep, bat, drop, run };
  }

  it('owns move into the caller table; borrows to the defining instance pass the rep', async () => {
    const { c, make, getRep, bat, drop, run } = await defineD();
    expect(
      run(() => {
        const h1 = make();
        if (h1 !== 1) return -1;
        if (getRep(h1) !== 0x41) return -2;
        const h2 = make();
        if (h2 !== 2) return -3;
        if (bat(h1, h2) !== 0x41) return -4;
        if (c.ex.dropped() !== 1) return -5;
        if (getRep(h1) !== 0x41) return -6; // lend ended with the call
        drop(h1);
        return c.ex.dropped();
      }),
    ).toBe(2);
  });

  it('lifting an own that is lent in the same call traps', async () => {
    const { make, bat, run } = await defineD();
    expect(() =>
      run(() => {
        const h = make();
        return bat(h, h);
      }),
    ).toThrow('cannot remove owned resource while borrowed');
  });

  it('handle checks in the builtins', async () => {
    const { c, drop, run } = await defineD();
    const other = createResourceType('other', c.inst, undefined);
    const host = createResourceType('host-thing', undefined);
    expect(() =>
      run(() => {
        drop(5);
        return 0;
      }),
    ).toThrow('unknown handle index 5');
    const d2 = await defineD();
    expect(() =>
      d2.run(() => {
        d2.drop(-1);
        return 0;
      }),
    ).toThrow('unknown handle index 4294967295');
    const d3 = await defineD();
    expect(() =>
      d3.run(() => {
        const h = d3.make();
        canonResourceDrop(createResourceType('other', d3.c.inst, undefined), d3.d)(h);
        return 0;
      }),
    ).toThrow(
      'handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource',
    );
    const d4 = await defineD();
    expect(() =>
      d4.run(() => {
        const h = d4.make();
        return canonResourceRep(host, d4.d)(h);
      }),
    ).toThrow('expected host-defined resource but found a guest-defined resource');
    void other;
  });

  it('borrows lent into a non-defining instance must be dropped before returning', async () => {
    const c = await defineC();
    const e = new ComponentInstance('e');
    const dropE = canonResourceDrop(c.rt, e);
    const keeps = canonLift(fn([c.borrow], P.u32), opts(e), (h: number) => h);
    const drops = canonLift(fn([c.borrow], P.u32), opts(e), (h: number) => {
      dropE(h);
      return h;
    });
    const r = c.make();
    expect(drops(r)).toBe(1);
    expect(() => keeps(r)).toThrow('borrow handles still remain at the end of the call');
  });

  it('resource.new checks may_leave; resource.rep returns the rep', async () => {
    const c = await defineC();
    const h = canonResourceNew(c.rt, c.inst)(0x99);
    expect(canonResourceRep(c.rt, c.inst)(h)).toBe(0x99);
    c.inst.mayLeave = false;
    expect(() => canonResourceNew(c.rt, c.inst)(1)).toThrow('cannot leave component instance');
  });
});

describe('host-defined resources', () => {
  class Thing {
    disposed = 0;
    n: number;
    constructor(n: number) {
      this.n = n;
    }
    [Symbol.dispose]() {
      this.disposed++;
    }
  }

  it('cross as the host object itself and are disposed on guest drop', () => {
    const rt = createResourceType('thing', undefined, undefined, Thing);
    const g = new ComponentInstance('g');
    const own: ValType = { kind: 'own', resource: rt };
    const borrow: ValType = { kind: 'borrow', resource: rt };
    const drop = canonResourceDrop(rt, g);
    let handle = 0;
    const keep = canonLift(fn([own], P.u32), opts(g), (h: number) => (handle = h));
    const t = new Thing(3);
    expect(keep(t)).toBe(1);
    // The guest passes a borrow back out to a host function: it sees the object.
    let seen: unknown;
    const lowered = canonLower(fn([borrow]), opts(g), (x: unknown) => {
      seen = x;
    }) as (h: number) => void;
    canonLift(fn([]), opts(g), () => lowered(handle))();
    expect(seen).toBe(t);
    canonLift(fn([]), opts(g), () => drop(handle))();
    expect(t.disposed).toBe(1);
    expect(() => keep({})).toThrow(/thing resource/);
    // borrow into a guest: a borrow handle, which it must drop
    const useB = canonLift(fn([borrow], P.u32), opts(g), (h: number) => {
      drop(h);
      return h;
    });
    expect(useB(t)).toBe(1);
    expect(t.disposed).toBe(1);
  });
});
