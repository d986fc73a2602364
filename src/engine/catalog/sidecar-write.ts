/**
 * Changing one field of a sidecar `<file>.json` in place: the other fields (the user's own too) are
 * kept, and the new file replaces the old one by a rename, so a reader sees the old or the new
 * sidecar, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { SIDECAR_MAX_BYTES, SIDECAR_SUFFIX } from './metadata';

export type SidecarWriteProblem = 'read_only' | 'invalid_sidecar' | 'io';

/** Why a sidecar could not be written, with a message naming the file. */
export class SidecarWriteError extends Error {
  constructor(
    readonly problem: SidecarWriteProblem,
    message: string
  ) {
    super(message);
    this.name = 'SidecarWriteError';
  }
}

type JsonObject = Record<string, unknown>;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

async function currentFields(sidecarPath: string, name: string): Promise<JsonObject> {
  const stats = await stat(sidecarPath).catch(() => undefined);
  if (!stats) {
    return {};
  }
  if (!stats.isFile() || stats.size > SIDECAR_MAX_BYTES) {
    throw new SidecarWriteError('invalid_sidecar', `sidecar ${name} is not a file of at most ${SIDECAR_MAX_BYTES / 1024} KiB; not changed`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(sidecarPath, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : 'could not be read';
    // Writing over it would lose whatever the user keeps there.
    throw new SidecarWriteError('invalid_sidecar', `sidecar ${name} ${reason}; fix or remove it first`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SidecarWriteError('invalid_sidecar', `sidecar ${name} is not a JSON object; fix or remove it first`);
  }
  return parsed as JsonObject;
}

/**
 * Sets (or with `undefined` removes) `field` in the sidecar of `resultPath`, keeping every other
 * field. Returns the new sidecar's mtime.
 */
export async function updateSidecarField(
  resultPath: string,
  displayName: string,
  field: string,
  value: unknown
): Promise<number> {
  const sidecarPath = resultPath + SIDECAR_SUFFIX;
  const name = displayName + SIDECAR_SUFFIX;
  const fields = await currentFields(sidecarPath, name);
  if (value === undefined) {
    delete fields[field];
  } else {
    fields[field] = value;
  }
  const temporary = path.join(path.dirname(sidecarPath), `.${path.basename(sidecarPath)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, JSON.stringify(fields, null, 2) + '\n', { flag: 'wx' });
    await rename(temporary, sidecarPath);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    const code = errorCode(error);
    if (code && READ_ONLY_CODES.has(code)) {
      throw new SidecarWriteError('read_only', `cannot write sidecar ${name}: its folder is read-only (${code})`);
    }
    throw new SidecarWriteError('io', `cannot write sidecar ${name}: ${code ?? String(error)}`);
  }
  return (await stat(sidecarPath)).mtimeMs;
}
