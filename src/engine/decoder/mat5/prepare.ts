import { inflateSync } from 'node:zlib';

import { DecodeError } from '../errors';
import { walkTopLevelMatrix, type MatArray } from './elements';
import {
  CHAR_TYPES,
  ElementError,
  fail,
  MI_COMPRESSED,
  MI_MATRIX,
  NUMERIC_SIZES,
  readTag,
  type Region,
  type Tag,
} from './tags';

const HEADER_BYTES = 128;
const MIB = 1024 * 1024;

export interface PreparedMat5 {
  /** Variables with their MATLAB class and dimensions, in file order (fields of 1×1 structs included). */
  arrays: MatArray[];
  /** The file for mat-for-js: compressed elements inflated, unreadable content patched (see elements.ts). */
  bytes: Uint8Array;
}

class DecodedSizeExceeded extends Error {}

interface Budget {
  maxDecodedBytes: number;
  decodedBytes: number;
}

function inflateElement(file: Region, tag: Tag, budget: Budget): Uint8Array {
  const compressed = new Uint8Array(file.view.buffer, file.view.byteOffset + tag.dataStart, tag.byteCount);
  try {
    // mat-for-js would inflate with pako in JS; native zlib is faster, and bounded here.
    return inflateSync(compressed, { maxOutputLength: Math.max(1, budget.maxDecodedBytes - budget.decodedBytes) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DecodedSizeExceeded();
    }
    fail(`compressed element at ${file.where(tag.at)} cannot be inflated (${(error as Error).message})`);
  }
}

function regionOf(bytes: Uint8Array, littleEndian: boolean, where: Region['where']): Region {
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), littleEndian, where };
}

/**
 * One top-level element as mat-for-js should see it: a compressed one is inflated (repeatedly, if
 * it wraps another), arrays are walked and patched, other data elements are passed as they are.
 */
function prepareElement(region: Region, tag: Tag, budget: Budget, arrays: MatArray[]): Uint8Array {
  if (tag.type === MI_COMPRESSED) {
    const inflated = inflateElement(region, tag, budget);
    const inner = regionOf(
      inflated,
      region.littleEndian,
      (at) => `byte ${at} of the element inflated from ${region.where(tag.at)}`
    );
    return prepareElement(inner, readTag(inner, 0, inflated.byteLength), budget, arrays);
  }
  if (tag.type === MI_MATRIX) {
    walkTopLevelMatrix(region, tag, arrays);
  } else if (!NUMERIC_SIZES.has(tag.type) && !CHAR_TYPES.has(tag.type)) {
    fail(`element at ${region.where(tag.at)} has the unknown data type ${tag.type}`);
  }
  const bytes = new Uint8Array(region.view.buffer, region.view.byteOffset, region.view.byteLength);
  return padTo8(bytes.subarray(tag.at, Math.min(tag.next, bytes.byteLength)));
}

function padTo8(element: Uint8Array): Uint8Array {
  if (element.byteLength % 8 === 0) {
    return element;
  }
  const padded = new Uint8Array(Math.ceil(element.byteLength / 8) * 8);
  padded.set(element);
  return padded;
}

function concatenate(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * Walks a MAT v5 file (header already recognised by sniffing) and prepares it for mat-for-js.
 * `bytes` is patched in place. Throws DecodeError for sizes that do not fit and for more than
 * `maxDecodedBytes` of data once decompressed.
 */
export function prepareMat5(file: string, bytes: Uint8Array, maxDecodedBytes: number): PreparedMat5 {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const region: Region = { view, littleEndian: view.getUint16(126, true) === 0x4d49, where: (at) => `byte ${at}` };
  const budget: Budget = { maxDecodedBytes, decodedBytes: bytes.byteLength };
  const arrays: MatArray[] = [];
  const parts = [bytes.subarray(0, HEADER_BYTES)];
  let compressed = false;
  try {
    for (let at = HEADER_BYTES; at < bytes.byteLength;) {
      const tag = readTag(region, at, bytes.byteLength);
      const part = prepareElement(region, tag, budget, arrays);
      budget.decodedBytes += part.byteLength - (tag.next - at);
      compressed ||= tag.type === MI_COMPRESSED;
      parts.push(part);
      at = tag.next;
    }
  } catch (error) {
    throw prepareError(file, error, maxDecodedBytes);
  }
  return { arrays, bytes: compressed ? concatenate(parts) : bytes };
}

function prepareError(file: string, error: unknown, maxDecodedBytes: number): unknown {
  if (error instanceof ElementError) {
    return new DecodeError(file, 'corrupt', `MAT v5 file is damaged: ${error.message}`);
  }
  if (error instanceof DecodedSizeExceeded) {
    return new DecodeError(
      file,
      'unsupported_format',
      `MAT v5 files holding more than ${Number((maxDecodedBytes / MIB).toPrecision(3))} MiB once decompressed are not supported: mat-for-js builds them in memory`
    );
  }
  return error;
}
