/**
 * GET /api/v1/simulations/:id/rows: the rows a run appends, for the live view (shared/liveRows.ts).
 * It long-polls on the catalog's file events (the watcher's, or a timer when there is none), and
 * reads only the rows after the client's cursor (engine/live: never the file from its start).
 */
import { Type } from '@sinclair/typebox';

import { API_PREFIX, isGlob, type Simulation } from '../../../shared/api';
import { DEFAULT_ROWS_PER_ANSWER, encodeRowsAnswer, ROWS_MEDIA_TYPE, RowsAnswerSchema, RowsQuerySchema, type RowsAnswer, type RowsColumns, type RowsSeriesColumns } from '../../../shared/liveRows';
import type { Catalog } from '../../../engine/catalog/catalog';
import { DecodeError, type VariableInfo } from '../../../engine/decoder';
import { expandVariables } from '../../../engine/query/run';
import type { FollowAnswer, Followers } from '../../../engine/live/followers';
import type { App } from '../app';
import { HttpError } from '../errors';
import { requireFile, requireSimulation } from './lookup';

/** The binary form (shared/liveRows.ts), which the backend's live feed asks for with its Accept header. */
const RowsBinarySchema = Type.Unsafe<Buffer>({
  type: 'string',
  format: 'binary',
  description: `"SVR1", a uint32 (little-endian) head length, the head as JSON (the JSON answer without "time" and the series' "values", plus "rows"), spaces up to a multiple of 8 bytes, then the rows' times and each series' values as little-endian float64.`,
});
const IdParamsSchema = Type.Object({ id: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
/** Without a watcher nothing reports growth: look again this often while waiting. */
const POLL_WITHOUT_WATCHER_MS = 1_000;
/** Solvers write a step in several writes: after an event, wait this long so that one answer takes them all. */
const COALESCE_MS = 20;

/** The requested names as stored in the file, each with the name (or glob) it was asked as. */
async function resolveNames(catalog: Catalog, simulation: Simulation, requested: readonly string[]): Promise<Array<{ requested: string; name: string }>> {
  if (!requested.some(isGlob)) {
    return requested.map((name) => ({ requested: name, name }));
  }
  const file = await requireFile(catalog, simulation.id);
  return expandVariables(file, requested).flatMap((wanted) => (wanted.variable ? [{ requested: wanted.requested, name: wanted.variable.name }] : []));
}

function wireValues(values: Float64Array): Array<number | null> {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Number.isFinite(values[i]) ? values[i] : null;
  }
  return out;
}

const NO_ROWS = new Float64Array(0);

function seriesOf(answer: FollowAnswer, requestedOf: (info: VariableInfo, k: number) => string): RowsSeriesColumns[] {
  return answer.variables.map((info, k) => ({
    variable: requestedOf(info, k),
    resolvedName: info.name,
    unit: info.unit,
    displayUnit: info.displayUnit,
    valueType: info.valueType,
    description: info.description,
    values: answer.rows?.values[k] ?? NO_ROWS,
  }));
}

/** The JSON answer: null where a value is NaN or infinite. */
function asJson({ time, series, ...rest }: RowsColumns): RowsAnswer {
  return { ...rest, time: Array.from(time), series: series.map((entry) => ({ ...entry, values: wireValues(entry.values) })) };
}

/** Resolves after the next file event for `id`, after `ms`, or when `signal` aborts, whichever comes first. */
function nextChange(catalog: Catalog, id: string, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, catalog.watches ? ms : Math.min(ms, POLL_WITHOUT_WATCHER_MS));
    const unsubscribe = catalog.onFileEvent(id, () => setTimeout(done, COALESCE_MS));
    signal.addEventListener('abort', done, { once: true });
  });
}

function hasNews(answer: FollowAnswer): boolean {
  return answer.reset || answer.more || (answer.rows?.time.length ?? 0) > 0;
}

export function liveRoutes(app: App, catalog: Catalog, followers: Followers): void {
  app.get(
    `${API_PREFIX}/simulations/:id/rows`,
    {
      schema: {
        params: IdParamsSchema,
        querystring: RowsQuerySchema,
        response: { 200: { content: { 'application/json': { schema: RowsAnswerSchema }, [ROWS_MEDIA_TYPE]: { schema: RowsBinarySchema } } } },
      },
    },
    async (request, reply) => {
      const simulation = requireSimulation(catalog, request.params.id);
      const { variable, from = 0, token, waitMs = 0, limit = DEFAULT_ROWS_PER_ANSWER } = request.query;
      const names = await resolveNames(catalog, simulation, variable);
      const stored = names.map((n) => n.name);
      const requestedOf = (info: VariableInfo, k: number) => names.find((n) => n.name === info.name)?.requested ?? stored[k] ?? info.name;
      const closed = new AbortController();
      request.raw.once('close', () => closed.abort());
      const deadline = Date.now() + waitMs;
      let cursor = { from, token };
      let answer: FollowAnswer;
      for (;;) {
        answer = await readRows(followers, catalog, simulation, stored, cursor, limit);
        const writing = catalog.isWriting(simulation.id);
        const left = deadline - Date.now();
        if (hasNews(answer) || !writing || left <= 0 || closed.signal.aborted) {
          break;
        }
        cursor = { from: answer.from, token: answer.token };
        await nextChange(catalog, simulation.id, left, closed.signal);
      }
      const status = catalog.get(simulation.id)?.status ?? simulation.status;
      const requestedNames = new Set(names.map((n) => n.requested));
      const columns: RowsColumns = {
        simulation: simulation.id,
        token: answer.token,
        reset: answer.reset,
        from: answer.from,
        more: answer.more,
        status,
        settled: status !== 'writing' && !answer.more,
        span: answer.span ?? null,
        time: answer.rows?.time ?? NO_ROWS,
        series: seriesOf(answer, requestedOf),
        missing: [...variable.filter((name) => !requestedNames.has(name)), ...answer.missing],
      };
      reply.header('vary', 'accept');
      if (request.headers.accept?.includes(ROWS_MEDIA_TYPE)) {
        const body = encodeRowsAnswer(columns);
        return reply.type(ROWS_MEDIA_TYPE).send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      }
      return asJson(columns);
    }
  );
}

async function readRows(
  followers: Followers,
  catalog: Catalog,
  simulation: Simulation,
  variables: string[],
  cursor: { from: number; token: string | undefined },
  limit: number
): Promise<FollowAnswer> {
  const located = catalog.locate(simulation.id);
  if (!located) {
    throw new HttpError(404, 'not_found', `no simulation with id "${simulation.id}"`);
  }
  try {
    return await followers.read({ id: simulation.id, ...located, variables, ...cursor, limit });
  } catch (error) {
    if (error instanceof DecodeError) {
      throw new HttpError(422, 'unreadable_simulation', error.message);
    }
    throw error;
  }
}
