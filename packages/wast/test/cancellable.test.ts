import { describe, expect, it } from 'vitest';
import { assembleText } from '../src/assemble.ts';
import { findCancelBytes, patchCancellable, stripCancellable } from '../src/cancellable.ts';
import { readAll, type SList } from '../src/sexpr.ts';

const text = `(component
  (core module $m (memory (export "mem") 1))
  (core instance $i (instantiate $m))
  (core func $w (canon waitable-set.wait cancellable (memory $i "mem")))
  (component $inner (core func $y (canon thread.yield)))
  (core func $p (canon waitable-set.poll (memory $i "mem")))
  (core func $y2 (canon thread.yield cancellable)))`;

describe('cancellable', () => {
  it('strips the immediates and patches the right bytes', async () => {
    const form = readAll(text)[0] as SList;
    const s = stripCancellable(text, form);
    expect(s.flags).toEqual([true, false, false, true]);
    expect(s.text).not.toContain('cancellable');
    const plain = await assembleText(s.text);
    const sites = findCancelBytes(plain);
    expect(sites.map((o) => plain[o - 1])).toEqual([0x20, 0x0c, 0x21, 0x0c]);
    expect(sites.map((o) => plain[o])).toEqual([0, 0, 0, 0]);
    const patched = patchCancellable(plain, s.flags);
    expect(sites.map((o) => patched[o])).toEqual([1, 0, 0, 1]);
    expect(patched.length).toBe(plain.length);
  });

  it('refuses when the text and binary disagree', () => {
    expect(() => patchCancellable(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), [true])).toThrow(/found 0/);
  });
});
