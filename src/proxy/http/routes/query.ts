import { API_PREFIX, QueryRequestSchema, type QueryRequest } from '../../../shared/api';
import type { Catalog } from '../../../engine/catalog/catalog';
import type { ResultFile } from '../../../engine/decoder';
import { ResponseCache, responseKey, type FileVersion } from '../../../engine/query/response-cache';
import { runQuery, TooManySeriesError } from '../../../engine/query/run';
import { queryResponseBinary, queryResponseJson } from '../../../engine/query/serialize';
import { SERIES_MEDIA_TYPE } from '../../../shared/seriesWire';
import type { App } from '../app';
import { HttpError } from '../errors';
import { AdmissionGate } from '../../../engine/util/pool';

const JSON_TYPE = 'application/json; charset=utf-8';

const QUERY_DESCRIPTION =
  `Series of one or more simulations, clipped to [from, to] and M4-downsampled to maxDataPoints. ` +
  `The answer is JSON, or with \`Accept: ${SERIES_MEDIA_TYPE}\` the same answer in binary form: ` +
  `"SVS1", a uint32 (little-endian) head length, the head as JSON (a data entry has "points" instead of ` +
  `"time" and "values"), spaces up to a multiple of 8 bytes, then per data entry its times and values ` +
  `as little-endian float64.`;

type AnswerForm = 'json' | 'binary';

/**
 * Queries in progress at once, in arrival order. Each awaits its reads several times; with every
 * query of 50 clients in progress at once, each of those awaits queued behind all the others.
 * Under the load benchmark, four at a time (libuv has four threads for their reads) took the p99
 * from 155-159 ms to 104-122 ms at the same throughput. A query still running after
 * QUERY_HOLD_MS (a cold file on a network share) gives its place to the next and carries on
 * beside it, so it holds up the others for no longer than that.
 */
const QUERIES_AT_ONCE = 4;
const QUERY_HOLD_MS = 200;

const queriesRunning = new AdmissionGate(QUERIES_AT_ONCE, QUERY_HOLD_MS);

function answerFormOf(accept: string | undefined): AnswerForm {
  return accept?.includes(SERIES_MEDIA_TYPE) ? 'binary' : 'json';
}

const CONTENT_TYPES: Record<AnswerForm, string> = { json: JSON_TYPE, binary: SERIES_MEDIA_TYPE };

export function queryRoutes(app: App, catalog: Catalog, cache = new ResponseCache()): void {
  app.post(`${API_PREFIX}/query`, { schema: { body: QueryRequestSchema, description: QUERY_DESCRIPTION } }, async (request, reply) => {
    const { from, to } = request.body;
    if (from !== undefined && to !== undefined && from > to) {
      throw new HttpError(400, 'bad_request', `"from" (${from}) is after "to" (${to})`);
    }
    const form = answerFormOf(request.headers.accept);
    reply.header('vary', 'accept');
    return queriesRunning.run(async () => {
    const files = cache.enabled ? await cacheableFiles(catalog, request.body) : undefined;
    const key = files && responseKey(request.body, files.map(versionOf), form);
    const cached = key && cache.get(key);
    // As fresh as a read: the catalog checks a file at most once a second, so look at the disk.
    const stale = cached && !files.every((file) => catalog.changeAfterRead(file.id, file.file) === 'none');
    if (cached && !stale) {
      return reply.type(CONTENT_TYPES[form]).send(cached);
    }
    try {
      // The files just opened are read, unless they turned out to have changed (then open afresh).
      const opened = new Map(stale ? [] : files?.map(({ id, file }) => [id, file]));
      const series = await runQuery(catalog, request.body, undefined, opened);
      const body = form === 'binary' ? queryResponseBinary(series) : Buffer.from(queryResponseJson(series));
      if (key && !stale && series.every((entry) => !('error' in entry))) {
        cache.set(key, body);
      }
      return reply.type(CONTENT_TYPES[form]).send(body);
    } catch (error) {
      if (error instanceof TooManySeriesError) {
        throw new HttpError(400, 'too_many_series', error.message);
      }
      throw error;
    }
    });
  });
}

interface OpenedFile {
  id: string;
  file: ResultFile;
}

/**
 * The files a query reads, or undefined when its answer must not be kept: a file that is unknown,
 * unreadable or still being written (its answer changes as it grows).
 */
async function cacheableFiles(catalog: Catalog, request: QueryRequest): Promise<OpenedFile[] | undefined> {
  const files: OpenedFile[] = [];
  for (const id of request.simulations) {
    const file = catalog.isWriting(id) ? undefined : await catalog.openFile(id).catch(() => undefined);
    if (!file) {
      return undefined;
    }
    files.push({ id, file });
  }
  return files;
}

function versionOf({ id, file }: OpenedFile): FileVersion {
  return { id, sizeBytes: file.sizeBytes, modifiedMs: file.modifiedMs };
}
