/**
 * Worker side: the catalogue of an HDF5 file in the SDF layout (Scientific Data Format): one
 * dataset per variable anywhere in the tree, `UNIT`/`DISPLAY_UNIT`/`COMMENT` attributes, and
 * the abscissa attached as an HDF5 dimension scale to dimension 0.
 */
import type { File as H5File } from 'h5wasm/node';

import { parseDescription } from '../description';
import type { VariableInfo } from '../types';
import {
  allNumericDatasets,
  type DatasetEntry,
  FileProblem,
  firstDecrease,
  hasAttribute,
  libraryCall,
  readSamples,
  readScalar,
  textAttribute,
  variableName,
} from './h5-access';
import type { Catalogue, CatalogueEntry } from './protocol';

const ROOT_TIME_NAMES = ['/Time', '/time'];

function attachedScale(entry: DatasetEntry): string | undefined {
  if (entry.shape.length === 0 || !hasAttribute(entry.dataset, 'DIMENSION_LIST')) {
    return undefined;
  }
  const scales = libraryCall(`cannot read the dimension scales of "${entry.path}"`, () =>
    entry.dataset.get_attached_scales(0)
  );
  return scales[0];
}

/** The dimension scale most datasets use as their abscissa, else a root `Time`/`time` dataset. */
function findAxis(datasets: DatasetEntry[]): DatasetEntry | undefined {
  const byPath = new Map(datasets.map((entry) => [entry.path, entry]));
  const votes = new Map<string, number>();
  for (const entry of datasets) {
    const scale = attachedScale(entry);
    if (scale !== undefined && scale !== entry.path && byPath.get(scale)?.shape.length === 1) {
      votes.set(scale, (votes.get(scale) ?? 0) + 1);
    }
  }
  const [best] = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  if (best) {
    return byPath.get(best[0]);
  }
  return ROOT_TIME_NAMES.map((path) => byPath.get(path)).find((entry) => entry?.shape.length === 1);
}

/** Units from the SDF attributes; a Modelica-style `[unit|displayUnit]` comment fills the gaps. */
function describe(entry: DatasetEntry, name: string, kind: VariableInfo['kind']): VariableInfo {
  const comment = parseDescription(textAttribute(entry.dataset, 'COMMENT') ?? '');
  return {
    name,
    description: comment.text,
    unit: textAttribute(entry.dataset, 'UNIT') ?? comment.unit,
    displayUnit: textAttribute(entry.dataset, 'DISPLAY_UNIT') ?? comment.displayUnit,
    valueType:
      comment.valueType ?? (entry.kind === 'boolean' ? 'Boolean' : entry.kind === 'integer' ? 'Integer' : null),
    kind,
  };
}

function readAxis(file: H5File, axis: DatasetEntry): Float64Array {
  const time = readSamples(file, { dataset: axis.path, rank: 1, timeAxis: 0, index: 0 }, 0, axis.shape[0]);
  const bad = firstDecrease(time);
  if (bad !== -1) {
    throw new FileProblem(
      'not_a_trajectory',
      `time axis "${variableName(axis.path)}" is not non-decreasing (sample ${bad} is ${time[bad]} after ${time[bad - 1]})`
    );
  }
  return time;
}

/** The variables one dataset contributes: a parameter, a trajectory, or one per column. */
function variablesOf(entry: DatasetEntry, samples: number): CatalogueEntry[] {
  const name = variableName(entry.path);
  const { shape } = entry;
  const size = shape.reduce((product, n) => product * n, 1);
  if (size === 1 && !(shape.length === 1 && samples === 1)) {
    return [{ info: { ...describe(entry, name, 'parameter'), value: readScalar(entry) } }];
  }
  if (shape.length === 1 && shape[0] === samples) {
    return [
      { info: describe(entry, name, 'trajectory'), location: { dataset: entry.path, rank: 1, timeAxis: 0, index: 0 } },
    ];
  }
  if (shape.length === 2 && shape[0] === samples) {
    const info = describe(entry, name, 'trajectory');
    return Array.from({ length: shape[1] }, (_, column) => ({
      info: { ...info, name: `${name}[${column + 1}]` },
      location: { dataset: entry.path, rank: 2, timeAxis: 0, index: column },
    }));
  }
  return [];
}

export function sdfCatalogue(file: H5File, fileSize: number): Catalogue {
  const datasets = allNumericDatasets(file, fileSize);
  if (datasets.length === 0) {
    throw new FileProblem('not_a_trajectory', 'HDF5 file has no numeric datasets');
  }
  const axis = findAxis(datasets);
  if (!axis) {
    throw new FileProblem(
      'not_a_trajectory',
      'HDF5 file has no time axis: no dataset has a dimension scale on its first dimension and there is no /Time or /time dataset'
    );
  }
  const time = readAxis(file, axis);
  const entries: CatalogueEntry[] = [
    {
      info: describe(axis, variableName(axis.path), 'time'),
      location: { dataset: axis.path, rank: 1, timeAxis: 0, index: 0 },
    },
  ];
  for (const entry of datasets) {
    if (entry !== axis) {
      entries.push(...variablesOf(entry, time.length));
    }
  }
  return { format: 'sdf', time, entries };
}
