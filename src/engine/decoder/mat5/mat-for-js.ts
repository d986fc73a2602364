import type { MatFileContents } from 'mat-for-js';

import { DecodeError } from '../errors';

type MatForJs = typeof import('mat-for-js');

let loading: Promise<MatForJs> | undefined;

/**
 * mat-for-js is an ES module and this code is CommonJS: a dynamic import() works under tsx and is
 * bundled by esbuild. Under jest, import() becomes jest's own require, which cannot load an ES
 * module it has not transformed; Node's require (>= 20.19) can, so that is the fallback.
 */
async function importMatForJs(): Promise<MatForJs> {
  try {
    return await import('mat-for-js');
  } catch (error) {
    const nodeModule = process.getBuiltinModule?.('node:module');
    if (!nodeModule) {
      throw error;
    }
    return nodeModule.createRequire(__filename)('mat-for-js') as MatForJs;
  }
}

function loadMatForJs(): Promise<MatForJs> {
  loading ??= importMatForJs().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Reads a whole MAT v5 file with mat-for-js; its own errors are thrown as they come. */
export async function readWithMatForJs(file: string, bytes: Uint8Array): Promise<MatFileContents> {
  let read: MatForJs['read'];
  try {
    ({ read } = await loadMatForJs());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DecodeError(
      file,
      'unsupported_format',
      `MAT v5 files need mat-for-js, which could not be loaded (${message})`
    );
  }
  const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = exact ? bytes.buffer : bytes.slice().buffer;
  return read(buffer as ArrayBuffer);
}
