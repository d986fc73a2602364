/**
 * The scan follows symbolic links only inside the data root, visits each folder once (so link
 * loops end) and treats a folder named like a result file as a folder.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';

import { findResultFiles, type DataRoot } from './scan';

let base: string;
let root: DataRoot;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'simviz-scan-'));
  const outside = path.join(base, 'outside');
  root = { name: 'lab', path: path.join(base, 'root') };
  await mkdir(path.join(outside, 'deep'), { recursive: true });
  await writeFile(path.join(outside, 'secret.mat'), 'not for the proxy');
  await writeFile(path.join(outside, 'deep', 'secret2.mat'), 'not for the proxy');
  await mkdir(path.join(root.path, 'runs', 'nested', 'x.mat'), { recursive: true });
  await writeFile(path.join(root.path, 'runs', 'a.mat'), 'a');
  await writeFile(path.join(root.path, 'runs', 'nested', 'x.mat', 'inner.mat'), 'b');
  // Loops: to the root itself and to a parent folder.
  await symlink(root.path, path.join(root.path, 'runs', 'loop'));
  await symlink('..', path.join(root.path, 'runs', 'nested', 'up'));
  // Out of the root: a file, a folder, and a relative link climbing out.
  await symlink(path.join(outside, 'secret.mat'), path.join(root.path, 'runs', 'linked-secret.mat'));
  await symlink(outside, path.join(root.path, 'outside-folder'));
  await symlink('../../outside/deep/secret2.mat', path.join(root.path, 'runs', 'climb.mat'));
  // Inside the root: followed. Dangling: ignored.
  await symlink(path.join(root.path, 'runs', 'a.mat'), path.join(root.path, 'alias.mat'));
  await symlink(path.join(root.path, 'missing.mat'), path.join(root.path, 'dangling.mat'));
});

afterAll(() => rm(base, { recursive: true, force: true }));

describe('scanning a data root', () => {
  it('lists the files inside the root once each, follows no link out of it and ends on link loops', async () => {
    const found = await findResultFiles(root, pino({ level: 'silent' }));
    expect(found.map((file) => file.relativePath).sort()).toEqual(['alias.mat', 'runs/a.mat', 'runs/nested/x.mat/inner.mat']);
    expect(found.every((file) => !file.absolutePath.includes('outside'))).toBe(true);
  });

  it('finds nothing, and does not fail, when the root itself is missing', async () => {
    const found = await findResultFiles({ name: 'gone', path: path.join(base, 'no-such-root') }, pino({ level: 'silent' }));
    expect(found).toEqual([]);
  });
});
