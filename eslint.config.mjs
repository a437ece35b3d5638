import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ['node_modules/**', '.next/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'bench/results/**', 'dist/**'],
  },
  {
    // Routes and UI speak queue semantics only; broker clients stay inside lib/brokers.
    files: ['app/**', 'components/**', 'lib/client/**', 'lib/shared/**', 'lib/control/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['ioredis', 'amqplib'] }],
    },
  },
  {
    // Routes and UI call services and queries (lib/control, lib/server), never Triage's state
    // stores or broker adapters. Repeats the block above's paths: a later block's rule replaces it.
    files: ['app/**', 'components/**', 'lib/client/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['ioredis', 'amqplib'],
          patterns: [
            {
              group: ['@/lib/brokers', '@/lib/brokers/**', '@/lib/state', '@/lib/state/**', '**/lib/brokers', '**/lib/brokers/**', '**/lib/state', '**/lib/state/**', '../brokers', '../brokers/**', '../state', '../state/**'],
              message: 'Routes and UI go through lib/control or lib/server (queries.ts), not stores or adapters.',
            },
          ],
        },
      ],
    },
  },
  {
    // An effect's arrow must have a block body: whatever an expression body returns becomes
    // the effect's cleanup, and React calls it. Chromium's scrollIntoView returns a Promise,
    // which crashed the enqueue dialog ("i is not a function") on the next edit.
    files: ['app/**', 'components/**', 'lib/client/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name=/^use(Layout|Insertion)?Effect$/] > ArrowFunctionExpression[body.type!='BlockStatement'][body.type!='ArrowFunctionExpression']",
          message: 'Give the effect a block body: an expression body returns its value to React as the cleanup.',
        },
      ],
    },
  },
  {
    // No fixed sleeps in tests (vitest.config.mts): awaiting a timer to let time pass makes a
    // test slow when it is generous and flaky when it is not; wait on the condition instead
    // (test/support.ts waitFor). A timer awaited inside a loop is a poll interval and passes.
    files: ['**/*.test.ts', 'test/**/*.ts', 'lib/worker/test-harness.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            ":matches(Program, :function > BlockStatement, IfStatement > BlockStatement, TryStatement > BlockStatement, CatchClause > BlockStatement) > ExpressionStatement > AwaitExpression:matches([argument.type='NewExpression'][argument.callee.name='Promise']:has(CallExpression[callee.name='setTimeout']), [argument.type='CallExpression'][argument.callee.name=/^(setTimeout|sleep|delay)$/])",
          message: 'A fixed sleep: wait on a condition instead (waitFor in test/support.ts).',
        },
      ],
    },
  },
];

export default config;
