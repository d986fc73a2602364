import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { GrowingFile, TailFollower, csvImage, expectSameAsDecoder, type CsvSpec } from '../../../tests/support/growing';
import { ResultTail } from './tail';

let dir: string;
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-tail-csv-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function scratch(name: string): string {
  count++;
  return path.join(dir, `${count}-${name}`);
}

async function follow(file: string, variables: readonly string[], extra = {}) {
  const tail = await ResultTail.open(file, { displayName: path.basename(file), variables, ...extra });
  const follower = new TailFollower();
  const poll = async () => {
    follower.accept(await tail.poll());
    return follower.time.length;
  };
  return { tail, follower, poll };
}

function steps(rows: number, shift = 0): number[][] {
  return Array.from({ length: rows }, (_, i) => {
    const t = i % 10 === 5 ? (i - 1) / 10 : i / 10; // a repeated stamp every 10 rows: an event
    return [t, Math.sin(t) + shift, i % 7 === 3 ? NaN : -t, i % 2];
  });
}

const SPEC: CsvSpec = { header: ['time', 'x [m]', 'v', 'flag'], rows: steps(300) };
const NAMES = ['Time', 'x', 'v', 'flag'];

describe('ResultTail on a growing CSV file', () => {
  it('follows a file written byte by byte: partial header, header only, a line being written', async () => {
    const image = csvImage(SPEC);
    const file = new GrowingFile(scratch('om_res.csv'), image);
    const { tail, follower, poll } = await follow(file.path, [...NAMES, 'nope']);
    await file.create();
    expect(await poll()).toBe(0);
    for (let end = 1; end <= image.dataOffset; end++) {
      await file.appendTo(end);
      // The header alone does not yet say whether a line of units follows.
      expect(await poll()).toBe(0);
      expect(tail.variables).toEqual([]);
    }
    for (let end = image.dataOffset + 1; end <= image.rowEnds[3]; end++) {
      await file.appendTo(end);
      expect(await poll()).toBe(image.rowEnds.filter((rowEnd) => rowEnd <= end).length - 1);
    }
    expect(tail.variables.map((v) => [v.name, v.unit])).toEqual([
      ['time', 's'],
      ['x', 'm'],
      ['v', null],
      ['flag', null],
    ]);
    expect(tail.missing).toEqual(['nope']);
    while (!file.complete) {
      await file.append(97);
      expect(await poll()).toBe(file.rowsOnDisk);
    }
    await expectSameAsDecoder(follower, file.path, NAMES);
    expect(follower.resets).toEqual([]);
    await tail.close();
  });

  it('reads a units line, CRLF line ends and a semicolon separator with decimal commas', async () => {
    const image = csvImage({ ...SPEC, units: ['s', 'm', 'm/s', ''], lineEnd: '\r\n', delimiter: ';' });
    const text = Buffer.from(image.final)
      .toString('utf8')
      .replace(/(\d)\.(\d)/g, '$1,$2');
    const file = new GrowingFile(scratch('units.csv'), { ...image, final: new Uint8Array(Buffer.from(text)) });
    await file.create();
    const { tail, follower, poll } = await follow(file.path, NAMES);
    while (!file.complete) {
      await file.append(61);
      await poll();
    }
    expect(tail.variables.map((v) => v.unit)).toEqual(['s', 'm', 'm/s', null]);
    expect(follower.time).toHaveLength(300);
    await expectSameAsDecoder(follower, file.path, NAMES);
    await tail.close();
  });

  it('resets on truncation, on a rewrite past the old length and on a rename', async () => {
    const file = new GrowingFile(scratch('restart.csv'), csvImage(SPEC));
    await file.create();
    const { tail, follower, poll } = await follow(file.path, NAMES);
    await file.appendRows(200);
    expect(await poll()).toBe(200);

    await file.restart(csvImage({ ...SPEC, rows: steps(300, 1) }), 10);
    expect(await poll()).toBe(0);
    expect(follower.resets[0]).toMatch(/truncated/);
    await file.appendRows(100);
    expect(await poll()).toBe(100);

    await file.restart(csvImage({ ...SPEC, rows: steps(300, 2) }), 0);
    await file.appendRows(250);
    expect(await poll()).toBe(250);
    expect(follower.resets[1]).toMatch(/rewritten/);

    await file.replace(csvImage({ ...SPEC, rows: steps(300, 3) }), 0);
    await file.appendRows(20);
    expect(await poll()).toBe(20);
    expect(follower.resets[2]).toMatch(/replaced/);
    await file.finish();
    expect(await poll()).toBe(300);
    expect(follower.resets).toHaveLength(3);
    await expectSameAsDecoder(follower, file.path, NAMES);
    await tail.close();
  });

  it('fails with a DecodeError naming the file for a complete line that is not a row, also across polls', async () => {
    for (const [name, badLine] of [
      ['short.csv', '9.5,1\n'],
      ['text.csv', '9.5,1,oops,0\n'],
      ['backwards.csv', '0.1,1,1,0\n'],
    ]) {
      const image = csvImage({ ...SPEC, rows: steps(100) });
      const file = new GrowingFile(scratch(name), image);
      await file.create();
      await file.finish();
      const { tail, poll } = await follow(file.path, NAMES);
      expect(await poll()).toBe(100);
      await writeFile(file.path, badLine, { flag: 'a' });
      await expect(tail.poll()).rejects.toMatchObject({
        name: 'DecodeError',
        code: 'corrupt',
        file: path.basename(file.path),
      });
      await tail.close();
    }
  });

  it('reads a file whose lines end in CR alone', async () => {
    const target = scratch('cr.csv');
    await writeFile(target, 'time\tx\r0\t1\r0.5\t');
    const { tail, follower, poll } = await follow(target, ['time', 'x']);
    expect(await poll()).toBe(1);
    await writeFile(target, '2\r1\t3\r', { flag: 'a' });
    expect(await poll()).toBe(3);
    await expectSameAsDecoder(follower, target, ['time', 'x']);
    await tail.close();
  });

  it('keeps a last line without its line break until the break arrives', async () => {
    const target = scratch('no-break.csv');
    await writeFile(target, 'time,x\n0,1\n1,2');
    const { tail, follower, poll } = await follow(target, ['time', 'x']);
    expect(await poll()).toBe(1);
    await writeFile(target, '5\n', { flag: 'a' });
    expect(await poll()).toBe(2);
    expect(follower.values[1]).toEqual([1, 25]);
    await expectSameAsDecoder(follower, target, ['time', 'x']);
    await tail.close();
  });
});
