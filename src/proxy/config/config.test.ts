import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ConfigError, DEFAULT_CACHE_MAX_BYTES, DEFAULT_PORT, DEFAULT_UPLOAD_MAX_BYTES, parseCommandLine, type ProxyConfig } from './config';
import { makeSelfSignedCertificate, type TestCertificate } from '../../../tests/support/tls';

let dir: string;
let certificate: TestCertificate;
let other: TestCertificate;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-config-'));
  await writeFile(path.join(dir, 'file.txt'), 'x');
  certificate = makeSelfSignedCertificate(dir, 'one');
  other = makeSelfSignedCertificate(dir, 'two');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(argv: string[], env: NodeJS.ProcessEnv = {}): ProxyConfig {
  const action = parseCommandLine(argv, env, dir);
  if (action.kind !== 'run') {
    throw new Error(`expected a run action, got ${action.kind}`);
  }
  return action.config;
}

/** Writes a config file into a fresh folder (with a `results` folder next to it) and returns its path. */
async function configFile(yaml: string, name = 'simviz.yaml'): Promise<string> {
  const folder = await mkdtemp(path.join(dir, 'conf-'));
  mkdirSync(path.join(folder, 'results'));
  const file = path.join(folder, name);
  await writeFile(file, yaml);
  return file;
}

function failure(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseCommandLine(argv, env, dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('proxy configuration', () => {
  it('has safe defaults: loopback, the default port, no keys, CORS and TLS off, open metrics', () => {
    expect(run(['--data', dir])).toEqual({
      roots: [{ name: path.basename(dir), path: dir }],
      host: '127.0.0.1',
      port: DEFAULT_PORT,
      apiKeys: [],
      logLevel: 'info',
      cacheDir: expect.stringContaining('simviz-proxy-cache'),
      cacheMaxBytes: DEFAULT_CACHE_MAX_BYTES,
      responseCacheBytes: 64 * 1024 ** 2,
      uploadDir: undefined,
      uploadMaxBytes: DEFAULT_UPLOAD_MAX_BYTES,
      metrics: { protected: false },
      cors: { origins: [] },
      tls: undefined,
      shutdownTimeoutMs: 10_000,
      watch: 'on',
      settleMs: 3000,
      workers: 1,
      regressionTolerances: {},
    });
    expect(DEFAULT_CACHE_MAX_BYTES).toBe(2 * 1024 ** 3);
  });

  it('names roots after their folder unless named, and keeps names unique', () => {
    const config = run(['--data', dir, '--data', dir, '--data', `runs=${dir}`]);
    const base = path.basename(dir);
    expect(config.roots.map((r) => r.name)).toEqual([base, `${base}-2`, 'runs']);
    expect(config.roots.every((r) => r.path === dir)).toBe(true);
  });

  it('reads the environment when no option is given, and lets options win', () => {
    const env = { SIMVIZ_DATA: dir, SIMVIZ_PORT: '1234', SIMVIZ_API_KEYS: 'a, b,,', SIMVIZ_HOST: '0.0.0.0', SIMVIZ_LOG_LEVEL: 'debug' };
    expect(run([], env)).toMatchObject({
      port: 1234,
      apiKeys: [
        { key: 'a', scopes: ['read'] },
        { key: 'b', scopes: ['read'] },
      ],
      host: '0.0.0.0',
      logLevel: 'debug',
    });
    expect(run(['--port', '0', '--api-key', 'c'], env)).toMatchObject({ port: 0, apiKeys: [{ key: 'c', scopes: ['read'] }] });
  });

  it('reads every new setting from options and from the environment', () => {
    const fromOptions = run([
      '--data',
      dir,
      '--cache-max-bytes',
      '500MB',
      '--response-cache-bytes',
      '0',
      '--upload-max-bytes',
      '1GiB',
      '--metrics-protected',
      '--cors-origin',
      'https://a.example',
      '--cors-origin',
      'http://localhost:3000',
      '--shutdown-timeout',
      '2.5',
    ]);
    expect(fromOptions).toMatchObject({
      cacheMaxBytes: 500e6,
      responseCacheBytes: 0,
      uploadMaxBytes: 1024 ** 3,
      metrics: { protected: true },
      cors: { origins: ['https://a.example', 'http://localhost:3000'] },
      shutdownTimeoutMs: 2500,
    });
    const fromEnvironment = run([], {
      SIMVIZ_DATA: dir,
      SIMVIZ_CACHE_MAX_BYTES: '0',
      SIMVIZ_RESPONSE_CACHE_BYTES: '16MiB',
      SIMVIZ_UPLOAD_MAX_BYTES: '1048576',
      SIMVIZ_METRICS_PROTECTED: 'true',
      SIMVIZ_CORS_ORIGINS: 'https://a.example, https://b.example:8443',
      SIMVIZ_SHUTDOWN_TIMEOUT: '30',
    });
    expect(fromEnvironment).toMatchObject({
      cacheMaxBytes: 0,
      responseCacheBytes: 16 * 1024 ** 2,
      uploadMaxBytes: 1048576,
      metrics: { protected: true },
      cors: { origins: ['https://a.example', 'https://b.example:8443'] },
      shutdownTimeoutMs: 30_000,
    });
  });

  it('gives write keys read and write, and merges a key listed as both', () => {
    expect(run(['--data', dir, '--api-key', 'r', '--write-api-key', 'w', '--api-key', 'w']).apiKeys).toEqual([
      { key: 'r', scopes: ['read'] },
      { key: 'w', scopes: ['read', 'write'] },
    ]);
    expect(run([], { SIMVIZ_DATA: dir, SIMVIZ_WRITE_API_KEYS: 'up1,up2' }).apiKeys).toEqual([
      { key: 'up1', scopes: ['read', 'write'] },
      { key: 'up2', scopes: ['read', 'write'] },
    ]);
  });

  it('takes the keys as a whole from the highest source that has any', () => {
    const env = { SIMVIZ_DATA: dir, SIMVIZ_API_KEYS: 'env-read', SIMVIZ_WRITE_API_KEYS: 'env-write' };
    expect(run(['--write-api-key', 'cli'], env).apiKeys).toEqual([{ key: 'cli', scopes: ['read', 'write'] }]);
  });

  it('makes the upload folder (created if missing) the data root "uploads", after the others', () => {
    const uploads = path.join(dir, 'new', 'uploads-here');
    const config = run(['--upload-dir', uploads]);
    expect(statSync(uploads).isDirectory()).toBe(true);
    expect(config.uploadDir).toBe(uploads);
    expect(config.roots).toEqual([{ name: 'uploads', path: uploads }]);
    const runs = path.join(dir, 'runs');
    mkdirSync(runs, { recursive: true });
    const withRoots = run([`--data=runs=${runs}`], { SIMVIZ_UPLOAD_DIR: 'relative-uploads' });
    expect(withRoots.roots).toEqual([
      { name: 'runs', path: runs },
      { name: 'uploads', path: path.join(dir, 'relative-uploads') },
    ]);
  });

  it.each([
    [['--data', path.join('/nonexistent', 'x')], '--data: "/nonexistent/x" is not a directory'],
    [['--data', 'FILE'], 'is not a directory'],
    [['--data', 'DIR', '--port', '70000'], '--port: "70000" is not a TCP port'],
    [['--data', 'DIR', '--log-level', 'loud'], '--log-level: "loud" is not one of'],
    [['--data', 'DIR', '--watch', 'sometimes'], '--watch: "sometimes" is not one of on, off, poll'],
    [['--data', 'DIR', '--settle-time', 'soon'], '--settle-time: "soon" is not a number of seconds'],
    [['--data', 'DIR', '--workers', '0'], '--workers: "0" is not a number of workers (1-256, or auto)'],
    [['--data', 'DIR', '--colour', 'red'], "Unknown option '--colour'"],
    [['--data', 'DIR', '--cache-max-bytes', '2 parsecs'], '--cache-max-bytes: "2 parsecs" is not a size'],
    [['--data', 'DIR', '--cors-origin', 'https://a.example/'], '--cors-origin: "https://a.example/" is not an origin'],
    [['--data', 'DIR', '--cors-origin', '*'], '--cors-origin: "*" is not an origin'],
    [['--data', 'DIR', '--api-key', 'two words'], '--api-key: an API key must not contain whitespace'],
    [['--data', 'DIR', '--shutdown-timeout=-1'], '--shutdown-timeout: "-1" is not a number of seconds'],
    [['--data', 'DIR', '--shutdown-timeout', 'soon'], '--shutdown-timeout: "soon" is not a number of seconds'],
    [['--data', 'DIR', '--upload-dir', 'DIR/inside'], 'overlaps the data root'],
    [['--data', 'uploads=DIR', '--upload-dir', 'DIR/up'], 'already has that name; name that root differently'],
    [['--data', 'DIR', '--upload-dir', 'FILE'], '--upload-dir: '],
    [[], 'no data root'],
  ])('rejects %j naming the problem', (argv, message) => {
    const args = argv.map((a) => a.replace('FILE', path.join(dir, 'file.txt')).replace('DIR', dir));
    expect(failure(args)).toContain(message);
  });

  it('names the environment variable at fault', () => {
    expect(failure(['--data', dir], { SIMVIZ_PORT: 'x' })).toBe('SIMVIZ_PORT: "x" is not a TCP port (0-65535)');
    expect(failure(['--data', dir], { SIMVIZ_METRICS_PROTECTED: 'maybe' })).toBe('SIMVIZ_METRICS_PROTECTED: "maybe" is not a boolean (true or false)');
    expect(failure(['--data', dir], { SIMVIZ_CORS_ORIGINS: 'grafana.example' })).toContain('SIMVIZ_CORS_ORIGINS: "grafana.example" is not an origin');
  });

  it('treats empty environment variables as unset', () => {
    expect(run(['--data', dir], { SIMVIZ_PORT: '', SIMVIZ_API_KEYS: '', SIMVIZ_HOST: ' ' })).toMatchObject({ port: DEFAULT_PORT, apiKeys: [], host: '127.0.0.1' });
  });
});

describe('config file', () => {
  it('reads every key, resolving paths against the file’s folder', async () => {
    const file = await configFile(`
data:
  - results
  - name: named
    path: ./results
  - again=results
port: 9900
host: 0.0.0.0
logLevel: warn
cacheDir: cache
cacheMaxBytes: 3GiB
responseCacheBytes: 128MiB
apiKeys:
  - key: reader-key
  - key: writer-key
    scopes: [read, write]
  - keyFile: uploader.key
    scopes: [write]
uploadDir: uploads
uploadMaxBytes: 104857600
metrics:
  protected: true
cors:
  origins: [https://grafana.example.com]
tls:
  cert: ${certificate.cert}
  key: ${certificate.key}
shutdownTimeout: 20
watch: poll
settleTime: 0.5
workers: 3
regression:
  tolerances:
    relative: 0.004
`);
    const folder = path.dirname(file);
    await writeFile(path.join(folder, 'uploader.key'), 'from-a-file\n');
    expect(run(['--config', file])).toEqual({
      roots: [
        { name: 'results', path: path.join(folder, 'results') },
        { name: 'named', path: path.join(folder, 'results') },
        { name: 'again', path: path.join(folder, 'results') },
        { name: 'uploads', path: path.join(folder, 'uploads') },
      ],
      port: 9900,
      host: '0.0.0.0',
      logLevel: 'warn',
      cacheDir: path.join(folder, 'cache'),
      cacheMaxBytes: 3 * 1024 ** 3,
      responseCacheBytes: 128 * 1024 ** 2,
      apiKeys: [
        { key: 'reader-key', scopes: ['read'] },
        { key: 'writer-key', scopes: ['read', 'write'] },
        { key: 'from-a-file', scopes: ['write'] },
      ],
      uploadDir: path.join(folder, 'uploads'),
      uploadMaxBytes: 104857600,
      metrics: { protected: true },
      cors: { origins: ['https://grafana.example.com'] },
      tls: { cert: certificate.cert, key: certificate.key },
      shutdownTimeoutMs: 20_000,
      watch: 'poll',
      settleMs: 500,
      workers: 3,
      regressionTolerances: { relative: 0.004 },
    });
  });

  it('is overridden by the environment, which is overridden by options (SIMVIZ_CONFIG names it too)', async () => {
    const file = await configFile('data: [results]\nport: 1000\nhost: 10.0.0.1\nlogLevel: warn\napiKeys: [{key: from-file}]\n');
    const env = { SIMVIZ_CONFIG: file, SIMVIZ_PORT: '2000', SIMVIZ_LOG_LEVEL: 'debug' };
    expect(run([], env)).toMatchObject({ port: 2000, host: '10.0.0.1', logLevel: 'debug', apiKeys: [{ key: 'from-file' }] });
    expect(run(['--port', '3000', '--api-key', 'cli'], env)).toMatchObject({ port: 3000, logLevel: 'debug', apiKeys: [{ key: 'cli' }] });
    expect(run(['--data', dir], env).roots).toEqual([{ name: path.basename(dir), path: dir }]);
  });

  it.each([
    ['apiKeys:\n  - key: a\n  - key: b\n    scopes: [read, admin]\n', 'config simviz.yaml: apiKeys[1].scopes: "admin" is not one of read, write'],
    ['apiKeys:\n  - scopes: [read]\n', 'config simviz.yaml: apiKeys[0]: give exactly one of "key" and "keyFile"'],
    ['apiKeys:\n  - key: a\n    keyFile: b\n', 'config simviz.yaml: apiKeys[0]: give exactly one of "key" and "keyFile"'],
    ['apiKeys:\n  - keyFile: missing.key\n', 'config simviz.yaml: apiKeys[0].keyFile: cannot read'],
    ['apiKeys:\n  - key: a\n    scopes: []\n', 'config simviz.yaml: apiKeys[0].scopes: give at least one scope'],
    ['apiKeys: {key: a}\n', 'config simviz.yaml: apiKeys: expected a list'],
    ['prot: 1\n', 'config simviz.yaml: prot: unknown key (expected one of data, port,'],
    ['metrics:\n  protect: true\n', 'config simviz.yaml: metrics.protect: unknown key (expected one of protected)'],
    ['metrics:\n  protected: sometimes\n', 'config simviz.yaml: metrics.protected: "sometimes" is not a boolean'],
    ['port: 99999\n', 'config simviz.yaml: port: "99999" is not a TCP port'],
    ['logLevel: loud\n', 'config simviz.yaml: logLevel: "loud" is not one of'],
    ['watch: maybe\n', 'config simviz.yaml: watch: "maybe" is not one of on, off, poll'],
    ['cacheMaxBytes: lots\n', 'config simviz.yaml: cacheMaxBytes: "lots" is not a size'],
    ['cors:\n  origins: [https://g.example/path]\n', 'config simviz.yaml: cors.origins[0]: "https://g.example/path" is not an origin'],
    ['data:\n  - missing-folder\n', 'config simviz.yaml: data[0]: "missing-folder" is not a directory'],
    ['data:\n  - name: bad name\n    path: results\n', 'config simviz.yaml: data[0].name: "bad name" may only contain'],
    ['tls:\n  cert: c.pem\n', 'config simviz.yaml: tls.cert: HTTPS needs both'],
    ['host: [a, b]\n', 'config simviz.yaml: host: expected a non-empty string'],
    ['- just\n- a list\n', 'config simviz.yaml: expected a mapping of data, port'],
    ['regression:\n  tolerances:\n    relative: 2\n', 'config simviz.yaml: regression.tolerances.relative: 2 is not a number from 0 to 1'],
    ['regression:\n  tolerances:\n    relativeTo: peak\n', 'config simviz.yaml: regression.tolerances.relativeTo: "peak" is not one of range, value'],
    ['regression:\n  tolerance: {}\n', 'config simviz.yaml: regression.tolerance: unknown key (expected one of tolerances)'],
    ['port: [1\n', 'config simviz.yaml: not valid YAML'],
    ['port: 1\nport: 2\n', 'config simviz.yaml: not valid YAML'],
  ])('rejects %j naming the key', async (yaml, message) => {
    const file = await configFile(`${yaml.startsWith('data') || yaml.startsWith('-') ? '' : 'data: [results]\n'}${yaml}`);
    const folder = path.dirname(file);
    // The label is the path as given: run from the file's folder with a relative name.
    const action = () => parseCommandLine(['--config', 'simviz.yaml'], {}, folder);
    expect(action).toThrow(ConfigError);
    expect(action).toThrow(message);
  });

  it('reads the regression check’s default tolerances', async () => {
    const file = await configFile('data: [results]\nregression:\n  tolerances:\n    absolute: 0.01\n    relative: 0.001\n    relativeTo: value\n    time: 0.5\n');
    expect(run(['--config', file]).regressionTolerances).toEqual({ absolute: 0.01, relative: 0.001, relativeTo: 'value', time: 0.5 });
  });

  it('says when the file cannot be read', () => {
    expect(failure(['--config', 'nope.yaml'])).toBe('config nope.yaml: cannot read the file (ENOENT)');
  });

  it('accepts an empty file (every setting from elsewhere)', async () => {
    const file = await configFile('');
    expect(run(['--config', file, '--data', dir]).port).toBe(DEFAULT_PORT);
  });

  it('parses the example in provisioning/proxy with its paths moved to a scratch folder', async () => {
    const example = readFileSync(path.join(__dirname, '../../../provisioning/proxy/simviz-proxy.yaml'), 'utf8');
    const scratch = await mkdtemp(path.join(dir, 'example-'));
    const moved = example.replace(/\/(srv|var\/cache|etc)\/simviz/g, (_, prefix: string) => path.join(scratch, prefix));
    for (const folder of ['srv/results', 'srv/archive', 'etc/keys']) {
      mkdirSync(path.join(scratch, folder), { recursive: true });
    }
    await writeFile(path.join(scratch, 'etc/keys/grafana.key'), 'grafana-key\n');
    await writeFile(path.join(scratch, 'etc/keys/uploader.key'), 'uploader-key\n');
    await writeFile(path.join(scratch, 'simviz-proxy.yaml'), moved);
    const config = run(['--config', path.join(scratch, 'simviz-proxy.yaml')]);
    expect(config.roots.map((r) => r.name)).toEqual(['results', 'archive', 'uploads']);
    expect(config.apiKeys).toEqual([
      { key: 'grafana-key', scopes: ['read'] },
      { key: 'uploader-key', scopes: ['read', 'write'] },
    ]);
    expect(config).toMatchObject({ host: '0.0.0.0', cacheMaxBytes: 20 * 1024 ** 3, metrics: { protected: false }, tls: undefined });
  });
});

describe('TLS settings', () => {
  it('accepts a certificate with its key', () => {
    expect(run(['--data', dir, '--tls-cert', certificate.cert, '--tls-key', certificate.key]).tls).toEqual({
      cert: certificate.cert,
      key: certificate.key,
    });
    expect(run(['--data', dir], { SIMVIZ_TLS_CERT: certificate.cert, SIMVIZ_TLS_KEY: certificate.key }).tls).toBeDefined();
  });

  it('needs both files', () => {
    expect(failure(['--data', dir, '--tls-key', certificate.key])).toContain('--tls-key: HTTPS needs both a certificate (--tls-cert) and its key (--tls-key)');
  });

  it('names the file that cannot be read', () => {
    expect(failure(['--data', dir, '--tls-cert', certificate.cert, '--tls-key', 'missing.pem'])).toMatch(/^--tls-key: cannot read the private key .*missing\.pem \(ENOENT\)$/);
  });

  it('refuses a key that does not belong to the certificate, or a file that is not PEM', () => {
    expect(failure(['--data', dir, '--tls-cert', certificate.cert, '--tls-key', other.key])).toMatch(/^--tls-cert: .* are not a usable certificate and key/);
    expect(failure(['--data', dir, '--tls-cert', path.join(dir, 'file.txt'), '--tls-key', certificate.key])).toMatch(/^--tls-cert: .* are not a usable certificate and key/);
  });
});
