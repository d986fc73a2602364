import { ProxyError, toProxyError } from '../../shared/proxyClient';
import { queryTypeOf, type NewestRun, type SimVizQuery, type SimVizQueryType } from '../../datasource/types';
import type { QueryContext, QueryResult, QueryRunner } from './context';
import { runEvents } from './events';
import { runParameters } from './parameters';
import { runRegression } from './regression';
import { runStats } from './stats';
import { runTable } from './table';
import { runTimeSeries } from './timeSeries';

const RUNNERS: Record<SimVizQueryType, QueryRunner> = {
  timeseries: runTimeSeries,
  table: runTable,
  parameters: runParameters,
  events: runEvents,
  stats: runStats,
  regression: runRegression,
};

function describeNewest(newest: NewestRun): string {
  const parts = [newest.search && `search "${newest.search}"`, newest.folder && `folder ${newest.folder}`, newest.tag && `tag ${newest.tag}`].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'any';
}

/**
 * The newest finished run matching `newest` (by the file's modification time: the last one the
 * solver wrote), so an alert rule follows each night's run without being edited.
 */
export async function newestRun(context: QueryContext, newest: NewestRun): Promise<string> {
  const page = await context.client.listSimulations({
    search: newest.search || undefined,
    folder: newest.folder || undefined,
    tag: newest.tag || undefined,
    status: 'ok',
    sort: 'modifiedAt',
    order: 'desc',
    limit: 1,
  });
  const [run] = page.items;
  if (!run) {
    throw new ProxyError('not_found', `no finished run matches ${describeNewest(newest)}`);
  }
  return run.id;
}

/** A rejected key says so in the words Save & test uses, with the proxy's own reason. */
function userMessage(error: ProxyError): string {
  return error.kind === 'unauthorized' ? `The SimViz proxy rejected the API key (${error.message})` : error.message;
}

/** Runs one (interpolated) query; any failure becomes that query's error, with the proxy's message. */
export async function runQuery(context: QueryContext, query: SimVizQuery): Promise<QueryResult> {
  const runner = RUNNERS[queryTypeOf(query)];
  try {
    const simulations = query.newest ? [await newestRun(context, query.newest)] : query.simulations;
    return await runner(context, { ...query, simulations });
  } catch (error) {
    return { frames: [], errors: [{ refId: query.refId, message: userMessage(toProxyError(error)) }] };
  }
}
