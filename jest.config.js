// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

/**
 * Projects on the scaffold's base config: the Grafana UI code runs in jsdom; the engine, the proxy,
 * the backend and the fuzzer (and the contract they share with the datasource) in plain Node, where
 * they really run.
 */
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'ui',
      testPathIgnorePatterns: ['<rootDir>/src/proxy/', '<rootDir>/src/engine/', '<rootDir>/src/backend/', '<rootDir>/node_modules/'],
    },
    {
      ...base,
      displayName: 'server',
      testEnvironment: 'node',
      setupFilesAfterEnv: [],
      // fastify's inject (the backend's folder mode) reaches `cookie`, which ships only as ES modules.
      transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, 'cookie'])],
      testMatch: ['<rootDir>/src/{engine,proxy,backend}/**/*.test.ts', '<rootDir>/tests/fuzz/**/*.test.ts', '<rootDir>/tests/harness/**/*.test.ts'],
    },
    {
      ...base,
      displayName: 'scripts',
      testEnvironment: 'node',
      setupFilesAfterEnv: [],
      testMatch: ['<rootDir>/scripts/**/*.test.ts'],
    },
  ],
};
