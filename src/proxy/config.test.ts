import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ConfigError, DEFAULT_PORT, parseCommandLine } from './config';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-config-'));
  await writeFile(path.join(dir, 'file.txt'), 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const action = parseCommandLine(argv, env);
  if (action.kind !== 'run') {
    throw new Error(`expected a run action, got ${action.kind}`);
  }
  return action.config;
}

describe('proxy configuration', () => {
  it('has safe defaults: loopback, the default port, no keys', () => {
    expect(run(['--data', dir])).toMatchObject({ host: '127.0.0.1', port: DEFAULT_PORT, apiKeys: [], logLevel: 'info' });
  });

  it('names roots after their folder unless named, and keeps names unique', () => {
    const config = run(['--data', dir, '--data', dir, '--data', `runs=${dir}`]);
    const base = path.basename(dir);
    expect(config.roots.map((r) => r.name)).toEqual([base, `${base}-2`, 'runs']);
    expect(config.roots.every((r) => r.path === dir)).toBe(true);
  });

  it('reads the environment when no option is given, and lets options win', () => {
    const env = { SIMVIZ_DATA: dir, SIMVIZ_PORT: '1234', SIMVIZ_API_KEYS: 'a, b,,', SIMVIZ_HOST: '0.0.0.0', SIMVIZ_LOG_LEVEL: 'debug' };
    expect(run([], env)).toMatchObject({ port: 1234, apiKeys: ['a', 'b'], host: '0.0.0.0', logLevel: 'debug' });
    expect(run(['--port', '0', '--api-key', 'c'], env)).toMatchObject({ port: 0, apiKeys: ['c'] });
  });

  it.each([
    [['--data', path.join('/nonexistent', 'x')], '--data: "/nonexistent/x" is not a directory'],
    [['--data', 'FILE'], 'is not a directory'],
    [['--data', 'DIR', '--port', '70000'], '--port: "70000" is not a TCP port'],
    [['--data', 'DIR', '--log-level', 'loud'], '--log-level: "loud" is not one of'],
    [['--data', 'DIR', '--colour', 'red'], "Unknown option '--colour'"],
    [[], 'no data root'],
  ])('rejects %j naming the problem', (argv, message) => {
    const args = argv.map((a) => (a === 'DIR' ? dir : a === 'FILE' ? path.join(dir, 'file.txt') : a));
    expect(() => parseCommandLine(args, {})).toThrow(ConfigError);
    expect(() => parseCommandLine(args, {})).toThrow(message);
  });

  it('names the environment variable at fault', () => {
    expect(() => parseCommandLine(['--data', dir], { SIMVIZ_PORT: 'x' })).toThrow('SIMVIZ_PORT: "x" is not a TCP port');
  });
});
