import { defineConfig } from 'vitest/config';
export default defineConfig({
  resolve: { conditions: ['weft-source'] },
  ssr: { resolve: { conditions: ['weft-source'], externalConditions: ['weft-source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 90_000 },
});
