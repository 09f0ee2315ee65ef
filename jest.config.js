// One jest run over every package, so the totals line covers all suites.
// Integration suites (*.integration.test.ts: real Redis, real processes, real sockets) run when
// KPA_INTEGRATION=1, which scripts/test sets; a plain `pnpm test:unit` runs the pure ones only.
import { existsSync } from 'node:fs';

const integration = process.env.KPA_INTEGRATION === '1';

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['packages', 'e2e'].filter((d) => existsSync(new URL(d, import.meta.url))).map((d) => `<rootDir>/${d}`),
  testMatch: ['**/test/**/*.test.ts', '<rootDir>/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', ...(integration ? [] : ['\\.integration\\.test\\.ts$'])],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    '^@kpa-ts/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    // a subpath export (`@kpa-ts/kube/testing`) → src/<subpath>.ts
    '^@kpa-ts/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30_000,
};
