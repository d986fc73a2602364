// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

/**
 * Two projects on the scaffold's base config: the Grafana UI code runs in jsdom, the proxy (and the
 * contract it shares with the datasource) in plain Node, where it really runs.
 */
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'ui',
      testPathIgnorePatterns: ['<rootDir>/src/proxy/', '<rootDir>/node_modules/'],
    },
    {
      ...base,
      displayName: 'proxy',
      testEnvironment: 'node',
      setupFilesAfterEnv: [],
      testMatch: ['<rootDir>/src/proxy/**/*.test.ts'],
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
