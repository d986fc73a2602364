/**
 * Restart benchmark of the persistent index: the proxy over 10,000 generated result files, started
 * twice on the same cache directory. The first start decodes every file; the second must be ready
 * (`/api/v1/ready` = 200) in under 5 s, taking unchanged files from the index.
 *
 *   npm run bench -- --only index [--files 10000]
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { writeResultFile } from '../src/engine/writer/mat4-writer';

const REPO = path.resolve(__dirname, '..');
const PER_FOLDER = 500;
const TARGET_MS = 5000;

/** HHMMSS of the i-th second of a day, so every generated name follows the naming convention. */
function clock(i: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(i / 3600) % 24)}${two(Math.floor(i / 60) % 60)}${two(i % 60)}`;
}

async function generate(root: string, files: number): Promise<void> {
  const existing = await readdir(root, { recursive: true }).catch(() => []);
  if (existing.filter((name) => String(name).endsWith('.mat')).length === files) {
    return;
  }
  await rm(root, { recursive: true, force: true });
  const template = path.join(root, 'template.tmp');
  await mkdir(root, { recursive: true });
  const time = Array.from({ length: 200 }, (_, i) => i * 0.05);
  const variables = Array.from({ length: 30 }, (_, k) => ({ kind: 'trajectory' as const, name: `plant.part${k}.T`, unit: 'K' }));
  const trajectories = Object.fromEntries(variables.map((v, k) => [v.name, time.map((t) => 290 + k + Math.sin(t))]));
  await writeResultFile(template, { startTime: 0, stopTime: 10, variables }, { time, trajectories });
  const past = new Date(Date.now() - 3600_000);
  for (let i = 0; i < files; i++) {
    const folder = path.join(root, `campaign${Math.floor(i / PER_FOLDER)}`);
    if (i % PER_FOLDER === 0) {
      await mkdir(folder, { recursive: true });
    }
    const file = path.join(folder, `Plant_Sweep_c${i}_20250101_${clock(i)}.mat`);
    await copyFile(template, file);
    await utimes(file, past, past);
  }
  await rm(template);
}

/** Starts the proxy from source and returns ms until /ready answered 200, then stops it. */
async function timeToReady(root: string, cacheDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/proxy/cli.ts'), '--data', `bench=${root}`, '--port', '0', '--cache-dir', cacheDir, '--log-level', 'info'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) {
          resolve(entry.url);
        }
      });
      child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
    });
    for (;;) {
      const response = await fetch(`${url}/api/v1/ready`).catch(() => undefined);
      if (response?.status === 200) {
        return performance.now() - started;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export async function benchIndex(benchDir: string, files = 10_000): Promise<{ files: number; coldMs: number; warmMs: number }> {
  const root = path.join(benchDir, `index-${files}`);
  const cacheDir = path.join(benchDir, `index-${files}-cache`);
  const generatedAt = performance.now();
  await generate(root, files);
  console.log(`index bench: ${files} files ready in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s`);
  await rm(cacheDir, { recursive: true, force: true });
  const coldMs = await timeToReady(root, cacheDir);
  const warmMs = await timeToReady(root, cacheDir);
  const verdict = warmMs <= TARGET_MS ? 'meets' : 'MISSES';
  console.log(
    `index (${files} result files): first start (decodes every file) ready in ${(coldMs / 1000).toFixed(2)} s | ` +
      `restart from the index ready in ${(warmMs / 1000).toFixed(2)} s = ${(warmMs / coldMs).toFixed(2)}x the first start; ${verdict} the ${TARGET_MS / 1000} s target`
  );
  return { files, coldMs, warmMs };
}

if (require.main === module) {
  const files = Number(process.argv[process.argv.indexOf('--files') + 1]) || 10_000;
  benchIndex(path.join(REPO, '.bench'), files).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
