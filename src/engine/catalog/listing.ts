/** Filtering, sorting and paging of the simulation list. */
import type { PageQuery, Simulation, SimulationSortKey } from '../../shared/api';

export type SimulationFilter = PageQuery & { limit: number; offset: number };

function searchableText(s: Simulation): string {
  return [s.name, s.path, s.model, s.experiment, s.condition, s.description, ...(s.tags ?? [])]
    .filter((part): part is string => typeof part === 'string')
    .join('\n')
    .toLowerCase();
}

function isAtOrBelow(folder: string, wanted: string): boolean {
  return folder === wanted || folder.startsWith(`${wanted}/`);
}

/** `wanted` is a folder inside the run's root (`sweep`) or starts with the root's name (`examples/sweep`), as pages show it. */
function inFolder(s: Simulation, folder: string): boolean {
  const wanted = folder.replace(/^\/+|\/+$/g, '');
  const own = s.folder ?? '';
  return wanted === '' || isAtOrBelow(own, wanted) || isAtOrBelow(own ? `${s.root}/${own}` : s.root, wanted);
}

/** All words of the search must appear somewhere in the run's name, path or metadata. */
function matches(s: Simulation, filter: SimulationFilter, words: readonly string[]): boolean {
  return (
    (!filter.status || s.status === filter.status) &&
    (!filter.root || s.root === filter.root) &&
    (filter.folder === undefined || inFolder(s, filter.folder)) &&
    (!filter.tag || (s.tags ?? []).includes(filter.tag)) &&
    (words.length === 0 || words.every((word) => searchableText(s).includes(word)))
  );
}

type Comparable = string | number | null;

function sortValue(s: Simulation, key: SimulationSortKey): Comparable {
  switch (key) {
    case 'name':
      return s.name.toLowerCase();
    case 'path':
      return `${s.root}/${s.path}`;
    case 'model':
      return s.model?.toLowerCase() ?? null;
    case 'runAt':
      return s.runAt ?? null;
    case 'modifiedAt':
      return s.modifiedAt;
    case 'sizeBytes':
      return s.sizeBytes;
    case 'stopTime':
      return s.stopTime;
  }
}

/** Missing values sort last in either order; ties fall back to root and path, so pages are stable. */
function comparator(key: SimulationSortKey, descending: boolean): (a: Simulation, b: Simulation) => number {
  return (a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x !== y) {
      if (x === null) {
        return 1;
      }
      if (y === null) {
        return -1;
      }
      const order = x < y ? -1 : 1;
      return descending ? -order : order;
    }
    return a.root.localeCompare(b.root) || a.path.localeCompare(b.path);
  };
}

export function listSimulations(all: Iterable<Simulation>, filter: SimulationFilter): { items: Simulation[]; total: number } {
  const words = (filter.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const found = [...all].filter((s) => matches(s, filter, words));
  found.sort(comparator(filter.sort ?? 'path', filter.order === 'desc'));
  return { items: found.slice(filter.offset, filter.offset + filter.limit), total: found.length };
}
