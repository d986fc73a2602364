import { readdirSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ErrorBody, Session, Simulation, SimulationPage } from '../../shared/api';
import { UPLOADS_ROOT_NAME } from '../config/config';
import type { RunningProxy } from '../main';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { writeResultFile } from '../../engine/writer/mat4-writer';

const READER = 'reader-key-0123456789';
const WRITER = 'writer-key-0123456789';
const LIMIT = 64 * 1024;
let dir: string;
let uploads: string;
let proxy: RunningProxy;
let good: Buffer;

async function upload(name: string, bytes: Buffer, fields: Record<string, string> = {}, key: string | null = WRITER) {
  const form = new FormData();
  for (const [field, value] of Object.entries(fields)) {
    form.append(field, value);
  }
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${proxy.url}/api/v1/simulations`, {
    method: 'POST',
    body: form,
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Simulation & ErrorBody, location: response.headers.get('location') };
}

async function listedPaths(): Promise<string[]> {
  const { body } = await requestJson<SimulationPage>(proxy, `/api/v1/simulations?root=${UPLOADS_ROOT_NAME}`, { key: READER });
  return body.items.map((s) => s.path).sort();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-upload-'));
  uploads = path.join(dir, 'uploads');
  const file = path.join(dir, 'source.mat');
  const time = Array.from({ length: 50 }, (_, i) => i / 10);
  await writeResultFile(
    file,
    { startTime: 0, stopTime: 4.9, variables: [{ kind: 'trajectory', name: 'x', unit: 'K' }] },
    { time, trajectories: { x: time.map((t) => t * t) } }
  );
  good = await readFile(file);
  proxy = await startTestProxy(
    [],
    [READER, { key: WRITER, scopes: ['read', 'write'] }],
    { config: { roots: [{ name: UPLOADS_ROOT_NAME, path: uploads }], uploadDir: uploads, uploadMaxBytes: LIMIT } }
  );
});

afterAll(async () => {
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

describe('uploads', () => {
  it('stores a checked result file, lists it at once with its metadata, and says where it is', async () => {
    const { status, body, location } = await upload('Plant_Step_warm_20250101_120000.mat', good, {
      folder: 'campaign/a',
      description: 'Uploaded from the app',
      tags: 'upload, warm',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      status: 'ok',
      root: 'uploads',
      path: 'campaign/a/Plant_Step_warm_20250101_120000.mat',
      model: 'Plant',
      description: 'Uploaded from the app',
      tags: ['upload', 'warm'],
      timePointCount: 50,
    });
    expect(location).toBe(`/api/v1/simulations/${body.id}`);
    expect(await readFile(path.join(uploads, 'campaign/a/Plant_Step_warm_20250101_120000.mat'))).toEqual(good);
    expect(await listedPaths()).toContain('campaign/a/Plant_Step_warm_20250101_120000.mat');
    const series = await requestJson<{ series: Array<{ values: number[] }> }>(proxy, '/api/v1/query', {
      key: READER,
      body: { simulations: [body.id], variables: ['x'] },
    });
    expect(series.body.series[0].values[10]).toBeCloseTo(1, 6);
  });

  it('never replaces an existing file: the same name is a 409 and the stored bytes stay', async () => {
    expect((await upload('clash.mat', good)).status).toBe(201);
    const other = Buffer.from(good);
    other[other.length - 1] ^= 0xff;
    const { status, body } = await upload('clash.mat', other);
    expect(status).toBe(409);
    expect(body.error).toEqual({ code: 'already_exists', message: expect.stringContaining('uploads/clash.mat already exists') });
    expect(await readFile(path.join(uploads, 'clash.mat'))).toEqual(good);
  });

  it('refuses a file above the size limit with 413, keeping nothing of it', async () => {
    const big = Buffer.concat([good, Buffer.alloc(LIMIT)]);
    const { status, body } = await upload('big.mat', big);
    expect(status).toBe(413);
    expect(body.error.message).toBe('the upload is larger than the limit of 0.0625 MiB');
    expect(await listedPaths()).not.toContain('big.mat');
    expect(await readdir(path.join(uploads, '.staging'))).toEqual([]);
  });

  it('keeps nothing of an upload cut off mid-stream, and goes on serving', async () => {
    const boundary = 'simviz-cut-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.mat"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const url = new URL(`${proxy.url}/api/v1/simulations`);
    const staging = path.join(uploads, '.staging');
    let partsWhileSending: string[] = [];
    await new Promise<void>((resolve) => {
      const request = http.request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${WRITER}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + good.length + 100) },
      });
      request.on('error', () => resolve());
      request.on('response', () => resolve());
      // Half of the file, then the connection drops (a laptop closed, a proxy timeout).
      request.write(head);
      request.write(good.subarray(0, good.length >> 1), () =>
        setTimeout(() => {
          partsWhileSending = readdirSync(staging);
          request.destroy();
        }, 100)
      );
    });
    // The half file was being received into the staging folder when the connection dropped.
    expect(partsWhileSending).toHaveLength(1);
    for (let i = 0; i < 100 && (await readdir(staging)).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await readdir(staging)).toEqual([]);
    expect(await readdir(uploads)).not.toContain('cut.mat');
    expect(await listedPaths()).not.toContain('cut.mat');
    expect((await upload('after-cut.mat', good)).status).toBe(201);
  });

  it('stores one of two uploads of the same name sent at the same time, and refuses the other with 409', async () => {
    const other = Buffer.from(good);
    other[other.length - 1] ^= 0xff;
    const results = await Promise.all([upload('race.mat', good), upload('race.mat', other)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const stored = await readFile(path.join(uploads, 'race.mat'));
    const winner = results[0].status === 201 ? good : other;
    expect(stored).toEqual(winner);
    expect(await readdir(path.join(uploads, '.staging'))).toEqual([]);
  });

  it('refuses a file SimViz cannot read, naming the file and the problem', async () => {
    const { status, body } = await upload('noise.mat', Buffer.alloc(4000, 3));
    expect(status).toBe(422);
    expect(body.error).toEqual({ code: 'invalid_result_file', message: expect.stringMatching(/^uploads\/noise\.mat: /) });
    expect(await readdir(uploads)).not.toContain('noise.mat');
  });

  it.each(['.hidden.mat', 'notes.txt', 'x.mat ', 'semi;colon.mat'])('refuses the file name %j', async (name) => {
    const { status, body } = await upload(name, good);
    expect([status, body.error.code]).toEqual([400, 'bad_file_name']);
  });

  it.each([
    ['../escape.mat', 'escape.mat'],
    ['/etc/passwd.mat', 'passwd.mat'],
  ])('keeps only the base name of %s, inside the upload folder', async (name, stored) => {
    const { status, body } = await upload(name, good);
    expect([status, body.path]).toEqual([201, stored]);
    expect(await readdir(uploads)).toContain(stored);
  });

  it.each(['../outside', 'a/../../b', '.git', '/abs'])('refuses the folder %s', async (folder) => {
    const { status, body } = await upload('ok-name.mat', good, { folder });
    expect([status, body.error.code]).toEqual([400, 'bad_folder']);
  });

  it('needs a key with the write scope', async () => {
    const read = await upload('denied.mat', good, {}, READER);
    expect(read.status).toBe(403);
    expect(read.body.error).toEqual({ code: 'forbidden', message: 'this API key lacks the "write" scope' });
    expect((await upload('denied.mat', good, {}, null)).status).toBe(401);
  });

  it('tells each key what it may do, so the app offers uploads only to writers', async () => {
    const writer = await requestJson<Session>(proxy, '/api/v1/session', { key: WRITER });
    expect(writer.body).toEqual({ scopes: ['read', 'write'], uploadsEnabled: true, maxUploadBytes: LIMIT });
    const reader = await requestJson<Session>(proxy, '/api/v1/session', { key: READER });
    expect(reader.body).toEqual({ scopes: ['read'], uploadsEnabled: true, maxUploadBytes: LIMIT });
    expect((await requestJson<ErrorBody>(proxy, '/api/v1/session')).status).toBe(401);
  });

  it('asks for multipart/form-data', async () => {
    const { status, body } = await requestJson<ErrorBody>(proxy, '/api/v1/simulations', { key: WRITER, body: { file: 'x' } });
    expect([status, body.error.code]).toEqual([415, 'unsupported_media_type']);
  });
});

describe('a proxy without an upload folder', () => {
  it('refuses uploads, saying the operator must enable them', async () => {
    const plain = await startTestProxy([{ name: 'data', path: dir }], [{ key: WRITER, scopes: ['read', 'write'] }]);
    try {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(good)]), 'x.mat');
      const response = await fetch(`${plain.url}/api/v1/simulations`, { method: 'POST', body: form, headers: { authorization: `Bearer ${WRITER}` } });
      expect(response.status).toBe(403);
      expect(((await response.json()) as ErrorBody).error.code).toBe('uploads_disabled');
      const session = await requestJson<Session>(plain, '/api/v1/session', { key: WRITER });
      expect(session.body).toEqual({ scopes: ['read', 'write'], uploadsEnabled: false, maxUploadBytes: 0 });
    } finally {
      await plain.close();
    }
  });
});
