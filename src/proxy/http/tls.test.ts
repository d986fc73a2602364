import { copyFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import type { DataRoot } from '../../engine/catalog/scan';
import { createLogger, type RunningProxy } from '../main';
import { startTestProxy } from '../../../tests/support/proxy';
import { smallRoot } from '../../../tests/support/roots';
import { httpsGet, makeSelfSignedCertificate, type TestCertificate } from '../../../tests/support/tls';

let root: DataRoot;
let dir: string;
let first: TestCertificate;
let renewed: TestCertificate;
/** The files the proxy is configured with; tests copy a certificate over them, as a renewal does. */
let live: { cert: string; key: string };

function install(certificate: TestCertificate): void {
  copyFileSync(certificate.cert, live.cert);
  copyFileSync(certificate.key, live.key);
}

beforeAll(async () => {
  root = await smallRoot();
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-tls-'));
  first = makeSelfSignedCertificate(dir, 'first');
  renewed = makeSelfSignedCertificate(dir, 'renewed');
  live = { cert: path.join(dir, 'live.cert.pem'), key: path.join(dir, 'live.key.pem') };
});
afterAll(async () => {
  await rm(root.path, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

describe('HTTPS', () => {
  let proxy: RunningProxy;
  let log: string;

  beforeAll(async () => {
    install(first);
    log = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString('utf8');
        done();
      },
    });
    proxy = await startTestProxy([root], [], { config: { tls: live }, logger: createLogger('info', sink) });
  });
  afterAll(() => proxy.close());

  it('serves the API over HTTPS with the configured certificate', async () => {
    expect(proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await httpsGet(`${proxy.url}/api/v1/health`, first.cert);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' });
    expect(answer.peerFingerprint256).toBe(first.fingerprint256);
    // Served over HTTPS, browsers are told to keep to it.
    expect(answer.headers['strict-transport-security']).toBe('max-age=15552000');
  });

  it('refuses plain HTTP on the same port', async () => {
    await expect(fetch(proxy.url.replace('https:', 'http:') + '/api/v1/health')).rejects.toThrow();
  });

  it('puts a renewed certificate in force on reload, without a restart', async () => {
    install(renewed);
    // Not yet reloaded: new connections still get the first certificate.
    expect((await httpsGet(`${proxy.url}/api/v1/health`, first.cert)).peerFingerprint256).toBe(first.fingerprint256);
    expect(proxy.reloadTls()).toBe(true);
    const answer = await httpsGet(`${proxy.url}/api/v1/health`, renewed.cert);
    expect(answer.status).toBe(200);
    expect(answer.peerFingerprint256).toBe(renewed.fingerprint256);
    await expect(httpsGet(`${proxy.url}/api/v1/health`, first.cert)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    expect(log).toContain('TLS certificate reloaded');
  });

  it('keeps the current certificate when the new files cannot be used', async () => {
    writeFileSync(live.cert, '-----BEGIN CERTIFICATE-----\nhalf a renewal\n');
    expect(proxy.reloadTls()).toBe(false);
    expect(log).toContain('TLS reload failed; still serving the previous certificate');
    const answer = await httpsGet(`${proxy.url}/api/v1/health`, renewed.cert);
    expect(answer.status).toBe(200);
    expect(answer.peerFingerprint256).toBe(renewed.fingerprint256);
    // A key from another pair is refused the same way.
    copyFileSync(first.cert, live.cert);
    copyFileSync(renewed.key, live.key);
    expect(proxy.reloadTls()).toBe(false);
    expect((await httpsGet(`${proxy.url}/api/v1/health`, renewed.cert)).peerFingerprint256).toBe(renewed.fingerprint256);
  });
});

describe('plain HTTP', () => {
  it('has nothing to reload', async () => {
    const proxy = await startTestProxy([root]);
    try {
      expect(proxy.url).toMatch(/^http:\/\//);
      expect(proxy.reloadTls()).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});
