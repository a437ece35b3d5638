import { defineConfig } from 'vitest/config';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

const alias = { '@': root };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['lib/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.redis.test.ts', '**/*.rabbitmq.test.ts', '**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['lib/**/*.redis.test.ts', 'lib/**/*.rabbitmq.test.ts', '**/*.int.test.ts'],
          exclude: ['node_modules/**'],
          // Real brokers: generous limits, waits are on conditions, never fixed sleeps (the
          // no-restricted-syntax rule for test files in eslint.config.mjs flags them).
          // test/contract/ runs each adapter, worker and control scenario against every kind.
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Two cores: run files in parallel but not too many broker connections at once.
          maxWorkers: 2,
        },
      },
    ],
  },
});
