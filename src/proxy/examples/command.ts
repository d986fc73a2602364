import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { generateExamples } from './generate';

export const EXAMPLES_USAGE = `Usage: npm run examples -- [--out DIR] [--force]

Simulates the example models and writes Dymola-style .mat result files.

  --out DIR   where to write (default data/examples, relative to the current directory)
  --force     regenerate even if DIR already has files (existing example files are overwritten)
  --help`;

export interface CommandOutput {
  info: (line: string) => void;
  error: (line: string) => void;
}

type Options = { kind: 'help' } | { kind: 'generate'; outDir: string; force: boolean };

function parseOptions(argv: string[], cwd: string): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    return { kind: 'help' };
  }
  return { kind: 'generate', outDir: path.resolve(cwd, values.out ?? 'data/examples'), force: values.force ?? false };
}

// Duck typing, not instanceof: errors from node:fs may come from another realm (as under jest).
function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return String(error);
}

async function hasEntries(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch (error) {
    if (hasCode(error, 'ENOENT')) {
      return false;
    }
    throw error;
  }
}

/** Relative to where the user is, unless that needs `..`. */
function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

async function generate(outDir: string, cwd: string, output: CommandOutput): Promise<void> {
  const started = performance.now();
  const written = await generateExamples(outDir);
  const elapsed = performance.now() - started;
  let total = 0;
  for (const file of written) {
    const { size } = await stat(file);
    total += size;
    output.info(`  ${displayPath(file, cwd)}  ${kilobytes(size)}`);
  }
  output.info(`wrote ${written.length} result files (${kilobytes(total)}) to ${outDir} in ${elapsed.toFixed(0)} ms`);
}

/** The `npm run examples` command; returns the process exit code. */
export async function runExamplesCommand(argv: string[], cwd: string, output: CommandOutput): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv, cwd);
  } catch (error) {
    output.error(`examples: ${messageOf(error)}\n\n${EXAMPLES_USAGE}`);
    return 2;
  }
  if (options.kind === 'help') {
    output.info(EXAMPLES_USAGE);
    return 0;
  }
  try {
    if (!options.force && (await hasEntries(options.outDir))) {
      // Someone may have put their own results there; never overwrite without being asked.
      output.info(`${options.outDir} already has files; leaving it alone (use --force to regenerate)`);
      return 0;
    }
    await generate(options.outDir, cwd, output);
    return 0;
  } catch (error) {
    output.error(`examples: could not write the examples to ${options.outDir}: ${messageOf(error)}`);
    return 1;
  }
}
