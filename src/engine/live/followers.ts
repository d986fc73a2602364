/**
 * Readers that follow growing result files for the rows route (GET /simulations/:id/rows). Each
 * follower is one ResultTail and the cursor of one client: the client's `token` names it and its
 * `from` must be where the follower stands (or where its previous answer started: a retried
 * request gets that answer again). Anything else, such as a token from before a restart or a
 * follower closed for idleness, starts over from row 0 with `reset`, which is always correct.
 */
import { randomBytes } from 'node:crypto';

import type { VariableInfo } from '../decoder/types';
import { ResultTail, type ExperimentSpan, type TailRows } from './tail';

/** A follower nobody asked for this long is closed (its file handle with it). */
export const FOLLOWER_IDLE_MS = 60_000;
/** At most this many files followed at once; the longest idle goes first. */
export const MAX_FOLLOWERS = 256;

export interface FollowRequest {
  /** The catalogue id, so that followers of a removed file can be closed. */
  id: string;
  absolutePath: string;
  displayName: string;
  /** Names as stored in the file (globs resolved by the caller). */
  variables: readonly string[];
  from: number;
  token: string | undefined;
  limit: number;
}

export interface FollowAnswer {
  token: string;
  reset: boolean;
  from: number;
  rows: TailRows | undefined;
  /** Rows are waiting beyond this answer (the limit was reached). */
  more: boolean;
  variables: readonly VariableInfo[];
  missing: readonly string[];
  span: ExperimentSpan | undefined;
}

interface Follower {
  token: string;
  id: string;
  tail: ResultTail;
  key: string;
  lastUsedMs: number;
  last: FollowAnswer | undefined;
  /** Rows delivered since the last reset. */
  position: number;
}

function keyOf(request: FollowRequest): string {
  return `${request.absolutePath}\n${request.variables.join('\n')}`;
}

export class Followers {
  private readonly byToken = new Map<string, Follower>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly idleMs = FOLLOWER_IDLE_MS) {
    this.sweeper = setInterval(() => void this.sweep(), Math.max(1_000, idleMs / 4));
    this.sweeper.unref();
  }

  /** The next rows for the request's cursor (never more than `limit`), or a reset and the rows from 0. */
  async read(request: FollowRequest): Promise<FollowAnswer> {
    const known = request.token === undefined ? undefined : this.byToken.get(request.token);
    const follower = known && known.key === keyOf(request) ? known : undefined;
    if (follower?.last && request.from === follower.last.from && request.from !== follower.position) {
      follower.lastUsedMs = Date.now();
      return follower.last;
    }
    if (follower && request.from === follower.position) {
      return this.advance(follower, false, request.limit);
    }
    if (follower) {
      await this.close(request.token as string);
    }
    const fresh = await this.open(request);
    return this.advance(fresh, request.token !== undefined || request.from > 0, request.limit);
  }

  /** Closes every follower of a file (it was removed). */
  async forget(id: string): Promise<void> {
    await Promise.all([...this.byToken].filter(([, f]) => f.id === id).map(([token]) => this.close(token)));
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.byToken.keys()].map((token) => this.close(token)));
  }

  get size(): number {
    return this.byToken.size;
  }

  private async open(request: FollowRequest): Promise<Follower> {
    if (this.byToken.size >= MAX_FOLLOWERS) {
      const [oldest] = [...this.byToken].sort(([, a], [, b]) => a.lastUsedMs - b.lastUsedMs);
      await this.close(oldest[0]);
    }
    const tail = await ResultTail.open(request.absolutePath, {
      displayName: request.displayName,
      variables: request.variables,
      maxRowsPerPoll: request.limit,
    });
    const token = randomBytes(12).toString('base64url');
    const follower: Follower = { token, id: request.id, tail, key: keyOf(request), lastUsedMs: Date.now(), last: undefined, position: 0 };
    this.byToken.set(token, follower);
    return follower;
  }

  private async advance(follower: Follower, resetFirst: boolean, limit: number): Promise<FollowAnswer> {
    follower.lastUsedMs = Date.now();
    const events = await follower.tail.poll();
    let reset = resetFirst;
    const batches: TailRows[] = [];
    for (const event of events) {
      if (event.kind === 'reset') {
        reset = true;
        follower.position = 0;
        batches.length = 0;
      } else {
        batches.push(event.rows);
      }
    }
    const from = follower.position;
    const rows = joinBatches(batches, limit);
    follower.position += rows?.time.length ?? 0;
    const answer: FollowAnswer = {
      token: follower.token,
      reset,
      from,
      rows,
      more: !follower.tail.caughtUp,
      variables: follower.tail.variables,
      missing: follower.tail.missing,
      span: follower.tail.span,
    };
    follower.last = answer;
    return answer;
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    await Promise.all([...this.byToken].filter(([, f]) => now - f.lastUsedMs > this.idleMs).map(([token]) => this.close(token)));
  }

  private async close(token: string): Promise<void> {
    const follower = this.byToken.get(token);
    this.byToken.delete(token);
    await follower?.tail.close().catch(() => undefined);
  }
}

/** One batch of consecutive rows from several (the tail cuts its reads into batches). */
function joinBatches(batches: readonly TailRows[], limit: number): TailRows | undefined {
  if (batches.length === 0) {
    return undefined;
  }
  if (batches.length === 1) {
    return batches[0];
  }
  const count = Math.min(limit, batches.reduce((sum, b) => sum + b.time.length, 0));
  const time = new Float64Array(count);
  const values = batches[0].values.map(() => new Float64Array(count));
  let at = 0;
  for (const batch of batches) {
    const take = Math.min(batch.time.length, count - at);
    time.set(batch.time.subarray(0, take), at);
    batch.values.forEach((column, k) => values[k].set(column.subarray(0, take), at));
    at += take;
  }
  return { firstRow: batches[0].firstRow, time, values };
}
