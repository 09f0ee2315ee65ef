import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioPackages = ['ioredis', 'undici', 'fastify', '@kubernetes/client-node', 'pino', 'prom-client'];
const ioNodeModules = ['node:net', 'node:fs', 'node:fs/promises', 'node:http', 'node:child_process', 'node:dgram'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'out/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-depth': ['warn', 4],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@kpa-ts/*/src/*', '@kpa-ts/*/internal/*'], message: 'Import a package by its name, not its src/ or internal/.' }] }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/main.ts', 'packages/cli/src/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // The pure core: no I/O, no clocks of its own.
    files: ['packages/scaling/src/**/*.ts', 'packages/config/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [...ioPackages, ...ioNodeModules].map((name) => ({ name, message: 'scaling and config are pure: no I/O packages.' })) }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Take the time as an argument (nowMs).' }, { object: 'Math', property: 'random', message: 'Take randomness as an argument.' }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'process'],
    },
  },
);
