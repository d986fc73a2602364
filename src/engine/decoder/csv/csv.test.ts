import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { readCsv, realFixture } from '../../../../tests/support/fixtures';
import { withFile } from '../file-source';
import { openResultFile, type ResultFile } from '../index';
import { CSV_MAX_BYTES, openCsvResult, type CsvDecodeOptions } from './index';

async function valuesOf(file: ResultFile, name: string): Promise<number[]> {
  const variable = file.findVariable(name);
  if (!variable) {
    throw new Error(`${file.displayName} has no ${name}`);
  }
  const [values] = await file.readValues([variable], 0, file.timePointCount);
  return Array.from(values);
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'simviz-csv-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` as `name` in the temp folder and opens it through the format sniffing of index.ts. */
async function openText(name: string, text: string | Buffer): Promise<ResultFile> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return openResultFile(file, name);
}

async function openWithOptions(name: string, text: string, options: CsvDecodeOptions): Promise<ResultFile> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return withFile(file, name, (source) => openCsvResult(source, options));
}

describe('real CSV fixtures', () => {
  it('reads FallingBodyBox_res.csv cell for cell', async () => {
    const [header, ...rows] = readCsv(realFixture('FallingBodyBox_res.csv'));
    const file = await openResultFile(realFixture('FallingBodyBox_res.csv'), 'FallingBodyBox_res.csv');
    expect(file.format).toBe('csv');
    expect(file.timePointCount).toBe(102);
    expect(file.variables.map((v) => v.name)).toEqual(header);
    expect(file.variables[0]).toMatchObject({ name: 'time', kind: 'time', unit: 's' });
    expect(file.variables.slice(1).every((v) => v.kind === 'trajectory')).toBe(true);
    expect(Array.from(await file.readTime())).toEqual(rows.map((row) => Number(row[0])));
    for (const [column, name] of header.entries()) {
      expect(await valuesOf(file, name)).toEqual(rows.map((row) => Number(row[column])));
    }
    expect(file.startTime).toBe(0);
    expect(file.stopTime).toBe(0.2);
  });

  it('finds the Dymola spelling of a subscripted name', async () => {
    const file = await openResultFile(realFixture('FallingBodyBox_res.csv'));
    expect(file.findVariable('bodyBox.frame_a.R.T[1, 1]')?.name).toBe('bodyBox.frame_a.R.T[1,1]');
  });

  it('matches the Dymola 2021 MAT result of the same model within 4e-6', async () => {
    const csv = await openResultFile(realFixture('FallingBodyBox_res.csv'));
    const mat = await openResultFile(realFixture('dymola2021_fallingbodybox.mat'));
    expect(mat.timePointCount).toBe(csv.timePointCount);
    const shared = csv.variables.filter((v) => v.kind === 'trajectory');
    expect(shared).toHaveLength(5);
    const deviations: Record<string, number> = {};
    for (const { name } of [csv.variables[0], ...shared]) {
      const fromMat = await valuesOf(mat, name);
      const fromCsv = await valuesOf(csv, name);
      deviations[name] = Math.max(...fromCsv.map((value, i) => Math.abs(value - fromMat[i])));
    }
    const tooFar = Object.entries(deviations).filter(([, worst]) => !(worst < 4e-6));
    expect(tooFar).toEqual([]);
    // The CSV holds float64 values, the Dymola file float32: they must differ somewhere.
    expect(Math.max(...Object.values(deviations))).toBeGreaterThan(0);
  });

  it('reports the hand-made BouncingBall_res.csv as not a result table', async () => {
    await expect(openResultFile(realFixture('BouncingBall_res.csv'), 'BouncingBall_res.csv')).rejects.toMatchObject({
      name: 'DecodeError',
      code: 'not_a_trajectory',
      message:
        'BouncingBall_res.csv: not a plain result table: column "time" appears twice in the header (columns 2 and 15)',
    });
  });
});

describe('CSV dialects', () => {
  it('reads OpenModelica output with a trailing comma on each line', async () => {
    const file = await openText('om.csv', '"time","x","der(x)",\n0,1,0,\n0.5,0.75,-0.5,\n1,0.5,-0.5,\n');
    expect(file.variables.map((v) => v.name)).toEqual(['time', 'x', 'der(x)']);
    expect(Array.from(await file.readTime())).toEqual([0, 0.5, 1]);
    expect(await valuesOf(file, 'der(x)')).toEqual([0, -0.5, -0.5]);
  });

  it('reads semicolon-separated files, with decimal commas', async () => {
    const file = await openText('semicolon.csv', 'time;x;y\n0;1,5;2\n0,25;-3;4.5\n');
    expect(await valuesOf(file, 'x')).toEqual([1.5, -3]);
    expect(await valuesOf(file, 'y')).toEqual([2, 4.5]);
    expect(Array.from(await file.readTime())).toEqual([0, 0.25]);
  });

  it('reads tab-separated files', async () => {
    const file = await openText('tab.csv', 'Time\tx\ty\n0\t1\t2\n1\t3\t4\n');
    expect(file.variables[0].name).toBe('Time');
    expect(file.findVariable('time')?.kind).toBe('time');
    expect(await valuesOf(file, 'y')).toEqual([2, 4]);
  });

  it('reads a BOM, CRLF line ends and empty trailing lines', async () => {
    const file = await openText('bom.csv', '\ufefftime,x\r\n0,1\r\n1,2\r\n\r\n\r\n');
    expect(file.variables[0].name).toBe('time');
    expect(file.timePointCount).toBe(2);
    expect(await valuesOf(file, 'x')).toEqual([1, 2]);
  });

  it('keeps quoted names with separators and quotes in them', async () => {
    const file = await openText('quoted.csv', '"time","a[1,2]","b; c","say ""hi"""\n0,1,2,3\n');
    expect(file.variables.map((v) => v.name)).toEqual(['time', 'a[1,2]', 'b; c', 'say "hi"']);
    expect(await valuesOf(file, 'say "hi"')).toEqual([3]);
  });

  it('reads special numbers, booleans and empty cells', async () => {
    const file = await openText(
      'special.csv',
      'time,nan,inf,sci,flag,gap\n0,NaN,Inf,1e-3,true,\n1,nan,-Inf,-0,false,2\n2,-nan,+inf,.5E+2,True,3\n'
    );
    expect(await valuesOf(file, 'nan')).toEqual([NaN, NaN, NaN]);
    expect(await valuesOf(file, 'inf')).toEqual([Infinity, -Infinity, Infinity]);
    const sci = await valuesOf(file, 'sci');
    expect(sci).toEqual([0.001, -0, 50]);
    expect(Object.is(sci[1], -0)).toBe(true);
    expect(await valuesOf(file, 'flag')).toEqual([1, 0, 1]);
    expect(file.findVariable('flag')?.valueType).toBe('Boolean');
    expect(await valuesOf(file, 'gap')).toEqual([NaN, 2, 3]);
  });

  it('keeps duplicated time stamps (events)', async () => {
    const file = await openText('events.csv', 'time,x\n0,0\n1,1\n1,5\n2,5\n');
    expect(Array.from(await file.readTime())).toEqual([0, 1, 1, 2]);
    expect(await valuesOf(file, 'x')).toEqual([0, 1, 5, 5]);
  });

  it('takes units from `name [unit]` headers, leaving subscripts alone', async () => {
    const file = await openText('units.csv', 'time [s],T [K],p [Pa|bar],"x[1,2]",y[1] [m]\n0,300,1e5,1,2\n');
    expect(file.variables.map((v) => [v.name, v.unit, v.displayUnit])).toEqual([
      ['time', 's', null],
      ['T', 'K', null],
      ['p', 'Pa', 'bar'],
      ['x[1,2]', null, null],
      ['y[1]', 'm', null],
    ]);
  });

  it('takes units from a second header row', async () => {
    const file = await openText('unit-row.csv', 'time,v,n\ns,m/s,\n0,1,2\n1,3,4\n');
    expect(file.variables.map((v) => [v.name, v.unit])).toEqual([
      ['time', 's'],
      ['v', 'm/s'],
      ['n', null],
    ]);
    expect(file.timePointCount).toBe(2);
  });

  it('takes a first column named like time, and ignores unnamed columns such as a pandas index', async () => {
    const file = await openText('pandas.csv', ',t,x\n0,0.0,1\n1,0.1,2\n');
    expect(file.variables.map((v) => `${v.name}:${v.kind}`)).toEqual(['t:time', 'x:trajectory']);
    expect(Array.from(await file.readTime())).toEqual([0, 0.1]);
  });

  it('reads the same values whatever the chunk size, UTF-8 names included', async () => {
    const text =
      '"time","Temperatur °C","name, with comma"\n' +
      Array.from({ length: 50 }, (_, i) => `${i},${i * 2},"${i * 3}"`).join('\n');
    const small = await openWithOptions('chunks.csv', text, { chunkBytes: 7 });
    const large = await openWithOptions('chunks.csv', text, {});
    expect(small.variables.map((v) => v.name)).toEqual(['time', 'Temperatur °C', 'name, with comma']);
    expect(await valuesOf(small, 'Temperatur °C')).toEqual(await valuesOf(large, 'Temperatur °C'));
    expect(await valuesOf(small, 'name, with comma')).toEqual(Array.from({ length: 50 }, (_, i) => i * 3));
  });

  it('leaves out a short last row of a file still being written', async () => {
    const file = await openText('growing.csv', 'time,x,y\n0,1,2\n1,3');
    expect(file.timePointCount).toBe(1);
  });
});

describe('CSV errors', () => {
  const cases: Array<[string, string, string, string]> = [
    ['text in a cell', 'time,x\n0,1\n1,abc\n', 'corrupt', 'row 3, column "x": "abc" is not a number'],
    [
      'decreasing time',
      'time,x\n0,1\n2,2\n1,3\n',
      'corrupt',
      'row 4, column "time": time goes back from 2 to 1 (time must not decrease)',
    ],
    [
      'a time that is not finite',
      'time,x\n0,1\nInf,2\n',
      'corrupt',
      'row 3, column "time": "Inf" is not a finite time',
    ],
    ['an empty time', 'time,x\n0,1\n,2\n', 'corrupt', 'row 3, column "time": "" is not a number'],
    [
      'no time column',
      'x,y\n1,2\n',
      'not_a_trajectory',
      'CSV file without a numeric time column: expected a column "time" or "Time", or a first column named like time (the first column is "x")',
    ],
    [
      'notes with commas',
      'Remember, this is a note\nand so, is this\n',
      'not_a_trajectory',
      'CSV file without a numeric time column: expected a column "time" or "Time", or a first column named like time (the first column is "Remember")',
    ],
    ['a header only', 'time,x\n', 'not_a_trajectory', 'CSV file without data rows (only a header)'],
    ['a time column only', 'time,\n0,\n', 'not_a_trajectory', 'CSV file with a time column only, no variables'],
    ['a short row', 'time,x,y\n0,1,2\n1,3\n2,4,5\n', 'corrupt', 'row 3 has 2 cells but the header names 3 columns'],
    [
      'an unclosed quote',
      'time,x\n0,"1\n',
      'corrupt',
      'CSV syntax error: Quote Not Closed: the parsing is finished with an opening quote at line 2',
    ],
  ];

  it.each(cases)('reports %s', async (_what, text, code, problem) => {
    await expect(openText('bad.csv', text)).rejects.toMatchObject({
      name: 'DecodeError',
      code,
      message: `bad.csv: ${problem}`,
    });
  });

  it('reports an empty file (through index.ts)', async () => {
    await expect(openText('empty.csv', '')).rejects.toMatchObject({
      code: 'empty',
      message: 'empty.csv: file is empty',
    });
  });

  it('refuses files above the size bound before reading them', async () => {
    expect(CSV_MAX_BYTES).toBe(512 * 1024 * 1024);
    const text = 'time,x\n' + Array.from({ length: 1000 }, (_, i) => `${i},${i}`).join('\n');
    await expect(openWithOptions('big.csv', text, { maxBytes: 1024 })).rejects.toMatchObject({
      code: 'unsupported_format',
      message: 'big.csv: CSV files above 0.000977 MiB are not supported (it is 0.00743 MiB)',
    });
  });
});
