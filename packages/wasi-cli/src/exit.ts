// exit / exit-with-code never return to the guest: the host throws WasiExit,
// which unwinds the guest's stack; runCommand catches it and reports the code.

export class WasiExit extends Error {
  override name = 'WasiExit';
  readonly code: number;
  constructor(code: number) {
    super(`the component exited with code ${code}`);
    this.code = code;
  }
}

export function isWasiExit(e: unknown): e is WasiExit {
  return (
    e instanceof WasiExit || (e instanceof Error && e.name === 'WasiExit' && typeof (e as WasiExit).code === 'number')
  );
}

/** Finds a WasiExit an error was caused by (core may wrap host errors as the trap's cause). */
export function findWasiExit(e: unknown): WasiExit | undefined {
  for (let i = 0; i < 8 && e !== undefined && e !== null; i++) {
    if (isWasiExit(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function throwExit(code: number): never {
  throw new WasiExit(code);
}
