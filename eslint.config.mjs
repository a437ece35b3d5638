import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ['node_modules/**', '.next/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'bench/results/**'],
  },
  {
    // Routes and UI speak queue semantics only; broker clients stay inside lib/brokers.
    files: ['app/**', 'components/**', 'lib/client/**', 'lib/shared/**', 'lib/control/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['ioredis', 'amqplib'] }],
    },
  },
];

export default config;
