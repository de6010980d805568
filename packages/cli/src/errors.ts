/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One line, no stack: `DecodeError: bad section (at offset 12)`. */
export function oneLine(e: unknown): string {
  if (e instanceof Error) {
    const msg = e.message.split('\n')[0] ?? '';
    return e.name && e.name !== 'Error' ? `${e.name}: ${msg}` : msg;
  }
  return String(e);
}
