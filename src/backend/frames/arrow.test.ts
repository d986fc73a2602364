import { tableFromIPC } from 'apache-arrow';

import { frameToArrow, nanosOf } from './arrow';
import type { Frame } from './frame';
import { frameToJson } from './json';

const frame: Frame = {
  name: 'run x',
  refId: 'A',
  meta: { preferredVisualisationType: 'graph', notices: [{ severity: 'info', text: '2 of 9 points shown' }] },
  fields: [
    { name: 'Time', type: 'time', values: [0, 100.5, 2000] },
    { name: 'x', type: 'number', values: [1.5, null, -3], labels: { simulation: 'run', variable: 'x' }, config: { unit: 'kelvin', displayNameFromDS: 'run x', decimals: undefined } },
    { name: 'text', type: 'string', values: ['a', null, 'c'] },
    { name: 'tags', type: 'other', values: [['simviz', 'run'], [], ['x']] },
    { name: 'flag', type: 'boolean', values: [true, false, null] },
  ],
};

describe('frames as Arrow (what the SDK reads)', () => {
  const table = tableFromIPC(frameToArrow(frame));

  it('is an Arrow IPC file with the frame name, refId and meta in the schema metadata', () => {
    expect(Buffer.from(frameToArrow(frame).subarray(0, 6)).toString()).toBe('ARROW1');
    expect(table.schema.metadata.get('name')).toBe('run x');
    expect(table.schema.metadata.get('refId')).toBe('A');
    expect(JSON.parse(table.schema.metadata.get('meta')!)).toEqual(frame.meta);
  });

  it('writes time as timestamp[ns], numbers as float64 with nulls in the validity bitmap, and the field metadata', () => {
    const [time, x, text, tags, flag] = table.schema.fields;
    expect(String(time.type)).toBe('Timestamp<NANOSECOND>');
    expect(time.metadata.get('tstype')).toBe('time');
    expect([...table.getChild('Time')!.data[0].values]).toEqual([BigInt(0), BigInt(100_500_000), BigInt(2_000_000_000)]);
    expect(String(x.type)).toBe('Float64');
    expect(x.nullable).toBe(true);
    expect(table.getChild('x')!.toJSON()).toEqual([1.5, null, -3]);
    expect(JSON.parse(x.metadata.get('labels')!)).toEqual({ simulation: 'run', variable: 'x' });
    // Undefined keys are left out: the SDK decodes config into its FieldConfig struct.
    expect(JSON.parse(x.metadata.get('config')!)).toEqual({ unit: 'kelvin', displayNameFromDS: 'run x' });
    expect(table.getChild('text')!.toJSON()).toEqual(['a', null, 'c']);
    expect(String(tags.type)).toBe('Binary');
    expect(tags.metadata.get('tstype')).toBe('other');
    expect([...table.getChild('tags')!].map((bytes) => JSON.parse(Buffer.from(bytes as Uint8Array).toString()))).toEqual([['simviz', 'run'], [], ['x']]);
    expect(String(flag.type)).toBe('Bool');
    expect(text.nullable && flag.nullable).toBe(true);
  });

  it('keeps epoch milliseconds exact to the nanosecond (above 2^53 once multiplied)', () => {
    const epoch = tableFromIPC(frameToArrow({ fields: [{ name: 'Time', type: 'time', values: [1796625448965, 1796625448965.5] }] }));
    expect([...epoch.getChild('Time')!.data[0].values]).toEqual([BigInt('1796625448965000000'), BigInt('1796625448965500000')]);
  });

  it('writes every time exactly as BigInt arithmetic would, on the fast path and off it', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const edges = [0, 0.1, 1e-6, 4e-7, 0.9999996, 1, 2 ** 21 - 0.5, 2 ** 21, 2 ** 32, 2 ** 41 - 1e-3, 2 ** 41, 2 ** 41 + 0.25, 1.7e12, 1.7e12 + 0.123456789, 1796625448965.999, -0.1, -1, -1.7e12 - 0.5, 9e12 + 0.5];
    const randoms = Array.from({ length: 5000 }, (_, k) => (k % 2 ? random() * 2 ** 41 : random() * 1e4) + (k % 3 ? random() : 0));
    const values = [...edges, ...randoms];
    const written = tableFromIPC(frameToArrow({ fields: [{ name: 'Time', type: 'time', values }] })).getChild('Time')!.data[0].values;
    const wrong = values.filter((ms, row) => written[row] !== nanosOf(ms));
    expect(wrong).toEqual([]);
    // 1.7e12 + 0.125 is a double exactly (1.7e12 + 0.123456789 is not, at an ulp of 2.4e-4 ms).
    const exact = tableFromIPC(frameToArrow({ fields: [{ name: 'Time', type: 'time', values: [1.7e12 + 0.125] }] })).getChild('Time')!.data[0].values;
    expect(exact[0]).toBe(BigInt('1700000000000125000'));
  });

  it('marks nulls past the first byte of the validity bitmap, in time and number columns alike', () => {
    const time = [0, 1, 2, 3, 4, 5, 6, 7, 8, null, 10];
    const values = [0, 1, 2, null, 4, 5, 6, 7, 8, 9, null];
    const read = tableFromIPC(frameToArrow({ fields: [{ name: 'Time', type: 'time', values: time }, { name: 'v', type: 'number', values }] }));
    expect(read.getChild('Time')!.nullCount).toBe(1);
    const nanos = [...read.getChild('Time')!.data[0].values] as bigint[];
    expect(time.map((ms, row) => (read.getChild('Time')!.isValid(row) ? Number(nanos[row]) / 1e6 : null))).toEqual(time);
    expect(read.getChild('v')!.toJSON()).toEqual(values);
    expect(read.schema.fields.map((field) => field.nullable)).toEqual([true, true]);
  });

  it('keeps non-null fields non-nullable, as the SDK writes []float64', () => {
    expect(table.schema.fields[0].nullable).toBe(false);
  });

  it('refuses fields of unequal length, naming them', () => {
    const uneven: Frame = { name: 'bad', fields: [{ name: 'Time', type: 'time', values: [1, 2] }, { name: 'v', type: 'number', values: [1] }] };
    expect(() => frameToArrow(uneven)).toThrow('frame bad: field v has 1 values, Time has 2');
  });

  it('encodes an empty frame', () => {
    const empty = tableFromIPC(frameToArrow({ name: 'none', fields: [{ name: 'Time', type: 'time', values: [] }, { name: 'v', type: 'number', values: [] }] }));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual(['Time', 'v']);
  });
});

describe('frames as frame JSON (Grafana Live packets)', () => {
  it('gives the SDK type of each field and the values column by column', () => {
    const json = JSON.parse(frameToJson(frame)) as { schema: { fields: Array<{ typeInfo: unknown }> }; data: { values: unknown[][] } };
    expect(json.schema.fields.map((f) => f.typeInfo)).toEqual([
      { frame: 'time.Time' },
      { frame: 'float64', nullable: true },
      { frame: 'string', nullable: true },
      { frame: 'json.RawMessage' },
      { frame: 'bool', nullable: true },
    ]);
    expect(json.data.values[1]).toEqual([1.5, null, -3]);
  });
});
