import { openSync, closeSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PacedReader, type PacingOptions } from './paced-read';

const CHUNK = 1000;

describe('PacedReader', () => {
  let dir: string;
  let file: string;
  const content = Uint8Array.from({ length: 10 * CHUNK + 7 }, (_, i) => (i * 31 + 7) & 0xff);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'simviz-paced-'));
    file = path.join(dir, 'data.bin');
    writeFileSync(file, content);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function readAllChunks(pacing: PacingOptions, onChunk: () => void = () => undefined): Promise<Uint8Array> {
    const fd = openSync(file, 'r');
    try {
      const reader = new PacedReader(fd, (position) => new Error(`ended at ${position}`), pacing);
      const out = new Uint8Array(content.length);
      const buffer = new Uint8Array(CHUNK);
      for (let at = 0; at < content.length; at += CHUNK) {
        const bytes = buffer.subarray(0, Math.min(CHUNK, content.length - at));
        await reader.fill(bytes, at);
        out.set(bytes, at);
        onChunk();
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }

  it.each([
    ['synchronous reads', { burstMs: Infinity, slowReadMs: Infinity, contended: () => false, smallReadBytes: 0 }],
    ['every read counted slow, so the pass goes asynchronous', { burstMs: Infinity, slowReadMs: 0, contended: () => false, smallReadBytes: 0 }],
  ])('reads every byte in order with %s', async (_, pacing) => {
    expect(await readAllChunks(pacing)).toEqual(content);
  });

  it('reads on the thread pool while the event loop is contended, so other work runs between reads', async () => {
    let ranMidPass = false;
    let chunksRead = 0;
    setImmediate(() => (ranMidPass = chunksRead < 10));
    const read = await readAllChunks({ burstMs: Infinity, slowReadMs: Infinity, contended: () => true, smallReadBytes: 0 }, () => chunksRead++);
    expect(ranMidPass).toBe(true);
    expect(read).toEqual(content);
  });

  it('keeps reads no larger than smallReadBytes synchronous under contention (a thread-pool trip costs more than they do)', async () => {
    let ranMidPass = false;
    let chunksRead = 0;
    setImmediate(() => (ranMidPass = chunksRead < 10));
    const read = await readAllChunks({ burstMs: Infinity, slowReadMs: Infinity, contended: () => true, smallReadBytes: CHUNK }, () => chunksRead++);
    expect(ranMidPass).toBe(false);
    expect(read).toEqual(content);
  });

  it('lets the event loop run between bursts', async () => {
    let ranMidPass = false;
    let chunksRead = 0;
    setImmediate(() => (ranMidPass = chunksRead < 10));
    await readAllChunks({ burstMs: 0, slowReadMs: Infinity, contended: () => false, smallReadBytes: 0 }, () => chunksRead++);
    expect(ranMidPass).toBe(true);
  });

  it('holds the event loop for a whole pass when bursts are unbounded (the control for the test above)', async () => {
    let ranMidPass = false;
    let chunksRead = 0;
    setImmediate(() => (ranMidPass = chunksRead < 10));
    await readAllChunks({ burstMs: Infinity, slowReadMs: Infinity, contended: () => false, smallReadBytes: 0 }, () => chunksRead++);
    expect(ranMidPass).toBe(false);
  });

  it.each([Infinity, 0])('fails with the caller’s error when the file ends early (slow read threshold %s ms)', async (slowReadMs) => {
    const fd = openSync(file, 'r');
    try {
      const reader = new PacedReader(fd, (position) => new Error(`ended at ${position}`), { burstMs: Infinity, slowReadMs, contended: () => false, smallReadBytes: 0 });
      for (let i = 0; i < 3; i++) {
        await reader.fill(new Uint8Array(10), 0);
      }
      await expect(reader.fill(new Uint8Array(100), content.length - 10)).rejects.toThrow(`ended at ${content.length}`);
    } finally {
      closeSync(fd);
    }
  });
});
