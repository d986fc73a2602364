import { ElementType, elementSize } from './records';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type NumericArray = Float64Array | Float32Array | Int32Array | Int16Array | Uint16Array | Uint8Array;

/**
 * A typed-array view on `bytes` when the host can read the elements natively (same byte order,
 * aligned start), otherwise undefined. Views avoid a DataView call per element on the hot path.
 */
function nativeView(bytes: Uint8Array, type: ElementType, littleEndian: boolean): NumericArray | undefined {
  if (littleEndian !== HOST_IS_LITTLE_ENDIAN && type !== ElementType.UInt8) {
    return undefined;
  }
  const size = elementSize(type);
  if (bytes.byteOffset % size !== 0) {
    return undefined;
  }
  const length = bytes.byteLength / size;
  switch (type) {
    case ElementType.Float64:
      return new Float64Array(bytes.buffer, bytes.byteOffset, length);
    case ElementType.Float32:
      return new Float32Array(bytes.buffer, bytes.byteOffset, length);
    case ElementType.Int32:
      return new Int32Array(bytes.buffer, bytes.byteOffset, length);
    case ElementType.Int16:
      return new Int16Array(bytes.buffer, bytes.byteOffset, length);
    case ElementType.UInt16:
      return new Uint16Array(bytes.buffer, bytes.byteOffset, length);
    case ElementType.UInt8:
      return bytes;
  }
}

/** The bytes as floating-point elements in place, when they are float64 or float32 in the host's byte order and aligned. */
export function floatView(bytes: Uint8Array, type: ElementType, littleEndian: boolean): Float64Array | Float32Array | undefined {
  const view = type === ElementType.Float64 || type === ElementType.Float32 ? nativeView(bytes, type, littleEndian) : undefined;
  return view instanceof Float64Array || view instanceof Float32Array ? view : undefined;
}

type ElementGetter = (index: number) => number;

function dataViewGetter(bytes: Uint8Array, type: ElementType, littleEndian: boolean): ElementGetter {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case ElementType.Float64:
      return (i) => view.getFloat64(i * 8, littleEndian);
    case ElementType.Float32:
      return (i) => view.getFloat32(i * 4, littleEndian);
    case ElementType.Int32:
      return (i) => view.getInt32(i * 4, littleEndian);
    case ElementType.Int16:
      return (i) => view.getInt16(i * 2, littleEndian);
    case ElementType.UInt16:
      return (i) => view.getUint16(i * 2, littleEndian);
    case ElementType.UInt8:
      return (i) => view.getUint8(i);
  }
}

/** Element accessor over raw matrix bytes, in whatever type and byte order the file uses. */
export function elementGetter(bytes: Uint8Array, type: ElementType, littleEndian: boolean): ElementGetter {
  const view = nativeView(bytes, type, littleEndian);
  return view ? (i) => view[i] : dataViewGetter(bytes, type, littleEndian);
}

/** All elements widened to float64 (exact for every MAT v4 element type). */
export function decodeNumbers(bytes: Uint8Array, type: ElementType, littleEndian: boolean): Float64Array {
  const count = bytes.byteLength / elementSize(type);
  const view = nativeView(bytes, type, littleEndian);
  if (view) {
    return Float64Array.from(view);
  }
  const get = dataViewGetter(bytes, type, littleEndian);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = get(i);
  }
  return out;
}

/*
 * The binTrans gather: each stored time step holds every signal, and each requested signal takes
 * one element per step. Rows go in tiles of about TILE_BYTES, and inside a tile the loop runs
 * signal by signal: the tile stays in the CPU cache across its signals. Walking rows outer indexes
 * the outputs array once per element (2-10x slower); walking whole 8 MB chunks signal by signal
 * pulls the chunk through memory once per signal (20 signals of the long 1 GB file: 380 ms of
 * gather against 110 ms for `cat`). One function per native array type keeps each loop
 * monomorphic; other types and byte orders go through DataView.
 */
const TILE_BYTES = 64 * 1024;

function tileRowsOf(stride: number, bytesPerElement: number): number {
  return Math.max(1, Math.floor(TILE_BYTES / (stride * bytesPerElement)));
}

function gatherFloat64(view: Float64Array, stride: number, rows: number, signals: Int32Array, outputs: Float64Array[], at: number): void {
  const tile = tileRowsOf(stride, 8);
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let k = 0; k < signals.length; k++) {
      const out = outputs[k];
      const signal = signals[k];
      for (let r = r0; r < r1; r++) {
        out[at + r] = view[r * stride + signal];
      }
    }
  }
}

function gatherFloat32(view: Float32Array, stride: number, rows: number, signals: Int32Array, outputs: Float64Array[], at: number): void {
  const tile = tileRowsOf(stride, 4);
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let k = 0; k < signals.length; k++) {
      const out = outputs[k];
      const signal = signals[k];
      for (let r = r0; r < r1; r++) {
        out[at + r] = view[r * stride + signal];
      }
    }
  }
}

/** Copies, for each row of `bytes` (`stride` elements per row), the elements at `signals` into `outputs[k][at + row]`. */
export function gatherRows(
  bytes: Uint8Array,
  type: ElementType,
  littleEndian: boolean,
  stride: number,
  rows: number,
  signals: Int32Array,
  outputs: Float64Array[],
  at: number
): void {
  const view = nativeView(bytes, type, littleEndian);
  if (view instanceof Float64Array) {
    gatherFloat64(view, stride, rows, signals, outputs, at);
    return;
  }
  if (view instanceof Float32Array) {
    gatherFloat32(view, stride, rows, signals, outputs, at);
    return;
  }
  const get = view ? (i: number) => view[i] : dataViewGetter(bytes, type, littleEndian);
  for (let k = 0; k < signals.length; k++) {
    const out = outputs[k];
    const signal = signals[k];
    for (let r = 0; r < rows; r++) {
      out[at + r] = get(r * stride + signal);
    }
  }
}
