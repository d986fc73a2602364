/**
 * The regression check over HTTP: one run against its reference, every selected run against its
 * own, and naming a run's reference in its sidecar. The backend serves the same routes through
 * CallResource, so there is one implementation.
 */
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';

import { API_PREFIX, SimulationSchema, type Simulation } from '../../../../shared/api';
import {
  BatchCompareRequestSchema,
  BatchCompareResponseSchema,
  CompareRequestSchema,
  DEFAULT_BATCH_RUNS,
  DEFAULT_MAX_INTERVALS,
  RegressionResultSchema,
  SetReferenceRequestSchema,
  isBatchItemError,
  type BatchCompareRequest,
  type BatchCompareResponse,
  type BatchItemError,
  type CompareRequest,
  type RegressionResult,
} from '../../../../shared/regression';
import type { Catalog } from '../../../../engine/catalog/catalog';
import { readSidecar } from '../../../../engine/catalog/metadata';
import { SidecarWriteError } from '../../../../engine/catalog/sidecar-write';
import { compareRuns, resolveTolerances } from '../../../../engine/compare';
import type { Tolerances } from '../../../../engine/compare/types';
import { DecodeError, type ResultFile } from '../../../../engine/decoder';
import { AdmissionGate } from '../../../../engine/util/pool';
import type { App } from '../../app';
import { requireScope } from '../../auth';
import { HttpError } from '../../errors';
import { requireFile, requireSimulation } from '../lookup';
import { regressionJson } from './json';
import { pairVariables } from './pairs';

const IdParamsSchema = Type.Object({ id: Type.String({ maxLength: 200 }) }, { additionalProperties: false });

/** Comparisons read whole runs: two at a time keep the memory bound and leave room for queries. */
const COMPARISONS_AT_ONCE = 2;
const COMPARISON_HOLD_MS = 1000;
/** In a batch, a few intervals per variable say where; the single-run route gives all of them. */
const BATCH_MAX_INTERVALS = 10;

export interface RegressionRouteOptions {
  /** The operator's default tolerances (a request's and the sidecars' win over them). */
  tolerances?: Partial<Tolerances>;
}

interface ComparisonTask {
  run: Simulation;
  referenceId: string;
  request: Omit<CompareRequest, 'referenceId'>;
  maxIntervals: number;
  signal: AbortSignal;
}

/** Aborted when the client goes away before the answer is sent, so no one waits on a lost cause. */
function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) {
      controller.abort(new Error('the client closed the request'));
    }
  });
  return controller.signal;
}

async function sidecarTolerances(file: ResultFile): Promise<Partial<Tolerances> | undefined> {
  const { sidecar } = await readSidecar(file.path, file.displayName);
  return sidecar.tolerances;
}

export function regressionRoutes(app: App, catalog: Catalog, options: RegressionRouteOptions = {}): void {
  const gate = new AdmissionGate(COMPARISONS_AT_ONCE, COMPARISON_HOLD_MS);

  async function compareOne(task: ComparisonTask): Promise<RegressionResult> {
    const reference = requireReference(catalog, task.run, task.referenceId);
    const [runFile, referenceFile] = [await requireFile(catalog, task.run.id), await requireFile(catalog, reference.id)];
    const tolerances = resolveTolerances(
      task.request.tolerances,
      await sidecarTolerances(runFile),
      await sidecarTolerances(referenceFile),
      options.tolerances
    );
    const variables = pairVariables(runFile, referenceFile, task.request.variables);
    if (variables.length === 0) {
      const asked = (task.request.variables ?? ['*']).join(', ');
      throw new HttpError(400, 'unknown_variable', `no trajectory of ${runFile.displayName} or ${referenceFile.displayName} matches ${asked}`);
    }
    const comparison = await gate.run(() =>
      compareRuns(runFile, referenceFile, {
        variables,
        tolerances,
        maxIntervals: task.maxIntervals,
        plot: task.request.plot && { ...task.request.plot, maxPoints: task.request.plot.maxDataPoints },
        signal: task.signal,
      }).catch((error: unknown) => {
        // A file that changed or broke under the read: this run's problem, not the server's.
        throw error instanceof DecodeError ? new HttpError(422, 'unreadable_simulation', error.message) : error;
      })
    );
    const names = { simulation: task.run.id, simulationName: task.run.name, reference: reference.id, referenceName: reference.name };
    return regressionJson(names, comparison);
  }

  app.post(
    `${API_PREFIX}/simulations/:id/compare`,
    {
      schema: {
        params: IdParamsSchema,
        body: CompareRequestSchema,
        response: { 200: RegressionResultSchema },
        description:
          'The run against its reference (the sidecar\'s, or `referenceId`) inside a tolerance tube: per variable pass or fail, ' +
          'where it leaves the tube and the largest deviation; with `plot`, the curves and the tube downsampled for plotting.',
      },
    },
    async (request, reply) => {
      const run = requireSimulation(catalog, request.params.id);
      const { referenceId, ...rest } = request.body;
      return compareOne({
        run,
        referenceId: referenceId ?? requireNamedReference(run),
        request: rest,
        maxIntervals: request.body.maxIntervals ?? DEFAULT_MAX_INTERVALS,
        signal: abortOnDisconnect(reply),
      });
    }
  );

  app.post(
    `${API_PREFIX}/compare`,
    {
      schema: {
        body: BatchCompareRequestSchema,
        response: { 200: BatchCompareResponseSchema },
        description:
          'Every selected run that names a reference, against it: by ids, or by search, folder, tag and modifiedSince. ' +
          'A run that cannot be compared is an item with `error`; the others still are.',
      },
    },
    async (request, reply) => {
      const signal = abortOnDisconnect(reply);
      const selected = selectRuns(catalog, request.body);
      const withReference = selected.filter((run) => run.referenceId);
      const limit = request.body.limit ?? DEFAULT_BATCH_RUNS;
      const { simulations: _ids, search: _s, folder: _f, tag: _t, root: _r, modifiedSince: _m, limit: _l, ...compare } = request.body;
      const items: BatchCompareResponse['items'] = [];
      for (const run of withReference.slice(0, limit)) {
        signal.throwIfAborted();
        items.push(
          await compareOne({
            run,
            referenceId: run.referenceId as string,
            request: compare,
            maxIntervals: request.body.maxIntervals ?? BATCH_MAX_INTERVALS,
            signal,
          }).catch((error: unknown) => batchError(run, error))
        );
      }
      const results = items.filter((item): item is RegressionResult => !isBatchItemError(item));
      return {
        items,
        selected: selected.length,
        withoutReference: selected.length - withReference.length,
        truncated: Math.max(0, withReference.length - limit),
        counts: {
          passed: results.filter((item) => item.passed).length,
          failed: results.filter((item) => !item.passed).length,
          errors: items.length - results.length,
        },
      };
    }
  );

  app.put(
    `${API_PREFIX}/simulations/:id/reference`,
    {
      preHandler: requireScope('write'),
      schema: {
        params: IdParamsSchema,
        body: SetReferenceRequestSchema,
        response: { 200: SimulationSchema },
        description:
          'Names the run\'s reference in its sidecar `<file>.json` (atomically, keeping the other fields), or removes it with null.',
      },
    },
    async (request) => {
      const run = requireSimulation(catalog, request.params.id);
      const { referenceId } = request.body;
      if (referenceId !== null) {
        requireReference(catalog, run, referenceId);
      }
      try {
        return await catalog.setReference(run.id, referenceId);
      } catch (error) {
        throw sidecarHttpError(error);
      }
    }
  );
}

function requireNamedReference(run: Simulation): string {
  if (!run.referenceId) {
    throw new HttpError(
      400,
      'no_reference',
      `${run.root}/${run.path} names no reference run: pass "referenceId", or set one (PUT ${API_PREFIX}/simulations/${run.id}/reference)`
    );
  }
  return run.referenceId;
}

function requireReference(catalog: Catalog, run: Simulation, referenceId: string): Simulation {
  if (referenceId === run.id) {
    throw new HttpError(400, 'bad_reference', `${run.root}/${run.path} cannot be its own reference`);
  }
  const reference = catalog.get(referenceId);
  if (!reference) {
    throw new HttpError(404, 'reference_not_found', `the reference of ${run.root}/${run.path} ("${referenceId}") is not in the catalogue`);
  }
  return reference;
}

function selectRuns(catalog: Catalog, body: BatchCompareRequest): Simulation[] {
  const since = body.modifiedSince === undefined ? undefined : Date.parse(body.modifiedSince);
  if (since !== undefined && Number.isNaN(since)) {
    throw new HttpError(400, 'bad_request', `"modifiedSince" (${body.modifiedSince}) is not an ISO 8601 time`);
  }
  const { search, folder, tag, root } = body;
  const listed = body.simulations
    ? body.simulations.map((id) => requireSimulation(catalog, id))
    : catalog.list({ search, folder, tag, root, limit: Number.MAX_SAFE_INTEGER, offset: 0, sort: 'path' }).items;
  return listed.filter((run) => since === undefined || Date.parse(run.modifiedAt) >= since);
}

function batchError(run: Simulation, error: unknown): BatchItemError {
  if (!(error instanceof HttpError)) {
    throw error;
  }
  return {
    simulation: run.id,
    simulationName: run.name,
    reference: run.referenceId ?? null,
    error: { code: error.code, message: error.message },
  };
}

function sidecarHttpError(error: unknown): unknown {
  if (!(error instanceof SidecarWriteError)) {
    return error;
  }
  const answers = { read_only: [409, 'read_only_root'], invalid_sidecar: [422, 'invalid_sidecar'], io: [500, 'sidecar_write_failed'] } as const;
  const [status, code] = answers[error.problem];
  return new HttpError(status, code, error.message);
}
