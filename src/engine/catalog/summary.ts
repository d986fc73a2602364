/** The catalogue entry (a `Simulation`) of one result file, from its decoded file and its metadata. */
import path from 'node:path';

import type { Simulation, SimulationStatus } from '../../shared/api';
import { DecodeError, type ResultFile } from '../decoder';
import { simulationId } from './ids';
import { parseRunName, type SidecarRead } from './metadata';
import type { FileStats, FoundFile } from './scan';

/** Smaller than any real result (a MAT v4 header alone is 20 bytes): a placeholder or a failed write. */
export const MIN_RESULT_BYTES = 16;

export function displayName(file: FoundFile): string {
  return `${file.root.name}/${file.relativePath}`;
}

function referenceId(file: FoundFile, reference: string | undefined, warnings: string[]): string | null {
  if (!reference) {
    return null;
  }
  const given = reference.replace(/\\/g, '/');
  // `./` and `../` name the reference beside the run, wherever the data root is mounted; any
  // other path is relative to the root.
  const beside = given.startsWith('./') || given.startsWith('../');
  const normalized = path.posix.normalize(beside ? path.posix.join(path.posix.dirname(file.relativePath), given) : given);
  if (normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) {
    warnings.push(`sidecar reference "${reference}" is outside the data root "${file.root.name}"`);
    return null;
  }
  return simulationId(file.root.name, normalized);
}

/** Everything but what decoding tells: identity, file facts and metadata. */
export function baseSummary(file: FoundFile, stats: FileStats, metadata: SidecarRead, status: SimulationStatus): Simulation {
  const name = path.posix.basename(file.relativePath).replace(/\.[^.]+$/, '');
  const folder = path.posix.dirname(file.relativePath);
  const run = parseRunName(name);
  const warnings = [...metadata.warnings];
  const { sidecar } = metadata;
  return {
    id: simulationId(file.root.name, file.relativePath),
    name,
    path: file.relativePath,
    root: file.root.name,
    format: 'unknown',
    status,
    variableCount: 0,
    timePointCount: 0,
    startTime: null,
    stopTime: null,
    sizeBytes: stats.size,
    modifiedAt: new Date(stats.mtimeMs).toISOString(),
    folder: folder === '.' ? '' : folder,
    model: sidecar.model ?? run?.model ?? null,
    experiment: run?.experiment ?? null,
    condition: run?.condition ?? null,
    runAt: run?.runAt ?? null,
    tags: sidecar.tags ?? [],
    description: sidecar.description ?? null,
    referenceId: referenceId(file, sidecar.reference, warnings),
    warnings,
  };
}

/** Why a decoded file is not a usable run, or undefined when it is. */
export function qualityProblem(file: FoundFile, decoded: ResultFile): string | undefined {
  if (!decoded.variables.some((variable) => variable.kind === 'trajectory')) {
    return `${displayName(file)}: holds no trajectory (only time and parameters), so there is nothing to plot`;
  }
  return undefined;
}

export function tooSmallProblem(file: FoundFile, stats: FileStats): string | undefined {
  return stats.size < MIN_RESULT_BYTES
    ? `${displayName(file)}: is only ${stats.size} bytes, too small to be a result file`
    : undefined;
}

export function withDecoded(base: Simulation, decoded: ResultFile): Simulation {
  return {
    ...base,
    format: decoded.format,
    variableCount: decoded.variables.length,
    timePointCount: decoded.timePointCount,
    startTime: decoded.startTime,
    stopTime: decoded.stopTime,
    sizeBytes: decoded.sizeBytes,
    modifiedAt: new Date(decoded.modifiedMs).toISOString(),
  };
}

export function withError(base: Simulation, file: FoundFile, error: unknown, format?: string): Simulation {
  const reason =
    error instanceof DecodeError
      ? error.message
      : typeof error === 'string'
        ? error
        : `${displayName(file)}: could not be read (${error instanceof Error ? error.message : String(error)})`;
  return { ...base, format: format ?? base.format, status: 'error', error: reason };
}
