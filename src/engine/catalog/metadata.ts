/**
 * What a result file says about its run besides its samples: the naming convention of the results
 * share (`model_experiment_condition_YYYYMMDD_HHMMSS.mat`) and an optional sidecar `<file>.json`.
 */
import { readFile, stat } from 'node:fs/promises';

import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export interface RunName {
  model: string;
  experiment: string;
  /** May itself hold underscores: everything between the experiment and the time stamp. */
  condition: string;
  /** ISO 8601, read as UTC (the convention carries no time zone). */
  runAt: string;
}

const RUN_NAME = /^([^_]+)_([^_]+)_(.+)_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/;

/** The parts of a conventional run name (file name without extension), or null when it does not follow it. */
export function parseRunName(name: string): RunName | null {
  const match = RUN_NAME.exec(name);
  if (!match) {
    return null;
  }
  const [, model, experiment, condition, ...stamp] = match;
  const [year, month, day, hour, minute, second] = stamp.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 20250231 over into March: a stamp that does not survive the round trip is no date.
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return valid ? { model, experiment, condition, runAt: date.toISOString() } : null;
}

export const SIDECAR_SUFFIX = '.json';
/** A sidecar is a few lines of JSON; anything much larger is a mistake, not metadata. */
export const SIDECAR_MAX_BYTES = 256 * 1024;

const SidecarSchema = Type.Object(
  {
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    model: Type.Optional(Type.String({ maxLength: 500 })),
    /** The run this one is compared against: a path relative to the same data root. */
    reference: Type.Optional(Type.String({ maxLength: 2000 })),
    /** Tolerances of the regression check against the reference (the request's own win over them). */
    tolerances: Type.Optional(
      Type.Object(
        {
          absolute: Type.Optional(Type.Number({ minimum: 0 })),
          relative: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          relativeTo: Type.Optional(Type.Union([Type.Literal('range'), Type.Literal('value')])),
          time: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
        },
        { additionalProperties: false }
      )
    ),
  },
  // Users may keep their own fields in the sidecar; SimViz reads only these.
  { additionalProperties: true }
);
export type Sidecar = Pick<Static<typeof SidecarSchema>, 'tags' | 'description' | 'model' | 'reference' | 'tolerances'>;

/** mtime of the sidecar `<file>.json`, or null without one (part of the index key). */
export async function sidecarMtime(resultPath: string): Promise<number | null> {
  const stats = await stat(resultPath + SIDECAR_SUFFIX).catch(() => undefined);
  return stats?.isFile() ? stats.mtimeMs : null;
}

export interface SidecarRead {
  sidecar: Sidecar;
  /** The sidecar's mtime, part of the index key (a changed sidecar is read again). */
  modifiedMs: number | null;
  /** Problems with the sidecar; the result file itself stays usable. */
  warnings: string[];
}

const NO_SIDECAR: SidecarRead = { sidecar: {}, modifiedMs: null, warnings: [] };

function describeSchemaErrors(value: unknown): string {
  const first = Value.Errors(SidecarSchema, value).First();
  if (!first) {
    return 'is not valid';
  }
  const where = first.path ? first.path.slice(1).replace(/\//g, '.') : 'the document';
  return `${where}: ${first.message}`;
}

/** Reads `<file>.json` beside a result file. A missing sidecar is normal; a bad one is a warning. */
export async function readSidecar(resultPath: string, displayName: string): Promise<SidecarRead> {
  const sidecarPath = resultPath + SIDECAR_SUFFIX;
  const name = `${displayName}${SIDECAR_SUFFIX}`;
  const stats = await stat(sidecarPath).catch(() => undefined);
  if (!stats?.isFile()) {
    return NO_SIDECAR;
  }
  const base = { sidecar: {}, modifiedMs: stats.mtimeMs };
  if (stats.size > SIDECAR_MAX_BYTES) {
    return { ...base, warnings: [`sidecar ${name} is larger than ${SIDECAR_MAX_BYTES / 1024} KiB and was ignored`] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(sidecarPath, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : 'could not be read';
    return { ...base, warnings: [`sidecar ${name} ${reason}`] };
  }
  if (!Value.Check(SidecarSchema, parsed)) {
    return { ...base, warnings: [`sidecar ${name}: ${describeSchemaErrors(parsed)}`] };
  }
  const { tags, description, model, reference, tolerances } = parsed;
  return { sidecar: { tags, description, model, reference, tolerances }, modifiedMs: stats.mtimeMs, warnings: [] };
}
