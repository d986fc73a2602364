/**
 * One live stream: follows a run still being written through the REST API's rows route (the same
 * in both connection modes: the embedded engine's routes in folder mode, the proxy's over HTTP),
 * downsamples each variable with a LiveSeries, and writes a packet of frames per batch of rows.
 * It ends when the file settles, after a packet that says so.
 */
import type { Logger } from 'pino';

import { isGlob, type Simulation } from '../../shared/api';
import type { LiveParams } from '../../shared/liveChannel';
import type { LiveUpdate } from '../../shared/live';
import { DEFAULT_ROWS_PER_ANSWER, type RowsColumns, type RowsSeriesColumns, type RowsSeriesMeta } from '../../shared/liveRows';
import type { ProxyClient } from '../../shared/proxyClient';
import { LiveSeries } from '../../engine/live/downsample';
import type { Frame } from '../frames/frame';
import { liveFrame } from './frames';

/** How long one rows request waits for growth; below the proxy's timeout, which ends any request. */
export const LIVE_WAIT_MS = 10_000;
/** After a failed rows request (proxy away, file unreadable for a moment), the next try waits this long. */
const RETRY_MS = 2_000;

interface FollowedSeries {
  meta: RowsSeriesMeta;
  series: LiveSeries;
  last: LiveUpdate | undefined;
}

export interface FeedOptions {
  path: string;
  params: LiveParams;
  /** A client whose requests end with the stream. */
  client: ProxyClient;
  logger: Logger;
  /** Rows requests wait at most this long (the connection's deadline leaves room for the answer). */
  waitMs: number;
}

export class LiveFeed {
  private readonly followed = new Map<string, FollowedSeries>();
  private simulation: Simulation | undefined;
  private from = 0;
  private token: string | undefined;
  private span: { start: number; stop: number } | null = null;
  /**
   * The names asked for: the query's until the first answer resolves its globs, then the names
   * they matched, so that later requests need no glob expansion (which reads the file's
   * catalogue). A reset goes back to the query's: a new run may have other variables. Plain names
   * are always asked as given (the rows route follows them under those names).
   */
  private asked: string[];

  constructor(private readonly options: FeedOptions) {
    this.asked = options.params.variables;
  }

  /** Every followed variable's whole view, as replaces, for a subscriber that joins a running stream; undefined before the first rows. */
  snapshot(): Frame[] | undefined {
    const simulation = this.simulation;
    if (!simulation || this.followed.size === 0) {
      return undefined;
    }
    return [...this.followed.values()].map(({ meta, series }) => this.frame(simulation, meta, series.snapshot()));
  }

  /** Follows the run until it settles or `signal` aborts; `send` gets each packet's frames. */
  async run(signal: AbortSignal, send: (frames: Frame[]) => void): Promise<void> {
    const { client, params, logger } = this.options;
    this.simulation = await client.getSimulation(params.simulation);
    while (!signal.aborted) {
      let answer: RowsColumns;
      try {
        answer = await client.rows(params.simulation, {
          variable: this.asked,
          from: this.from,
          token: this.token,
          waitMs: this.options.waitMs,
          limit: DEFAULT_ROWS_PER_ANSWER,
        });
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        logger.warn({ err: error, path: this.options.path }, 'live stream: reading new rows failed; trying again');
        await pause(RETRY_MS, signal);
        continue;
      }
      const frames = this.take(answer);
      if (frames.length > 0 && !signal.aborted) {
        send(frames);
      }
      if (answer.settled) {
        return;
      }
    }
  }

  /** The answer's rows into each variable's series; the frames of the updates they make. */
  private take(answer: RowsColumns): Frame[] {
    const simulation = this.simulation as Simulation;
    const frames: Frame[] = [];
    const globs = this.options.params.variables.some(isGlob);
    this.asked = !globs || answer.reset || answer.series.length === 0 ? this.options.params.variables : [...new Set(answer.series.map((s) => s.resolvedName))];
    if (answer.reset) {
      for (const entry of this.followed.values()) {
        entry.last = entry.series.reset();
        frames.push(this.frame(simulation, entry.meta, entry.last));
      }
    }
    // A restarted run states its own stop time (or none yet): the old run's must not lay out its grid.
    this.span = answer.reset ? answer.span : (answer.span ?? this.span);
    this.token = answer.token;
    this.from = answer.from + answer.time.length;
    const { time, settled } = answer;
    for (const series of answer.series) {
      const entry = this.entry(series);
      entry.series.expectStop(this.span?.stop);
      const update = entry.series.push(time, series.values, { settled });
      if (update) {
        entry.last = update;
        frames.push(this.frame(simulation, entry.meta, update));
      }
    }
    // A reset's empty replace and the new rows' replace of the same series: the last one is enough.
    return latestPerVariable(frames);
  }

  private entry({ values: _values, ...meta }: RowsSeriesColumns): FollowedSeries {
    let entry = this.followed.get(meta.resolvedName);
    if (!entry) {
      // The meta alone: the answer's values are a view of its bytes, which the entry would keep alive.
      entry = { meta, series: new LiveSeries({ maxPoints: this.options.params.maxDataPoints }), last: undefined };
      this.followed.set(meta.resolvedName, entry);
    }
    return entry;
  }

  private frame(simulation: Simulation, series: RowsSeriesMeta, update: LiveUpdate): Frame {
    return liveFrame({ path: this.options.path, params: this.options.params, simulation, series, update });
  }
}

function latestPerVariable(frames: Frame[]): Frame[] {
  const byVariable = new Map<string, Frame>();
  for (const frame of frames) {
    byVariable.set(String(frame.fields[1]?.labels?.variable), frame);
  }
  return [...byVariable.values()];
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
