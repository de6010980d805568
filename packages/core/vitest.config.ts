import { defineConfig } from 'vitest/config';
export default defineConfig({
  resolve: { conditions: ['weft-source'] },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60000 },
});
