import { shortName } from '@weft/core';

/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The longest message `oneLine` prints; a guest-controlled string may be megabytes long. */
export const MAX_MESSAGE = 2048;

/** One line, no stack, at most about `MAX_MESSAGE` characters: `DecodeError: bad section (at offset 12)`. */
export function oneLine(e: unknown): string {
  if (e instanceof Error) {
    const msg = shortName(e.message.split('\n')[0] ?? '', MAX_MESSAGE);
    return e.name && e.name !== 'Error' ? `${e.name}: ${msg}` : msg;
  }
  return shortName(String(e).split('\n')[0] ?? '', MAX_MESSAGE);
}
