import { tableFromArrays, tableToIPC } from 'apache-arrow';

import { frameToArrow } from '../../../src/backend/frames/arrow';
import type { Frame } from '../../../src/backend/frames/frame';
import { arrowToFrameJson } from './frameJson';

const frame: Frame = {
  name: 'run capacitor.v',
  refId: 'A',
  meta: { preferredVisualisationType: 'graph', notices: [{ severity: 'info', text: '200 of 975 points shown' }] },
  fields: [
    { name: 'Time', type: 'time', values: [0, 1500, 2000.25, null] },
    { name: 'capacitor.v', type: 'number', values: [1.5, Number.NaN, Number.POSITIVE_INFINITY, null], labels: { simulation: 'run' }, config: { unit: 'volt', displayNameFromDS: 'run capacitor.v' } },
    { name: 'Status', type: 'string', values: ['ok', null, 'failed', 'ok'] },
    { name: 'Finished', type: 'boolean', values: [true, false, null, true] },
    { name: 'Tags', type: 'other', values: [['a', 'b'], null, [], ['c']] },
  ],
};

/** Node, where the stand-in runs it; the browser's reading of the result (dataFrameFromJSON) is covered by every datasource test through the harness. */
describe('Arrow frames to Grafana’s frame JSON', () => {
  const json = arrowToFrameJson(frameToArrow(frame));

  it('keeps the frame’s name, refId and meta, and each field’s type, labels and config', () => {
    expect(json.schema).toMatchObject({ name: 'run capacitor.v', refId: 'A', meta: frame.meta });
    expect(json.schema.fields.map((f) => [f.name, f.type, f.typeInfo?.frame])).toEqual([
      ['Time', 'time', 'time.Time'],
      ['capacitor.v', 'number', 'float64'],
      ['Status', 'string', 'string'],
      ['Finished', 'boolean', 'bool'],
      ['Tags', 'other', 'json.RawMessage'],
    ]);
    expect(json.schema.fields[1]).toMatchObject({ labels: { simulation: 'run' }, config: { unit: 'volt', displayNameFromDS: 'run capacitor.v' } });
    expect(json.schema.fields[0].labels).toBeUndefined();
  });

  it('writes times as whole milliseconds with the sub-millisecond rest in nanos, as the SDK does', () => {
    expect(json.data.values[0]).toEqual([0, 1500, 2000, null]);
    expect(json.data.nanos).toEqual([[0, 0, 250_000, 0], null, null, null, null]);
  });

  it('writes NaN and infinities as null with their rows in entities, and binary values as their JSON', () => {
    expect(json.data.values[1]).toEqual([1.5, null, null, null]);
    expect(json.data.entities).toEqual([null, { NaN: [1], Inf: [2] }, null, null, null]);
    expect(json.data.values.slice(2)).toEqual([
      ['ok', null, 'failed', 'ok'],
      [true, false, null, true],
      [['a', 'b'], null, [], ['c']],
    ]);
  });

  it('refuses a column type Grafana would not get from SimViz, naming the field', () => {
    const ints = tableToIPC(tableFromArrays({ count: new Int32Array([1, 2]) }), 'file');
    expect(() => arrowToFrameJson(ints)).toThrow(/field count: Arrow type Int32/);
  });
});
