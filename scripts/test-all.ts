/**
 * `npm test`: every check the project has, in order, with one plain summary line at the end:
 *
 *   typecheck · lint · import cycles · build (plugin, proxy bundle, backend executable) · package + validate (plugin zip)
 *   · jest (ui + server + scripts) · Grafana host (Go: the backend as Grafana's plugin manager runs it)
 *   · browser harness (Playwright)
 *   · Grafana e2e (only with GRAFANA_URL)
 *
 * Each check that is not a test runner counts as one test. The line `N passed, N failed` is also
 * written to .test-results/summary.json for CI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { executablePath } from './build-backend';

const REPO = path.resolve(__dirname, '..');
const RESULTS = path.join(REPO, '.test-results');

interface StageResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): boolean {
  const result = spawnSync(command, args, { cwd: REPO, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status === 0;
}

function npx(args: string[], env?: NodeJS.ProcessEnv): boolean {
  return run(process.platform === 'win32' ? 'npx.cmd' : 'npx', args, env);
}

function timed(name: string, body: () => Omit<StageResult, 'name' | 'seconds'>): StageResult {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const counts = body();
  return { name, ...counts, seconds: (Date.now() - started) / 1000 };
}

function check(ok: boolean): Omit<StageResult, 'name' | 'seconds'> {
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
}

function jestStage(): Omit<StageResult, 'name' | 'seconds'> {
  const output = path.join(RESULTS, 'jest.json');
  const ok = npx(['jest', '--ci', '-i', '--json', `--outputFile=${output}`]);
  const report = readJson<JestReport>(output);
  if (!report) {
    return { passed: 0, failed: 1, skipped: 0 };
  }
  // A suite that fails to load has no test results of its own: count it as a failure.
  const failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
  return { passed: report.numPassedTests, failed: failed === 0 && !ok ? 1 : failed, skipped: report.numPendingTests };
}

interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  errors?: unknown[];
}

function playwrightStage(config: string, reportName: string, env?: NodeJS.ProcessEnv): Omit<StageResult, 'name' | 'seconds'> {
  const output = path.join(RESULTS, reportName);
  rmSync(output, { force: true });
  const ok = npx(['playwright', 'test', '-c', config, '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: output, ...env });
  const report = readJson<PlaywrightReport>(output);
  if (!report) {
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const { expected, unexpected, flaky, skipped } = report.stats;
  // Flaky tests passed only on retry; with retries off they cannot happen, and they never count as passes.
  const failed = unexpected + flaky + (report.errors?.length ?? 0);
  return { passed: expected, failed: failed === 0 && !ok ? 1 : failed, skipped };
}

interface GoTestEvent {
  Action: string;
  Test?: string;
  Package?: string;
}

/** Whether a command is on PATH. */
function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * tests/grafana-host: `go test` starts the built backend executable with hashicorp/go-plugin and
 * grafana-plugin-sdk-go, as Grafana does. Each Go test (and subtest) counts; a package that fails
 * to build counts as one failure.
 */
function grafanaHostStage(executable: string): Omit<StageResult, 'name' | 'seconds'> {
  const result = spawnSync('go', ['test', './...', '-count=1', '-json', '-timeout', '15m'], {
    cwd: path.join(REPO, 'tests/grafana-host'),
    env: { ...process.env, SIMVIZ_BACKEND: executable },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const events = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as GoTestEvent);
  const tests = events.filter((event) => event.Test !== undefined);
  for (const event of events.filter((e) => e.Action === 'output')) {
    process.stdout.write((event as GoTestEvent & { Output?: string }).Output ?? '');
  }
  process.stderr.write(result.stderr);
  const count = (action: string) => tests.filter((event) => event.Action === action).length;
  const packageFailures = events.filter((event) => event.Test === undefined && event.Action === 'fail').length;
  const failed = count('fail') + (count('fail') === 0 ? packageFailures : 0);
  // No test passing at all means the suite did not really run (a missing executable skips every test).
  const ran = count('pass') > 0;
  return { passed: count('pass'), failed: failed === 0 && (result.status !== 0 || !ran) ? 1 : failed, skipped: count('skip') };
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The browser tests drive Debian's Chromium (Playwright cannot download its own here). On a fresh
 * Debian machine run as root, install it; otherwise say exactly what is missing.
 */
function ensureChromium(): boolean {
  if (existsSync(CHROMIUM)) {
    return true;
  }
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log(`${CHROMIUM} is missing: installing Debian's chromium package`);
    return run('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq chromium >/dev/null']) && existsSync(CHROMIUM);
  }
  console.error(`${CHROMIUM} is missing: install it with "sudo apt-get install chromium" (or set CHROMIUM_PATH)`);
  return false;
}

function main(): number {
  mkdirSync(RESULTS, { recursive: true });
  const stages: StageResult[] = [];
  const notRun: string[] = [];
  stages.push(timed('typecheck', () => check(npx(['tsc', '--noEmit']))));
  stages.push(timed('lint', () => check(npx(['eslint', '--cache', '.']))));
  // One engine, two servers: the layers stay acyclic (madge follows the tsconfig's resolution).
  stages.push(timed('no import cycles (madge)', () => check(npx(['madge', '--circular', '--extensions', 'ts,tsx', '--ts-config', 'tsconfig.json', 'src', 'tests', 'scripts']))));
  const build = timed('build (plugin, proxy bundle, backend executable)', () =>
    check(
      npx(['webpack', '-c', './webpack.config.ts', '--env', 'production']) &&
        npx(['tsx', 'scripts/build-proxy.ts']) &&
        npx(['tsx', 'scripts/build-backend.ts'])
    )
  );
  stages.push(build);
  const built = build.failed === 0;
  // The catalog zip of dist/ and the offline checks of it (scripts/validate): one test.
  stages.push(
    timed('package and validate (plugin zip)', () =>
      check(built && npx(['tsx', 'scripts/package.ts']) && npx(['tsx', 'scripts/validate/cli.ts']))
    )
  );
  stages.push(timed('unit and API tests (jest)', jestStage));
  if (onPath('go')) {
    stages.push(
      timed('Grafana host (Go: go-plugin + grafana-plugin-sdk-go)', () =>
        built ? grafanaHostStage(executablePath()) : { passed: 0, failed: 1, skipped: 0 }
      )
    );
  } else {
    notRun.push('the Grafana-host tests (tests/grafana-host) did NOT run: `go` is not on PATH. Install Go 1.22+ to run them; CI requires it.');
  }
  stages.push(
    timed('browser harness (Playwright, Debian Chromium)', () =>
      built && ensureChromium() ? playwrightStage('playwright.harness.config.ts', 'playwright.json') : { passed: 0, failed: 1, skipped: 0 }
    )
  );
  if (process.env.GRAFANA_URL) {
    stages.push(timed('Grafana e2e (plugin-e2e)', () => playwrightStage('playwright.config.ts', 'e2e.json')));
  } else {
    console.log('\nGrafana e2e specs (tests/e2e) skipped: set GRAFANA_URL to run them against a running Grafana.');
  }

  const passed = stages.reduce((sum, s) => sum + s.passed, 0);
  const failed = stages.reduce((sum, s) => sum + s.failed, 0);
  console.log('\n=== summary ===');
  for (const s of stages) {
    console.log(`${s.failed ? 'FAIL' : 'ok  '} ${s.name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped (${s.seconds.toFixed(0)} s)`);
  }
  for (const what of notRun) {
    console.log(`NOT RUN: ${what}`);
  }
  const line = `${passed} passed, ${failed} failed`;
  writeFileSync(path.join(RESULTS, 'summary.json'), JSON.stringify({ passed, failed, line, stages }, null, 2));
  console.log(line);
  return failed === 0 ? 0 : 1;
}

process.exit(main());
