import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'csv-parse/sync';

const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * The real Dymola/OpenModelica files shared by the project (never copied into this repository).
 * A missing folder fails the tests loudly rather than skipping them.
 */
export function realFixturesDir(): string {
  const dir = process.env.SIMVIZ_FIXTURES ?? path.resolve(REPO_ROOT, '../shared/fixtures/real');
  if (!existsSync(path.join(dir, 'SOURCES.md'))) {
    throw new Error(`real fixtures not found at ${dir}; set SIMVIZ_FIXTURES to the shared fixtures/real folder`);
  }
  return dir;
}

export function realFixture(name: string): string {
  return path.join(realFixturesDir(), name);
}

/** A CSV file as rows of cells (quoted headers such as "x[1,1]" stay one cell). */
export function readCsv(file: string): string[][] {
  return parse(readFileSync(file, 'utf8'), { relax_column_count: true }) as string[][];
}
