/** The parameters a live subscription carries (its `data`), checked against the channel they claim. */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

import { TIME_AXES } from '../../datasource/types';
import { MAX_LIVE_VARIABLES } from '../../shared/liveRows';
import { liveKey, parseLivePath, type LiveParams } from '../../shared/liveChannel';

/** A panel wider than this many points is drawn from fewer: a live stream's state is bounded by it. */
export const MAX_LIVE_POINTS = 20_000;

const LiveParamsSchema = Type.Object({
  simulation: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }),
  variables: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { minItems: 1, maxItems: MAX_LIVE_VARIABLES }),
  maxDataPoints: Type.Integer({ minimum: 1, maximum: MAX_LIVE_POINTS }),
  timeAxis: Type.Union(TIME_AXES.map((axis) => Type.Literal(axis))),
  legend: Type.Optional(Type.String({ maxLength: 500 })),
  displayUnits: Type.Optional(Type.Boolean()),
});
const paramsCheck = TypeCompiler.Compile(LiveParamsSchema);

// The schema and the shared interface must stay one shape.
const _sameShape: Static<typeof LiveParamsSchema> extends LiveParams ? true : never = true;
void _sameShape;

export class LiveRequestError extends Error {}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The parameters of a subscription to `path`: its data, which must be well-formed and hash to the
 * path's key (else one client could attach another stream's parameters to a channel).
 */
export function liveParamsOf(path: string, data: Uint8Array): LiveParams {
  const parsed = parseLivePath(path);
  if (!parsed) {
    throw new LiveRequestError(`not a SimViz live channel: "${path}"`);
  }
  const params = parseJson(data);
  if (!paramsCheck.Check(params)) {
    const first = [...paramsCheck.Errors(params)][0];
    throw new LiveRequestError(`the live subscription's data is not valid${first ? ` (${first.path || 'data'}: ${first.message})` : ''}`);
  }
  if (params.simulation !== parsed.simulation || liveKey(params) !== parsed.key) {
    throw new LiveRequestError(`the live subscription's data does not belong to the channel "${path}"`);
  }
  return params;
}
