/**
 * Worker side: careful access to an open h5wasm file. Every library call goes through
 * `libraryCall`, which turns the HDF5 error stack into a one-line problem naming what was read.
 */
import { Dataset, Group, type File as H5File, type Metadata } from 'h5wasm/node';

import type { DecodeErrorCode } from '../errors';
import type { SampleLocation } from './protocol';

/** Elements read per hyperslab, so the WebAssembly heap never holds a whole large dataset. */
const READ_CHUNK = 1 << 20;
/** More samples than any result file has; a larger extent is a corrupt header. */
const MAX_SAMPLES = 2 ** 28;
const MAX_TREE_OBJECTS = 200_000;
const MAX_TREE_DEPTH = 64;

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_ENUM = 8;

/** Why a file cannot be decoded, found either by this reader or by the HDF5 library. */
export class FileProblem extends Error {
  constructor(
    readonly code: DecodeErrorCode,
    readonly problem: string,
    readonly fromLibrary = false,
    readonly fatal = false
  ) {
    super(problem);
  }
}

/** The innermost message of an HDF5-DIAG error stack, which is the most specific one. */
function libraryDetail(message: string): string {
  const frames = [...message.matchAll(/#\d+:.* in [\w.]+\(\): (.*)$/gm)].map((match) => match[1].trim());
  const detail = frames.length > 0 ? frames[frames.length - 1] : message.split('\n')[0].trim();
  return detail.length > 200 ? `${detail.slice(0, 200)}…` : detail;
}

function describeThrown(error: unknown): { message: string; fatal: boolean } {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const name = 'name' in error ? String(error.name) : '';
    return { message: String(error.message), fatal: name === 'RuntimeError' };
  }
  return { message: String(error), fatal: false };
}

/** Runs a library call; a failure becomes a FileProblem saying what was being read. */
export function libraryCall<T>(context: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof FileProblem) {
      throw error;
    }
    const { message, fatal } = describeThrown(error);
    const detail = libraryDetail(message);
    const code: DecodeErrorCode = /truncated file/i.test(detail) ? 'truncated' : 'corrupt';
    const problem = fatal ? `${context} (the HDF5 library crashed: ${detail})` : `${context} (HDF5: ${detail})`;
    throw new FileProblem(code, problem, true, fatal);
  }
}

export type NumberKind = 'float' | 'integer' | 'boolean';

const INTEGER_SIZES = [1, 2, 4, 8];

function isBooleanEnum(members: Record<string, number>): boolean {
  const names = Object.keys(members).sort();
  return names.length === 2 && names[0] === 'FALSE' && names[1] === 'TRUE';
}

/** The kind of number a dataset holds, or null when it is not plain numbers this reader converts. */
export function numberKind(metadata: Metadata): NumberKind | null {
  if (metadata.vlen) {
    return null;
  }
  if (metadata.type === H5T_FLOAT) {
    return metadata.size === 4 || metadata.size === 8 ? 'float' : null;
  }
  if (metadata.type === H5T_INTEGER) {
    return INTEGER_SIZES.includes(metadata.size) ? 'integer' : null;
  }
  const enumType = metadata.enum_type;
  if (metadata.type === H5T_ENUM && enumType?.type === H5T_INTEGER && INTEGER_SIZES.includes(metadata.size)) {
    return isBooleanEnum(enumType.members) ? 'boolean' : 'integer';
  }
  return null;
}

export interface DatasetEntry {
  /** Absolute path, e.g. `/a/b/x`. */
  path: string;
  dataset: Dataset;
  metadata: Metadata;
  /** HDF5 dimensions ([] for a scalar). */
  shape: number[];
  kind: NumberKind;
}

function numericEntry(dataset: Dataset, fileSize: number): DatasetEntry | null {
  const metadata = libraryCall(`cannot read the header of dataset "${dataset.path}"`, () => dataset.metadata);
  const kind = numberKind(metadata);
  // A virtual dataset reads other files named inside this one: never follow those.
  if (
    !kind ||
    metadata.virtual_sources?.length ||
    !metadata.shape ||
    metadata.shape.some((n) => !Number.isSafeInteger(n) || n < 0 || n > MAX_SAMPLES)
  ) {
    return null;
  }
  // Contiguous data is stored uncompressed, so an extent larger than the file is a corrupt header.
  if (metadata.chunks === null && metadata.total_size * metadata.size > fileSize) {
    throw new FileProblem(
      'corrupt',
      `dataset "${dataset.path}" claims ${metadata.total_size} values, more than the file holds`
    );
  }
  return { path: dataset.path, dataset, metadata, shape: metadata.shape, kind };
}

/** The numeric datasets directly in `group` (sorted by name) and its subgroups. */
export function groupMembers(group: Group, fileSize: number): { datasets: DatasetEntry[]; groups: Group[] } {
  const names = libraryCall(`cannot list group "${group.path}"`, () => group.keys());
  const datasets: DatasetEntry[] = [];
  const groups: Group[] = [];
  for (const name of names) {
    const child = libraryCall(`cannot open "${joinPath(group.path, name)}"`, () => group.get(name));
    if (child instanceof Group) {
      groups.push(child);
    } else if (child instanceof Dataset) {
      const entry = numericEntry(child, fileSize);
      if (entry) {
        datasets.push(entry);
      }
    }
  }
  return { datasets, groups };
}

/** Every numeric dataset in the file, depth first; bounded so that linked cycles terminate. */
export function allNumericDatasets(file: H5File, fileSize: number): DatasetEntry[] {
  const found: DatasetEntry[] = [];
  let visited = 0;
  const visit = (group: Group, depth: number): void => {
    if (depth > MAX_TREE_DEPTH || ++visited > MAX_TREE_OBJECTS) {
      throw new FileProblem(
        'unsupported_format',
        `HDF5 tree deeper than ${MAX_TREE_DEPTH} levels or larger than ${MAX_TREE_OBJECTS} groups`
      );
    }
    const { datasets, groups } = groupMembers(group, fileSize);
    found.push(...datasets);
    groups.forEach((child) => visit(child, depth + 1));
  };
  visit(file, 0);
  return found;
}

function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function attributeNames(target: Dataset | Group): string[] {
  return libraryCall(`cannot list the attributes of "${target.path}"`, () => Object.keys(target.attrs));
}

export function hasAttribute(target: Dataset | Group, name: string): boolean {
  return attributeNames(target).includes(name);
}

const utf8 = new TextDecoder('utf-8');

function textOf(value: unknown): string | null {
  if (typeof value === 'string') {
    return value;
  }
  if (value instanceof Uint8Array || value instanceof Int8Array) {
    return utf8.decode(value);
  }
  if (value instanceof Uint16Array) {
    return String.fromCharCode(...value);
  }
  if (Array.isArray(value) && value.length === 1) {
    return textOf(value[0]);
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    return String(value);
  }
  return null;
}

/** A text attribute (string, byte array or char codes), trimmed; null when absent or empty. */
export function textAttribute(target: Dataset | Group, name: string): string | null {
  if (!hasAttribute(target, name)) {
    return null;
  }
  const value = libraryCall(`cannot read attribute "${name}" of "${target.path}"`, () =>
    target.get_attribute(name, false)
  );
  const text = textOf(value)
    ?.replace(/\u0000+$/, '')
    .trim();
  return text ? text : null;
}

/** Any numeric output of h5wasm as float64 (64-bit integers lose precision beyond 2^53). */
export function toFloat64(values: unknown): Float64Array {
  if (typeof values === 'number' || typeof values === 'bigint' || typeof values === 'boolean') {
    return Float64Array.of(Number(values));
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    return Float64Array.from(values, (value) => Number(value));
  }
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const result = new Float64Array((values as Float64Array).length);
    result.set(values as Float64Array);
    return result;
  }
  throw new FileProblem('corrupt', 'the HDF5 library returned non-numeric data for a numeric dataset');
}

/** The single value of a dataset with one element. */
export function readScalar(entry: DatasetEntry): number {
  const value = libraryCall(`cannot read dataset "${entry.path}"`, () => entry.dataset.value);
  const values = toFloat64(value);
  if (values.length !== 1) {
    throw new FileProblem('corrupt', `dataset "${entry.path}" has ${values.length} values, expected one`);
  }
  return values[0];
}

function hyperslab(location: SampleLocation, start: number, stop: number): Array<[number, number]> {
  if (location.rank === 1) {
    return [[start, stop]];
  }
  const across: [number, number] = [location.index, location.index + 1];
  return location.timeAxis === 0 ? [[start, stop], across] : [across, [start, stop]];
}

function checkExtent(dataset: Dataset, location: SampleLocation, end: number): void {
  const shape = libraryCall(`cannot read the header of dataset "${location.dataset}"`, () => dataset.shape);
  const fits =
    shape !== null &&
    shape.length === location.rank &&
    shape[location.timeAxis] >= end &&
    (location.rank === 1 || shape[1 - location.timeAxis] > location.index);
  if (!fits) {
    throw new FileProblem(
      'corrupt',
      `dataset "${location.dataset}" no longer has the shape it had when the file was catalogued`
    );
  }
}

function openDataset(file: H5File, path: string): Dataset {
  const entity = libraryCall(`cannot open dataset "${path}"`, () => file.get(path));
  if (!(entity instanceof Dataset)) {
    throw new FileProblem('corrupt', `dataset "${path}" is missing (was the file replaced?)`);
  }
  return entity;
}

/** Samples `[first, end)` of one variable, read in bounded hyperslabs. */
export function readSamples(file: H5File, location: SampleLocation, first: number, end: number): Float64Array {
  const dataset = openDataset(file, location.dataset);
  checkExtent(dataset, location, end);
  const result = new Float64Array(Math.max(0, end - first));
  for (let start = first; start < end; start += READ_CHUNK) {
    const stop = Math.min(end, start + READ_CHUNK);
    const chunk = libraryCall(`cannot read dataset "${location.dataset}"`, () =>
      dataset.slice(hyperslab(location, start, stop))
    );
    const values = toFloat64(chunk);
    if (values.length !== stop - start) {
      throw new FileProblem(
        'corrupt',
        `dataset "${location.dataset}" returned ${values.length} values for ${stop - start}`
      );
    }
    result.set(values, start - first);
  }
  return result;
}

/** Index of the first sample that breaks a non-decreasing order (or is NaN), or -1. */
export function firstDecrease(time: Float64Array): number {
  for (let i = 0; i < time.length; i++) {
    if (Number.isNaN(time[i]) || (i > 0 && time[i] < time[i - 1])) {
      return i;
    }
  }
  return -1;
}

/** The variable name SDF and MATLAB structs imply: the path without its root, `/` as `.`. */
export function variableName(path: string): string {
  return path.replace(/^\/+/, '').split('/').join('.');
}
