import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { runExamplesCommand } from './command';

let workDir: string;
let info: string[];
let errors: string[];
const output = { info: (line: string) => info.push(line), error: (line: string) => errors.push(line) };

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'simviz-examples-cli-'));
  info = [];
  errors = [];
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function listMatFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) => entry.endsWith('.mat')).sort();
}

describe('npm run examples', () => {
  it('writes into data/examples below the current directory by default and lists the files', async () => {
    expect(await runExamplesCommand([], workDir, output)).toBe(0);
    const written = await listMatFiles(path.join(workDir, 'data/examples'));
    expect(written.length).toBeGreaterThanOrEqual(7);
    expect(info.filter((line) => line.includes('.mat'))).toHaveLength(written.length);
    expect(info[info.length - 1]).toMatch(/^wrote \d+ result files/);
    expect(errors).toEqual([]);
  });

  it('leaves a non-empty folder alone unless forced', async () => {
    const own = path.join(workDir, 'mine.mat');
    await writeFile(own, 'not an example');
    expect(await runExamplesCommand(['--out', workDir], workDir, output)).toBe(0);
    expect(info.join('\n')).toMatch(/already has files.*--force/);
    expect(await listMatFiles(workDir)).toEqual(['mine.mat']);

    expect(await runExamplesCommand(['--out', workDir, '--force'], workDir, output)).toBe(0);
    expect((await listMatFiles(workDir)).length).toBeGreaterThan(1);
    expect((await stat(own)).size).toBe('not an example'.length);
  });

  it('fails with a clear message on unknown options and unwritable targets', async () => {
    expect(await runExamplesCommand(['--bogus'], workDir, output)).toBe(2);
    expect(errors[0]).toMatch(/--bogus[\s\S]*Usage/);
    const file = path.join(workDir, 'a-file');
    await writeFile(file, '');
    expect(await runExamplesCommand(['--out', file, '--force'], workDir, output)).toBe(1);
    expect(errors[1]).toMatch(/could not write the examples to .*a-file: ENOTDIR/);
  });
});
