/** Decoding one result file into its catalogue entry (and logging why it fails): shared by scans, uploads, settles. */
import type { Logger } from 'pino';

import type { Simulation } from '../../shared/api';
import { DecodeError, openResultFile, type DecodeOptions } from '../decoder';
import { readSidecar } from './metadata';
import type { FileStats, FoundFile } from './scan';
import { baseSummary, displayName, qualityProblem, tooSmallProblem, withDecoded, withError } from './summary';
import type { CatalogObserver } from './types';

export interface DescribeContext {
  readonly decodeOptions: DecodeOptions;
  readonly observer: CatalogObserver;
  readonly logger: Logger;
}

export async function describeFile(
  context: DescribeContext,
  file: FoundFile,
  stats: FileStats,
  writing: boolean
): Promise<Simulation> {
  const metadata = await readSidecar(file.absolutePath, displayName(file));
  const base = baseSummary(file, stats, metadata, writing ? 'writing' : 'ok');
  if (file.scanProblem) {
    return withError(base, file, file.scanProblem);
  }
  const tooSmall = tooSmallProblem(file, stats);
  if (tooSmall) {
    return writing ? base : withError(base, file, tooSmall);
  }
  const started = performance.now();
  try {
    const decoded = await openResultFile(file.absolutePath, displayName(file), context.decodeOptions);
    context.observer.decoded?.(decoded.format, true, (performance.now() - started) / 1000);
    const summary = withDecoded(base, decoded);
    const problem = writing ? undefined : qualityProblem(file, decoded);
    return problem ? withError(summary, file, problem) : summary;
  } catch (error) {
    context.observer.decoded?.('unknown', false, (performance.now() - started) / 1000);
    // A file being written may not decode yet; that is not an error until it settles.
    return writing ? base : failedSummary(context.logger, base, file, error);
  }
}

function failedSummary(logger: Logger, base: Simulation, file: FoundFile, error: unknown): Simulation {
  const summary = withError(base, file, error);
  if (error instanceof DecodeError) {
    logger.warn({ file: displayName(file), reason: summary.error }, 'result file cannot be used');
  } else {
    logger.error({ file: displayName(file), err: error }, 'unexpected failure while decoding a result file');
  }
  return summary;
}
