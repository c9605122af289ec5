import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/*
 * Import boundaries: the data path runs one way (routes → services → repositories; shared beneath
 * everything; the console and the server meet only in shared/). Each file falls in exactly one of
 * the groups below, since a later config block replaces an earlier one's options for a rule.
 */
const TESTS = ['**/*.test.ts', 'server/testing/**', 'server/tests/**'];
/** Where the framework is allowed: the HTTP layer, the live gateway and the composition root. */
const FRAMEWORK_EDGE = [
  '**/*.routes.ts',
  'server/infra/http/**',
  'server/identity/auth.plugin.ts',
  'server/live/live.ts',
  'server/live/live.gateway.ts',
  'server/live/origin.ts',
  'server/infra/logging.ts',
  'server/infra/request-id.ts',
  'server/app.ts',
  'server/runtime.ts',
  'server/main.ts',
];
/** Not served: benchmarks may use the test harness. */
const BENCHES = ['server/history/replay-bench.ts'];
const restricted = (...patterns) => ['error', { patterns }];
const NO_FRAMEWORK = {
  regex: '^(fastify|fastify-[\\w-]+|@fastify/.*|socket\\.io|engine\\.io|ws)(/.*)?$',
  message: 'Services, repositories and pure modules import no framework: the HTTP layer adapts them.',
};
const NO_HTTP_LAYER = {
  regex: '(\\.routes\\.ts$|(^|/)infra/http/)',
  message: 'Only the composition root (app.ts) reaches the HTTP layer.',
};
const NO_SERVICES = {
  regex: '\\.service\\.ts$',
  message: 'Repositories import no services: services call repositories.',
};
const NO_STORAGE = {
  regex:
    '(^(ioredis|pg|kysely)(/.*)?$|\\.repository\\.ts$|(^|/)log/event-store\\.ts$|(^|/)infra/redis[\\w-]*\\.ts$)',
  message: 'Routes call services; services own the repositories and connections.',
};
const NO_TESTING = {
  regex: '(^|/)testing/',
  message: 'server/testing/ is the test harness; production code must not depend on it.',
};

export default ts.config(
  { ignores: ['node_modules', 'dist', 'data', 'coverage', 'server/data/demo'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests poke at JSON answers; typing every one of them would say nothing.
    files: ['**/*.test.ts', 'server/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Type-aware, for one rule: a promise nobody awaits (or marks `void`) loses its error, and a
    // test or a shutdown may finish before it does. Only files a tsconfig covers (.svelte files
    // are svelte-check's).
    files: [
      'server/**/*.ts',
      'shared/**/*.ts',
      'scripts/**/*.ts',
      'client/src/**/*.ts',
      'client/tests/**/*.ts',
    ],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // Services, pure modules and the rest of the core.
    files: ['server/**/*.ts'],
    ignores: [...TESTS, ...FRAMEWORK_EDGE, ...BENCHES, '**/*.repository.ts'],
    rules: { 'no-restricted-imports': restricted(NO_FRAMEWORK, NO_HTTP_LAYER, NO_TESTING) },
  },
  {
    files: BENCHES,
    rules: { 'no-restricted-imports': restricted(NO_FRAMEWORK, NO_HTTP_LAYER) },
  },
  {
    files: ['server/**/*.repository.ts'],
    ignores: TESTS,
    rules: { 'no-restricted-imports': restricted(NO_FRAMEWORK, NO_HTTP_LAYER, NO_SERVICES, NO_TESTING) },
  },
  {
    files: ['server/**/*.routes.ts'],
    ignores: TESTS,
    rules: { 'no-restricted-imports': restricted(NO_STORAGE, NO_TESTING) },
  },
  {
    files: FRAMEWORK_EDGE.filter((g) => g !== '**/*.routes.ts'),
    ignores: TESTS,
    rules: { 'no-restricted-imports': restricted(NO_TESTING) },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted({
        regex: '^\\.{1,2}/(\\.\\./)*(server|client)(/|$)',
        message: 'shared/ is beneath both sides: it imports nothing from server/ or client/.',
      }),
    },
  },
  {
    files: ['client/**/*.ts', 'client/**/*.svelte'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restricted({
        regex: '^\\.{1,2}/(\\.\\./)*server(/|$)',
        message:
          'The console talks to the server over HTTP and the feed; the types it shares are in shared/.',
      }),
    },
  },
  {
    // The console's tests may share the server's fuzz runner, nothing else of the server.
    files: ['client/**/*.test.ts'],
    rules: {
      'no-restricted-imports': restricted({
        regex: '^\\.{1,2}/(\\.\\./)*server/(?!testing/)',
        message: 'Client tests may use server/testing/ (the shared fuzz runner), nothing else of the server.',
      }),
    },
  },
);
