// Registers hooks that fail a test if anything escaped as an unhandled
// rejection or an uncaught exception while it ran (or just after).
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export function failOnEscapes(): void {
  const escaped: unknown[] = [];
  const onEscape = (e: unknown) => {
    escaped.push(e);
  };
  beforeAll(() => {
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
  });
  afterAll(() => {
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
  });
  afterEach(async () => {
    // Let stray microtasks and macrotasks run, then check nothing escaped.
    await new Promise((res) => setTimeout(res, 20));
    expect(escaped.splice(0)).toEqual([]);
  });
}
