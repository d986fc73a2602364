/**
 * Broken decoders for the fuzzer's own tests: each breaks one contract, and the oracle that guards
 * that contract must report it. They are loaded by module path in the fuzz child process.
 */
import { DecodeError } from '../../src/engine/decoder/errors';
import type { ResultFile, VariableInfo } from '../../src/engine/decoder/types';

const MiB = 1024 * 1024;

/** A decoder bug that escapes as a plain exception. */
export async function throwsTypeError(): Promise<ResultFile> {
  throw new TypeError("Cannot read properties of undefined (reading 'rows')");
}

/** What openResultFile turns an unexpected exception into: still a bug underneath. */
export async function wrapsException(_path: string, displayName: string): Promise<ResultFile> {
  throw new DecodeError(displayName, 'corrupt', 'could not be decoded (RangeError: Invalid array length)');
}

export async function badMessage(): Promise<ResultFile> {
  throw new DecodeError('some/other/file.mat', 'corrupt', 'names another file');
}

/** A synchronous endless loop: only killing the process stops it. */
export async function hangs(): Promise<ResultFile> {
  let spins = 0;
  while (spins >= 0) {
    spins = (spins + 1) % 1000;
  }
  throw new Error('unreachable');
}

/** A promise that never settles: the process stays idle, the case never ends. */
export function neverSettles(): Promise<ResultFile> {
  return new Promise(() => undefined);
}

/** Keeps 256 MiB (written, so also resident) across an await, then fails properly. */
export async function allocatesHugely(_path: string, displayName: string): Promise<ResultFile> {
  const block = new Uint8Array(256 * MiB).fill(1);
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new DecodeError(displayName, 'corrupt', `held ${block.length} bytes`);
}

/** Fails properly, but leaves a rejected promise nobody handles (it would crash a server). */
export async function strayRejection(_path: string, displayName: string): Promise<ResultFile> {
  void Promise.reject(new Error('late failure nobody awaited'));
  throw new DecodeError(displayName, 'corrupt', 'failed');
}

/** The contract kept: every failure is a DecodeError naming the file. */
export async function alwaysDecodeError(_path: string, displayName: string): Promise<ResultFile> {
  throw new DecodeError(displayName, 'corrupt', 'refused by the fake decoder');
}

/** Decodes "successfully" but returns one value too many from readValues. */
export async function wrongLengths(path: string, displayName: string): Promise<ResultFile> {
  const time: VariableInfo = {
    name: 'time',
    description: '',
    unit: 's',
    displayUnit: null,
    valueType: null,
    kind: 'time',
  };
  return {
    path,
    displayName,
    format: 'fake',
    sizeBytes: 0,
    modifiedMs: 0,
    variables: [time],
    timePointCount: 0,
    startTime: null,
    stopTime: null,
    findVariable: (name) => (name === 'time' ? time : undefined),
    readTime: async () => new Float64Array(0),
    readValues: async (variables, first, end) => variables.map(() => new Float64Array(Math.max(0, end - first) + 1)),
  };
}
