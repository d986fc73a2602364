import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  GrowingFile,
  TailFollower,
  expectSameAsDecoder,
  matImage,
  matRecord,
  oscillatorRun,
  rowCount,
  type GrowthImage,
} from '../../../tests/support/growing';
import { DecodeError, openResultFile } from '../decoder';
import { writeExportAsPlotted, writeResultFile, type ResultData, type ResultSpec } from '../writer/mat4-writer';
import { ResultTail } from './tail';

let dir: string;
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-tail-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function scratch(name: string): string {
  count++;
  return path.join(dir, `${count}-${name}`);
}

const NAMES = ['Time', 'x', 'der(x)', 'k', 'y', 'minusV'];

/** A tail on `file` and a follower fed by each poll. */
async function follow(file: string, variables: readonly string[] = [...NAMES, 'nope'], extra = {}) {
  const tail = await ResultTail.open(file, { displayName: path.basename(file), variables, ...extra });
  const follower = new TailFollower();
  const poll = async () => {
    follower.accept(await tail.poll());
    return follower.time.length;
  };
  return { tail, follower, poll };
}

/** Run B: run A's values until `sameUntil`, then doubled (a restarted run with another parameter). */
function variant(
  { spec, data }: { spec: ResultSpec; data: ResultData },
  sameUntil: number
): { spec: ResultSpec; data: ResultData } {
  const scale = (values: ArrayLike<number>) => Array.from(values, (v, i) => (i < sameUntil ? v : 2 * v));
  return {
    spec,
    data: {
      time: data.time,
      trajectories: { x: scale(data.trajectories.x), 'der(x)': scale(data.trajectories['der(x)']) },
    },
  };
}

function int32(value: number, littleEndian = true): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, littleEndian);
  return bytes;
}

describe('ResultTail on a growing MAT v4 file', () => {
  it('follows an OpenModelica run through every part-way state, the header at 0 until the end', async () => {
    const run = oscillatorRun(500);
    const image = await matImage(run.spec, run.data);
    const file = new GrowingFile(scratch('om.mat'), image);
    const { tail, follower, poll } = await follow(file.path);
    expect(await poll()).toBe(0);
    await file.create();
    expect(await poll()).toBe(0);
    // Aclass, then name and description (what OpenModelica writes at the start), then the rest, cut anywhere.
    for (let end = 1; end < image.dataOffset; end += 7) {
      await file.appendTo(end);
      expect(await poll()).toBe(0);
      expect(tail.variables).toEqual([]);
    }
    await file.appendTo(image.dataOffset);
    expect(await poll()).toBe(0);
    expect(tail.variables.map((v) => v.name)).toEqual(['time', 'x', 'der(x)', 'k', 'y', 'minusV']);
    expect(tail.variables.map((v) => v.unit)).toEqual(['s', 'm', 'm/s', 'N/m', 'm', 'm/s']);
    expect(tail.missing).toEqual(['nope']);
    const rowBytes = image.rowEnds[1] - image.rowEnds[0];
    await file.appendTo(image.dataOffset + Math.floor(rowBytes / 2));
    expect(await poll()).toBe(0);
    await file.appendTo(image.rowEnds[1] + 3);
    expect(await poll()).toBe(1);
    await file.appendRows(200);
    expect(await poll()).toBe(200);
    await file.finish();
    expect(await poll()).toBe(500);
    expect(await tail.poll()).toEqual([]);
    await expectSameAsDecoder(follower, file.path, NAMES);
    expect(follower.resets).toEqual([]);
    await tail.close();
  });

  it("states the experiment's span from data_1 once the catalogue is written, before the run has rows", async () => {
    const run = oscillatorRun(300);
    const image = await matImage({ ...run.spec, startTime: 0, stopTime: 12.5 }, run.data);
    const file = new GrowingFile(scratch('span.mat'), image);
    await file.create();
    const { tail, poll } = await follow(file.path);
    await file.appendTo(image.dataOffset - 1);
    await poll();
    expect(tail.span).toBeUndefined();
    await file.appendTo(image.dataOffset);
    expect(await poll()).toBe(0);
    expect(tail.span).toEqual({ start: 0, stop: 12.5 });
    await file.appendRows(100);
    expect(await poll()).toBe(100);
    expect(tail.span).toEqual({ start: 0, stop: 12.5 });
    await tail.close();
  });

  it('states no span when data_1 ends where it starts (a writer that patches the stop time at the end)', async () => {
    const run = oscillatorRun(50);
    const file = scratch('no-span.mat');
    await writeResultFile(file, { ...run.spec, startTime: 0, stopTime: 0 }, run.data);
    const { tail, poll } = await follow(file);
    expect(await poll()).toBe(50);
    expect(tail.span).toBeUndefined();
    await tail.close();
  });

  it('reads the rows past a lagging header (-mat_sync), and the decoder no longer fails on such a file', async () => {
    const run = oscillatorRun(300);
    const image = await matImage(run.spec, run.data);
    const file = new GrowingFile(scratch('sync.mat'), image);
    await file.create();
    const { tail, follower, poll } = await follow(file.path);
    await file.appendRows(100);
    await file.patchColumns(100);
    await file.appendRows(140);
    await file.append(5);
    expect(await poll()).toBe(140);
    const midRun = await openResultFile(file.path);
    // The whole-file decoder keeps the declared count (it does not know the orientation while it walks).
    expect(midRun.timePointCount).toBe(100);
    for (let rows = 150; rows <= 300; rows += 10) {
      await file.appendRows(rows);
      if (rows % 30 === 0) {
        await file.patchColumns(rows - 5);
      }
      expect(await poll()).toBe(rows);
    }
    await file.finish();
    expect(await poll()).toBe(300);
    await expectSameAsDecoder(follower, file.path, NAMES);
    await tail.close();
  });

  it('follows a file copied into place: the header already counts rows the file does not hold yet', async () => {
    const run = oscillatorRun(400, 'float32');
    const image = await matImage(run.spec, run.data);
    const file = new GrowingFile(scratch('copy.mat'), image);
    await file.create();
    file.columns = rowCount(image);
    const { tail, follower, poll } = await follow(file.path);
    while (!file.complete) {
      await file.append(997);
      expect(await poll()).toBe(file.rowsOnDisk);
    }
    await expectSameAsDecoder(follower, file.path, NAMES);
    await tail.close();
  });

  it('keeps float32 values, NaN, -0 and duplicate time stamps (events) exactly as the decoder reads them', async () => {
    const time = [0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.4, 0.4, 0.5, 0.6];
    const x = [1, 0.5, 0, 0, NaN, -0.25, Infinity, -Infinity, 0, 1e-40];
    const spec: ResultSpec = {
      startTime: 0,
      stopTime: 0.6,
      options: { flavour: 'dymola', precision: 'float32' },
      variables: [
        { kind: 'trajectory', name: 'body.x', unit: 'm', displayUnit: 'mm' },
        { kind: 'trajectory', name: 'body.der(x)', unit: 'm/s' },
        { kind: 'trajectory', name: 'flag', valueType: 'Boolean' },
        { kind: 'alias', name: 'negX', of: 'body.x', negate: true },
        { kind: 'parameter', name: 'p', value: 0.1 },
      ],
    };
    const data = {
      time,
      trajectories: { 'body.x': x, 'body.der(x)': x.map((v) => v * 3), flag: time.map((_, i) => i % 2) },
    };
    const image = await matImage(spec, data);
    const file = new GrowingFile(scratch('dymola.mat'), image);
    await file.create();
    const names = ['time', 'body.x', 'der(body.x)', 'flag', 'negX', 'p'];
    const { tail, follower, poll } = await follow(file.path, names);
    while (!file.complete) {
      await file.append(13);
      await poll();
    }
    await file.finish();
    await poll();
    expect(tail.variables.map((v) => [v.name, v.unit, v.displayUnit, v.valueType])).toEqual([
      ['Time', 's', null, null],
      ['body.x', 'm', 'mm', null],
      ['body.der(x)', 'm/s', null, null],
      ['flag', null, null, 'Boolean'],
      ['negX', null, null, null],
      ['p', null, null, null],
    ]);
    expect(Object.is(follower.values[4][2], -0)).toBe(true);
    expect(follower.values[5]).toEqual(new Array(time.length).fill(Math.fround(0.1)));
    await expectSameAsDecoder(follower, file.path, names);
    await tail.close();
  });

  it('resets when a restarted run truncates the file, then follows the new run from row 0', async () => {
    const a = oscillatorRun(400);
    const file = new GrowingFile(scratch('restart.mat'), await matImage(a.spec, a.data));
    await file.create();
    const { tail, follower, poll } = await follow(file.path);
    await file.appendRows(300);
    expect(await poll()).toBe(300);
    const b = variant(a, 0);
    await file.restart(await matImage(b.spec, b.data), 100);
    expect(await poll()).toBe(0);
    expect(follower.resets).toHaveLength(1);
    expect(follower.resets[0]).toMatch(/truncated/);
    expect(tail.rowCount).toBe(0);
    await file.appendRows(50);
    expect(await poll()).toBe(50);
    await file.finish();
    expect(await poll()).toBe(400);
    expect(follower.resets).toHaveLength(1);
    await expectSameAsDecoder(follower, file.path, NAMES);
    await tail.close();
  });

  it('resets when a restarted run has rewritten the file past its old length between two polls', async () => {
    for (const sameUntil of [0, 200]) {
      const a = oscillatorRun(500);
      const file = new GrowingFile(scratch(`rewrite-${sameUntil}.mat`), await matImage(a.spec, a.data));
      await file.create();
      const { tail, follower, poll } = await follow(file.path);
      await file.appendRows(250);
      expect(await poll()).toBe(250);
      const b = variant(a, sameUntil);
      // Same header, same inode, longer than before: only the rows tell the new run.
      await file.restart(await matImage(b.spec, b.data), 0);
      await file.appendRows(400);
      await poll();
      expect(follower.resets).toHaveLength(1);
      expect(follower.resets[0]).toMatch(sameUntil === 0 ? /first row/ : /last row read/);
      expect(follower.time).toHaveLength(400);
      await file.finish();
      await poll();
      await expectSameAsDecoder(follower, file.path, NAMES);
      await tail.close();
    }
  });

  it('does not reset for a run rewritten with the same bytes: nothing is lost or read twice', async () => {
    const a = oscillatorRun(300);
    const image = await matImage(a.spec, a.data);
    const file = new GrowingFile(scratch('same.mat'), image);
    await file.create();
    const { tail, follower, poll } = await follow(file.path);
    await file.appendRows(120);
    await poll();
    await file.restart(image, 0);
    await file.appendRows(200);
    await poll();
    await file.finish();
    await poll();
    expect(follower.resets).toEqual([]);
    await expectSameAsDecoder(follower, file.path, NAMES);
    await tail.close();
  });

  it('resets when another file is renamed over the path, and keeps reading a file that is only deleted', async () => {
    const a = oscillatorRun(300);
    const file = new GrowingFile(scratch('renamed.mat'), await matImage(a.spec, a.data));
    await file.create();
    const { tail, follower, poll } = await follow(file.path);
    await file.appendRows(200);
    expect(await poll()).toBe(200);
    const b = variant(a, 300);
    const imageB = await matImage(b.spec, b.data);
    await file.replace(imageB, imageB.rowEnds[10]);
    expect(await poll()).toBe(10);
    expect(follower.resets).toEqual(['the file was replaced (another file now has its name)']);
    await file.finish();
    expect(await poll()).toBe(300);
    await expectSameAsDecoder(follower, file.path, NAMES);

    await unlink(file.path);
    expect(await tail.poll()).toEqual([]);
    expect(tail.rowCount).toBe(300);
    await tail.close();
  });

  it('fails with a DecodeError naming the file when the header turns hostile, and resets once it is sound again', async () => {
    const a = oscillatorRun(200);
    const image = await matImage(a.spec, a.data);
    const file = new GrowingFile(scratch('hostile.mat'), image);
    await file.create();
    const { tail, follower, poll } = await follow(file.path);
    await file.appendRows(100);
    expect(await poll()).toBe(100);
    const ncols = image.ncols!.offset;
    // 2^31 columns, as a uint32 writer would store it: negative as the int32 the format declares.
    await file.overwrite(ncols, int32(-(2 ** 31)));
    await expect(tail.poll()).rejects.toThrow(DecodeError);
    await expect(tail.poll()).rejects.toMatchObject({ file: path.basename(file.path), code: 'corrupt' });
    await file.overwrite(ncols, int32(0));
    await poll();
    expect(follower.resets).toHaveLength(1);
    expect(follower.time).toHaveLength(100);

    await file.overwrite(0, new Uint8Array(image.dataOffset).fill(0xa5));
    await expect(tail.poll()).rejects.toMatchObject({ name: 'DecodeError', file: path.basename(file.path) });
    await tail.close();
  });

  it('refuses hostile files at open instead of waiting for them', async () => {
    const a = oscillatorRun(50);
    const image = await matImage(a.spec, a.data);
    const open = (file: string) => ResultTail.open(file, { displayName: path.basename(file), variables: ['x'] });

    const garbage = new GrowingFile(scratch('garbage.mat'), {
      final: new Uint8Array(4000).map((_, i) => (i * 131) % 256),
      dataOffset: 4000,
      rowEnds: [4000],
    });
    await garbage.create();
    await garbage.append(4000);
    await expect(open(garbage.path)).rejects.toMatchObject({ name: 'DecodeError', file: path.basename(garbage.path) });

    // A name matrix declaring 2^30 names of 64 bytes: far more than a catalogue holds.
    const hugeNames = new GrowingFile(scratch('huge-names.mat'), image);
    await hugeNames.create();
    await hugeNames.appendTo(image.dataOffset);
    const nameHeader = (await readFile(hugeNames.path)).indexOf(Buffer.from('name\0')) - 20;
    await hugeNames.overwrite(nameHeader + 8, int32(2 ** 30));
    await expect(open(hugeNames.path)).rejects.toMatchObject({ code: 'corrupt', file: path.basename(hugeNames.path) });

    // data_2 rows wider than the variables named.
    const wide = new GrowingFile(scratch('wide.mat'), image);
    await wide.create();
    await wide.appendRows(10);
    await wide.overwrite(image.ncols!.offset - 4, int32(2 ** 31 - 1));
    await expect(open(wide.path)).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('takes a count running far ahead of the bytes as a file still arriving: no rows invented, no error', async () => {
    const a = oscillatorRun(100);
    const image = await matImage(a.spec, a.data);
    const file = new GrowingFile(scratch('ahead.mat'), image);
    await file.create();
    const { tail, follower, poll } = await follow(file.path);
    await file.appendRows(40);
    await file.patchColumns(2 ** 31 - 1);
    expect(await poll()).toBe(40);
    await file.appendRows(70);
    expect(await poll()).toBe(70);
    await file.finish();
    expect(await poll()).toBe(100);
    await expectSameAsDecoder(follower, file.path, NAMES);
    await tail.close();
  });
});

describe('ResultTail on MAT v4 files that cannot grow row by row', () => {
  async function writeWhole(name: string, bytes: Uint8Array, pieces: number) {
    const image: GrowthImage = { final: bytes, dataOffset: bytes.length, rowEnds: [bytes.length] };
    const file = new GrowingFile(scratch(name), image);
    await file.create();
    return { file, step: Math.ceil(bytes.length / pieces) };
  }

  it('reads a binNormal file whole once it is complete, and again after it changes', async () => {
    const a = oscillatorRun(120);
    const source = scratch('normal-source.mat');
    await writeResultFile(source, { ...a.spec, options: { layout: 'binNormal', precision: 'float64' } }, a.data);
    const { file, step } = await writeWhole('normal.mat', new Uint8Array(await readFile(source)), 9);
    const { tail, follower, poll } = await follow(file.path);
    while (!file.complete) {
      expect(await poll()).toBe(0);
      await file.append(step);
    }
    expect(await poll()).toBe(120);
    expect(await tail.poll()).toEqual([]);
    await expectSameAsDecoder(follower, file.path, NAMES);

    const b = variant(a, 0);
    await writeResultFile(file.path, { ...b.spec, options: { layout: 'binNormal', precision: 'float64' } }, b.data);
    expect(await poll()).toBe(120);
    expect(follower.resets).toHaveLength(1);
    await expectSameAsDecoder(follower, file.path, NAMES);
    await tail.close();
  });

  it('reads a complete binTrans file with a matrix after data_2 without taking that matrix for rows', async () => {
    const spec: ResultSpec = {
      startTime: 0,
      stopTime: 1,
      options: { precision: 'float32' },
      variables: [{ kind: 'trajectory', name: 'x' }],
    };
    const time = Array.from({ length: 30 }, (_, i) => i / 29);
    const image = await matImage(spec, { time, trajectories: { x: time.map((t) => t * t) } });
    const trailer = matRecord('data_3', [1, 2, 3]);
    const file = new GrowingFile(scratch('trailer.mat'), { ...image, final: Buffer.concat([image.final, trailer]) });
    await file.create();
    const { tail, follower, poll } = await follow(file.path, ['time', 'x']);
    await file.appendTo(image.final.length);
    await file.patchColumns(30);
    expect(await poll()).toBe(30);
    // A row is 8 bytes: 10 bytes of the next matrix's header would be one more row if counted from the length.
    for (let extra = 1; extra <= trailer.length; extra += 3) {
      await file.appendTo(image.final.length + extra);
      expect(await poll()).toBe(30);
      // The decoder too: a matrix cut short after data_2 is waited for, not read as rows or an error.
      expect((await openResultFile(file.path)).timePointCount).toBe(30);
    }
    await file.appendTo(image.final.length + trailer.length);
    expect(await poll()).toBe(30);
    await expectSameAsDecoder(follower, file.path, ['time', 'x']);
    await tail.close();
  });

  it('reads an Atrajectory 1.0 ("export as plotted") file whole', async () => {
    const target = scratch('plotted.mat');
    await writeExportAsPlotted(
      target,
      ['Time', 'a', 'b'],
      [
        [0, 1, 2],
        [5, 6, 7],
        [NaN, -0, 1],
      ]
    );
    const { tail, follower, poll } = await follow(target, ['time', 'b']);
    expect(await poll()).toBe(3);
    await expectSameAsDecoder(follower, target, ['time', 'b']);
    await tail.close();
  });
});

describe('ResultTail polling', () => {
  it('splits what is on disk into batches and polls, and says when it has caught up', async () => {
    const a = oscillatorRun(1000);
    const file = new GrowingFile(scratch('batches.mat'), await matImage(a.spec, a.data));
    await file.create();
    await file.finish();
    const { tail, follower } = await follow(file.path, ['x'], { maxRowsPerBatch: 64, maxRowsPerPoll: 200 });
    const first = await tail.poll();
    expect(first.map((event) => (event.kind === 'rows' ? event.rows.time.length : -1))).toEqual([64, 64, 64, 8]);
    expect(tail.caughtUp).toBe(false);
    follower.accept(first);
    while (!tail.caughtUp) {
      follower.accept(await tail.poll());
    }
    expect(follower.time).toHaveLength(1000);
    await expectSameAsDecoder(follower, file.path, ['x']);
    await tail.close();
  });

  it('serializes concurrent polls: no row twice', async () => {
    const a = oscillatorRun(300);
    const file = new GrowingFile(scratch('concurrent.mat'), await matImage(a.spec, a.data));
    await file.create();
    const { tail, follower } = await follow(file.path, ['x'], { maxRowsPerBatch: 16 });
    await file.appendRows(150);
    const polls = await Promise.all([tail.poll(), tail.poll(), tail.poll()]);
    polls.forEach((events) => follower.accept(events));
    await file.finish();
    follower.accept(await tail.poll());
    await expectSameAsDecoder(follower, file.path, ['x']);
    await tail.close();
    await expect(tail.poll()).rejects.toThrow(/after close/);
  });

  it('waits for a file that does not exist yet', async () => {
    const a = oscillatorRun(20);
    const file = new GrowingFile(scratch('later.mat'), await matImage(a.spec, a.data));
    const { tail, follower, poll } = await follow(file.path);
    expect(await poll()).toBe(0);
    expect(tail.variables).toEqual([]);
    await file.create();
    await file.finish();
    expect(await poll()).toBe(20);
    expect(follower.resets).toEqual([]);
    await tail.close();
  });
});
