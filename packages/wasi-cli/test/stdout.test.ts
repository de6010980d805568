// Process stdout through real pipes to a child process (fdSink under a
// command, blocking and non-blocking).

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('process stdout through real pipes', () => {
  const child = fileURLToPath(new URL('./fixtures/run-child.ts', import.meta.url));
  const start = (args: string[], touch: boolean) =>
    spawn(process.execPath, ['--conditions=weft-source', child, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TOUCH_STDOUT: touch ? '1' : '0' },
    });
  const exited = (c: ReturnType<typeof start>) => new Promise<number | null>((r) => c.on('close', (code) => r(code)));

  for (const touch of [false, true]) {
    const how = touch ? 'a non-blocking' : 'a blocking';
    it(`delivers every byte in order through ${how} pipe to a slow reader`, async () => {
      const total = 3 * 1024 * 1024 + 5;
      const c = start(['big', String(total)], touch);
      const parts: Buffer[] = [];
      let err = '';
      c.stderr.on('data', (d) => (err += d));
      // pause now and then so the pipe fills and writes would block
      c.stdout.on('data', (d: Buffer) => {
        parts.push(d);
        if (parts.length % 8 === 0) {
          c.stdout.pause();
          setTimeout(() => c.stdout.resume(), 5);
        }
      });
      expect(await exited(c)).toBe(0);
      expect(err).toBe('');
      const all = Buffer.concat(parts);
      expect(all.length).toBe(total);
      for (let i = 0; i < total; i += 4099) {
        const want = (i % 1048576) % 64 === 63 ? 10 : 97 + ((i % 1048576) % 26);
        if (all[i] !== want) throw new Error(`byte ${i} is ${all[i]}, want ${want}`);
      }
    }, 30_000);

    it(`ends cleanly when the reader of ${how} pipe goes away (| head -1)`, async () => {
      const c = start(['lines'], touch);
      let err = '';
      c.stderr.on('data', (d) => (err += d));
      await new Promise<void>((resolve) => {
        c.stdout.once('data', () => {
          c.stdout.destroy();
          resolve();
        });
      });
      expect(await exited(c)).toBe(0);
      expect(err).toBe('');
    }, 30_000);
  }
});
