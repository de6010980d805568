// wasi:clocks@0.2 and wasi:random@0.2 over the same clock and random sources
// as the 0.3 host, so a component that imports both versions (every
// componentize-qjs command does, through its libc) sees one virtual clock and
// one seed. Only the real clock's pollables come from preview2-shim: they
// block synchronously in its I/O worker, which a guest that cannot suspend needs.

import * as shimClocks from '@bytecodealliance/preview2-shim/clocks';
import { type Clock, RealClock, toInstant } from '@weft/wasi-clocks';
import type { RandomImports } from '@weft/wasi-random';
import { CheckPollable } from './pollables.ts';
import type { WasiP2Imports } from './types.ts';

export function clockImports(clock: Clock | undefined, v: string): WasiP2Imports {
  const wall = {
    now: () => toInstant(clock !== undefined ? clock.systemNow() : BigInt(Date.now()) * 1_000_000n),
    resolution: () => toInstant(clock?.systemResolution ?? 1_000_000n),
  };
  if (clock === undefined || clock instanceof RealClock) {
    return {
      [`wasi:clocks/monotonic-clock@${v}`]: shimClocks.monotonicClock as Record<string, unknown>,
      [`wasi:clocks/wall-clock@${v}`]: wall,
    };
  }
  // A virtual (or custom) clock: time moves only when the embedder says so,
  // so a pollable can only be waited for by suspending the guest.
  const pollable = (mark: bigint) =>
    new CheckPollable(
      () => clock.now() >= mark,
      () => clock.waitUntil(mark),
    );
  return {
    [`wasi:clocks/monotonic-clock@${v}`]: {
      now: () => clock.now(),
      resolution: () => clock.resolution,
      subscribeInstant: (when: bigint) => pollable(when),
      subscribeDuration: (d: bigint) => pollable(clock.now() + d),
    },
    [`wasi:clocks/wall-clock@${v}`]: wall,
  };
}

/** The 0.2 names of the 0.3 random host's functions (the same sources, the same seed). */
export function randomImports(random: RandomImports, v: string): WasiP2Imports {
  const imports: WasiP2Imports = {
    [`wasi:random/insecure@${v}`]: { ...random['wasi:random/insecure@0.3.0'] },
    [`wasi:random/insecure-seed@${v}`]: { insecureSeed: random['wasi:random/insecure-seed@0.3.0'].getInsecureSeed },
  };
  const secure = random['wasi:random/random@0.3.0'];
  if (secure !== undefined) imports[`wasi:random/random@${v}`] = { ...secure };
  return imports;
}
