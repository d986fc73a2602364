/** The part of a react-table row a sort reads (react-table is @grafana/ui's dependency, not ours). */
interface SortableRow {
  values: Record<string, unknown>;
}

/**
 * An InteractiveTable `sortType` that orders numbers as numbers, with the rows that have none last in
 * either direction. react-table's own "number" sort strips every character but digits and dots
 * first, so -1 sorts as 1 and 1e-7 as 17: wrong for parameter values and deviations alike.
 */
export function numberSort(a: SortableRow, b: SortableRow, columnId: string, desc?: boolean): number {
  const x = a.values[columnId];
  const y = b.values[columnId];
  const missingX = typeof x !== 'number' || Number.isNaN(x);
  const missingY = typeof y !== 'number' || Number.isNaN(y);
  if (missingX || missingY) {
    // The table negates the result for a descending sort: undo that for the rows without a value.
    return missingX === missingY ? 0 : (missingX ? 1 : -1) * (desc ? -1 : 1);
  }
  return x === y ? 0 : (x as number) > (y as number) ? 1 : -1;
}
