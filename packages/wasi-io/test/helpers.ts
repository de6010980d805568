export const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads a StreamReader / AsyncIterable of bytes to the end. */
export async function readAll(src: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of src) parts.push(c.slice());
  const out = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of parts) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export const text = (b: Uint8Array) => new TextDecoder().decode(b);

export function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
