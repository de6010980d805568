// The package imports outside Node: no module of src/ imports a node: built-in as a value
// (builtins.ts loads them on first use); type-only imports are erased.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('node: built-ins', () => {
  it('are never imported as values by src/ (only `import type`)', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      // Every static import or re-export statement naming a node: module, but `import type`.
      const statements = text.match(/^(?:import|export)\b[^;]*?from\s+['"]node:[^'"]+['"]/gm) ?? [];
      const bare = text.match(/^import\s+['"]node:[^'"]+['"]/gm) ?? [];
      return [...statements.filter((s) => !/^(?:import|export)\s+type\b/.test(s)), ...bare].map(
        (s) => `${f.slice(SRC.length)}: ${s.replace(/\s+/g, ' ')}`,
      );
    });
    expect(offenders).toEqual([]);
  });
});
