import type { BatchCompareResponse, RegressionResult, VariableRegression } from '../../shared/regression';
import { csvField, reportCsv, reportJUnit, xmlText } from './export';

function variable(name: string, status: VariableRegression['status'], extra: Partial<VariableRegression> = {}): VariableRegression {
  return { name, unit: 'K', displayUnit: null, status, checked: 10, outside: status === 'fail' ? 2 : 0, failures: [], failureCount: 0, worst: null, nanCount: 0, ...extra };
}

function result(name: string, variables: VariableRegression[]): RegressionResult {
  const failed = variables.filter((v) => v.status === 'fail').length;
  return {
    simulation: `id-${name}`,
    simulationName: name,
    reference: 'id-ref',
    referenceName: 'ref <"base"> & co',
    passed: failed === 0,
    tolerances: { absolute: 0, relative: 0.002, relativeTo: 'range', time: null },
    timeTolerance: 0.02,
    compared: { from: 0, to: 10 },
    runSpan: { from: 0, to: 10 },
    referenceSpan: { from: 0, to: 10 },
    counts: { variables: variables.length, passed: variables.length - failed, failed, missing: 0 },
    variables,
    parameters: [],
    warnings: [],
  };
}

const report: BatchCompareResponse = {
  items: [
    result('run, "one"', [
      variable('a.T', 'pass'),
      variable('b.T', 'fail', { failures: [{ from: 1, to: 2 }], failureCount: 3, worst: { time: 1.5, value: 3, referenceValue: 2, deviation: 0.9, relative: 10 } }),
      variable('c.T', 'missing', { missingIn: 'reference' }),
    ]),
    { simulation: 'id-broken', simulationName: 'broken', reference: 'id-ref', error: { code: 'unreadable_simulation', message: 'lab/ref.mat: truncated\nat byte 12' } },
  ],
  selected: 3,
  withoutReference: 1,
  truncated: 0,
  counts: { passed: 0, failed: 1, errors: 1 },
};

describe('CSV export', () => {
  it('quotes fields with separators, quotes and line breaks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
  });

  it('gives one row per run and variable, and one per run that could not be compared', () => {
    const lines = reportCsv(report).split('\r\n');
    expect(lines[0]).toBe('run,reference,variable,status,worst deviation,worst relative to tube,at time (s),failing intervals (s),message');
    expect(lines[1]).toBe('"run, ""one""","ref <""base""> & co",a.T,pass,,,,,');
    expect(lines[2]).toBe('"run, ""one""","ref <""base""> & co",b.T,fail,0.9,10,1.5,1-2; +2 more,');
    expect(lines[3]).toContain(',c.T,missing in reference,');
    // The line break inside the quoted message is the message's own (rows end in CRLF).
    expect(lines[4]).toBe('broken,id-ref,,error,,,,,"lab/ref.mat: truncated\nat byte 12"');
    expect(lines[lines.length - 1]).toBe('');
  });
});

describe('JUnit export', () => {
  it('escapes what XML reserves and drops control characters', () => {
    expect(xmlText(`<a href="x">Tom & Jerry's</a>\u0001`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
  });

  it('is well-formed, with a test case per variable: failures, skipped and errors counted', () => {
    const xml = reportJUnit(report, 'nightly', new Date('2026-12-07T00:00:00Z'));
    const document = new DOMParser().parseFromString(xml, 'application/xml');
    expect(document.getElementsByTagName('parsererror')).toHaveLength(0);
    const suite = document.getElementsByTagName('testsuite')[0];
    expect(['tests', 'failures', 'errors', 'skipped'].map((name) => suite.getAttribute(name))).toEqual(['4', '1', '1', '1']);
    const cases = Array.from(document.getElementsByTagName('testcase'));
    expect(cases.map((c) => c.getAttribute('name'))).toEqual(['run, "one"/a.T', 'run, "one"/b.T', 'run, "one"/c.T', 'broken']);
    expect(cases[1].getAttribute('classname')).toBe('ref <"base"> & co');
    expect(cases[1].getElementsByTagName('failure')[0].getAttribute('message')).toBe('worst 0.9 outside the tube (10× its half-height) at t = 1.5 s');
    expect(cases[2].getElementsByTagName('skipped')).toHaveLength(1);
    // XML reads a line break inside an attribute as a space.
    expect(cases[3].getElementsByTagName('error')[0].getAttribute('message')).toBe('lab/ref.mat: truncated at byte 12');
  });
});
