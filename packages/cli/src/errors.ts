/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The longest message `oneLine` prints; a guest-controlled string may be megabytes long. */
export const MAX_MESSAGE = 2048;

/** One line, no stack, at most about `MAX_MESSAGE` characters: `DecodeError: bad section (at offset 12)`. */
export function oneLine(e: unknown): string {
  if (e instanceof Error) {
    const msg = elide(e.message.split('\n')[0] ?? '', MAX_MESSAGE);
    return e.name && e.name !== 'Error' ? `${e.name}: ${msg}` : msg;
  }
  return elide(String(e).split('\n')[0] ?? '', MAX_MESSAGE);
}

/**
 * `s`, or its first `max / 2` and last `max / 10` characters around `…(N more)…`:
 * the same elision as @weft/core's messages (core/src/host/short-name.ts), which
 * core does not export.
 */
export function elide(s: string, max = 1024): string {
  if (s.length <= max) return s;
  let head = Math.floor(max / 2);
  let tail = s.length - Math.floor(max / 10);
  if (/[\ud800-\udbff]/.test(s.charAt(head - 1))) head--;
  if (/[\udc00-\udfff]/.test(s.charAt(tail))) tail++;
  return `${s.slice(0, head)}…(${tail - head} more)…${s.slice(tail)}`;
}
