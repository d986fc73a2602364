import { DecodeError } from '../../src/engine/decoder/errors';
import type { ResultFile, VariableInfo } from '../../src/engine/decoder/types';
import { MemoryMeter, measured } from './memory';

/** The function under test: `openResultFile`, or a fake in the oracle's own tests. */
export type DecodeFn = (path: string, displayName: string) => Promise<ResultFile>;

export type FindingKind =
  'exception' | 'wrapped-exception' | 'bad-message' | 'length' | 'inconsistent' | 'memory' | 'hang' | 'crash';

export type Stage = 'open' | 'readTime' | 'readValues' | 'async' | 'process';

export type Outcome =
  | { kind: 'ok'; variables: number; timePoints: number }
  | { kind: 'decode-error'; code: string; stage: Stage }
  | { kind: 'finding'; finding: FindingKind; stage: Stage; message: string; stack?: string };

export interface OracleLimits {
  /** Memory a step may always use, whatever the file size. */
  memorySlackBytes: number;
  /** Plus this many bytes per byte of the file. */
  memoryPerFileByte: number;
}

export const DEFAULT_LIMITS: OracleLimits = { memorySlackBytes: 64 * 1024 * 1024, memoryPerFileByte: 16 };

/** The text `openResultFile` gives an exception it did not expect; such a DecodeError hides a bug. */
export const WRAPPED_PREFIX = 'could not be decoded (';

/** One readValues call never asks for more than this, so the fuzzer's own requests stay bounded. */
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/** A broken contract found by an oracle (as opposed to an error the decoder threw). */
export class Violation extends Error {
  constructor(
    readonly finding: FindingKind,
    message: string,
    /** Where the problem arose, when that is not here (e.g. the allocation of an oversized buffer). */
    readonly origin?: string
  ) {
    super(message);
  }
}

export interface CaseInput {
  path: string;
  displayName: string;
  sizeBytes: number;
}

class CaseChecker {
  private readonly meter = new MemoryMeter();
  stage: Stage = 'open';

  constructor(
    private readonly decode: DecodeFn,
    private readonly input: CaseInput,
    private readonly limits: OracleLimits
  ) {}

  async run(): Promise<Outcome> {
    const file = await this.step('open', 0, () => this.decode(this.input.path, this.input.displayName));
    this.checkCatalogue(file);
    const count = file.timePointCount;
    const time = await this.step('readTime', count * 8, () => file.readTime());
    expectArray(time, count, 'readTime()');
    this.checkBounds(file, time);
    for (const [first, end] of requestRanges(count)) {
      await this.checkValues(file, first, end);
    }
    return { kind: 'ok', variables: file.variables.length, timePoints: count };
  }

  /** Runs one call of the API under the memory oracle; `outputBytes` is what the call must return. */
  private async step<T>(stage: Stage, outputBytes: number, work: () => Promise<T>): Promise<T> {
    this.stage = stage;
    const result = await measured(this.meter, work);
    const bound = this.limits.memorySlackBytes + this.limits.memoryPerFileByte * this.input.sizeBytes + 2 * outputBytes;
    if (result.growth.bytes > bound) {
      const message = `${stage} needed ${mib(result.growth.bytes)} MiB, over the bound of ${mib(bound)} MiB for ${this.input.sizeBytes} bytes`;
      throw new Violation('memory', message, result.growth.stack);
    }
    if (!result.ok) {
      throw result.error;
    }
    return result.value;
  }

  /** A file cannot hold more time points or variables than it has bytes. */
  private checkCatalogue(file: ResultFile): void {
    const { sizeBytes } = this.input;
    const count = file.timePointCount;
    if (!Number.isSafeInteger(count) || count < 0 || count > sizeBytes) {
      throw new Violation('length', `timePointCount ${count} is impossible for a file of ${sizeBytes} bytes`);
    }
    if (!Array.isArray(file.variables) || file.variables.length > sizeBytes) {
      throw new Violation('length', `${file.variables?.length} variables in a file of ${sizeBytes} bytes`);
    }
  }

  private checkBounds(file: ResultFile, time: Float64Array): void {
    const count = time.length;
    if (count > 0 && (!Object.is(file.startTime, time[0]) || !Object.is(file.stopTime, time[count - 1]))) {
      throw new Violation(
        'inconsistent',
        `startTime/stopTime ${file.startTime}/${file.stopTime} but readTime() runs ${time[0]}..${time[count - 1]}`
      );
    }
  }

  private async checkValues(file: ResultFile, first: number, end: number): Promise<void> {
    const count = Math.max(0, end - first);
    for (const chunk of chunks(file.variables, Math.max(1, Math.floor(MAX_OUTPUT_BYTES / Math.max(8 * count, 1))))) {
      const values = await this.step('readValues', chunk.length * count * 8, () => file.readValues(chunk, first, end));
      if (!Array.isArray(values) || values.length !== chunk.length) {
        throw new Violation('length', `readValues(${chunk.length} variables) returned ${values?.length} arrays`);
      }
      values.forEach((column, k) => expectArray(column, count, `readValues("${chunk[k].name}", ${first}, ${end})`));
    }
  }
}

function expectArray(values: unknown, length: number, what: string): void {
  if (!(values instanceof Float64Array) || values.length !== length) {
    const got = values instanceof Float64Array ? `${values.length} values` : String(values);
    throw new Violation('length', `${what} returned ${got}, expected a Float64Array of ${length}`);
  }
}

/** The whole range, then the first point, the second half, the last point and an empty range. */
function requestRanges(count: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [[0, count]];
  if (count > 0) {
    ranges.push([0, 1], [Math.floor(count / 2), count], [count - 1, count]);
  }
  ranges.push([count, count]);
  return ranges.filter(([a, b], i) => ranges.findIndex(([c, d]) => c === a && d === b) === i);
}

function chunks(items: readonly VariableInfo[], size: number): VariableInfo[][] {
  const out: VariableInfo[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out.length > 0 ? out : [[]];
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** What an error thrown at `stage` means: an accepted DecodeError, or a finding. */
export function classifyError(error: unknown, stage: Stage, displayName: string): Outcome {
  if (error instanceof Violation) {
    return { kind: 'finding', finding: error.finding, stage, message: error.message, stack: error.origin };
  }
  if (error instanceof DecodeError) {
    return classifyDecodeError(error, stage, displayName);
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : `non-Error thrown: ${String(error)}`;
  return {
    kind: 'finding',
    finding: 'exception',
    stage,
    message,
    stack: error instanceof Error ? error.stack : undefined,
  };
}

function classifyDecodeError(error: DecodeError, stage: Stage, displayName: string): Outcome {
  const finding = (kind: FindingKind, message: string): Outcome => ({
    kind: 'finding',
    finding: kind,
    stage,
    message,
    stack: error.stack,
  });
  if (!error.message.startsWith(`${displayName}: `) || error.file !== displayName || error.problem.trim() === '') {
    return finding('bad-message', `DecodeError does not name the file and a problem: ${JSON.stringify(error.message)}`);
  }
  if (error.problem.startsWith(WRAPPED_PREFIX)) {
    return finding('wrapped-exception', `unexpected exception wrapped as DecodeError: ${error.problem}`);
  }
  return { kind: 'decode-error', code: error.code, stage };
}

/** Applies every oracle except the time bound (the parent process enforces that) to one file. */
export async function checkCase(decode: DecodeFn, input: CaseInput, limits = DEFAULT_LIMITS): Promise<Outcome> {
  const checker = new CaseChecker(decode, input, limits);
  try {
    return await checker.run();
  } catch (error) {
    return classifyError(error, checker.stage, input.displayName);
  }
}
