/** The version 1.0 ("export as plotted") catalogue parser: apart from version11.ts as it shares none of its tables. */
import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import type { VariableInfo } from '../types';
import { dataMatrix, readStrings, requireNumeric } from './catalogRecords';
import { requireRecord, type CatalogMatrices } from './header';
import { LocationTable, type ParsedTrajectory } from './locations';
import { requireComplete } from './records';

/** Version 1.0 ("export as plotted"): `names` plus one `data` matrix whose first column is time. */
export async function parseVersion10(source: FileSource, catalog: CatalogMatrices): Promise<ParsedTrajectory> {
  const namesRecord = requireRecord(source, catalog, 'names');
  const names = await readStrings(source, namesRecord, false);
  const dataRecord = requireRecord(source, catalog, 'data');
  requireNumeric(source, dataRecord);
  requireComplete(dataRecord, source);
  const data2 = dataMatrix(dataRecord, dataRecord.declaredCols, false);
  if (data2.signals !== names.length) {
    throw new DecodeError(source.displayName, 'corrupt', `${names.length} names but ${data2.signals} data columns`);
  }
  const variables: VariableInfo[] = [];
  const locations = new LocationTable(names.length);
  names.forEach((name, signal) => {
    const variable: VariableInfo = {
      name,
      description: '',
      unit: signal === 0 ? 's' : null,
      displayUnit: null,
      valueType: null,
      kind: signal === 0 ? 'time' : 'trajectory',
    };
    variables.push(variable);
    locations.push('data_2', signal, false);
  });
  return { variables, locations, data1: undefined, data2 };
}
