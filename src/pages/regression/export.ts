/**
 * The regression report as files CI systems read: CSV (one row per run and variable) and JUnit XML
 * (a test case per run and variable: failures for variables outside the tube, errors for runs that
 * could not be compared, skipped for variables one side lacks), as csv-compare users expect.
 */
import { isBatchItemError, type BatchCompareResponse, type RegressionResult, type VariableRegression } from '../../shared/regression';

const CSV_HEADER = ['run', 'reference', 'variable', 'status', 'worst deviation', 'worst relative to tube', 'at time (s)', 'failing intervals (s)', 'message'];

/** A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180). */
export function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function intervalsText(variable: VariableRegression): string {
  const listed = variable.failures.map((interval) => `${interval.from}-${interval.to}`);
  const more = variable.failureCount - variable.failures.length;
  return [...listed, ...(more > 0 ? [`+${more} more`] : [])].join('; ');
}

function statusText(variable: VariableRegression): string {
  return variable.status === 'missing' ? `missing in ${variable.missingIn}` : variable.status;
}

function variableRow(result: RegressionResult, variable: VariableRegression): string[] {
  const worst = variable.worst;
  return [
    result.simulationName,
    result.referenceName,
    variable.name,
    statusText(variable),
    worst?.deviation === null ? 'NaN' : String(worst?.deviation ?? ''),
    String(worst?.relative ?? ''),
    String(worst?.time ?? ''),
    intervalsText(variable),
    '',
  ];
}

export function reportCsv(report: BatchCompareResponse): string {
  const rows = report.items.flatMap((item) =>
    isBatchItemError(item) ? [[item.simulationName, item.reference ?? '', '', 'error', '', '', '', '', item.error.message]] : item.variables.map((variable) => variableRow(item, variable))
  );
  return [CSV_HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Text for XML attributes and content: the five characters XML reserves, and no control characters it forbids. */
export function xmlText(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function failureMessage(variable: VariableRegression): string {
  const worst = variable.worst;
  const amount = worst?.deviation === null ? 'NaN on one side' : `${worst?.deviation} outside the tube (${worst?.relative}× its half-height)`;
  return worst ? `worst ${amount} at t = ${worst.time} s` : 'outside the tube';
}

function testCase(result: RegressionResult, variable: VariableRegression): string {
  const open = `    <testcase classname="${xmlText(result.referenceName)}" name="${xmlText(`${result.simulationName}/${variable.name}`)}">`;
  if (variable.status === 'pass') {
    return `${open}</testcase>`;
  }
  if (variable.status === 'missing') {
    return `${open}\n      <skipped message="${xmlText(`missing in the ${variable.missingIn}`)}"/>\n    </testcase>`;
  }
  const detail = variable.status === 'no-overlap' ? 'the run and its reference share no time span' : `failing intervals (s): ${intervalsText(variable)}`;
  return `${open}\n      <failure message="${xmlText(failureMessage(variable))}" type="regression">${xmlText(detail)}</failure>\n    </testcase>`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countsOf(report: BatchCompareResponse): Counts {
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const item of report.items) {
    if (isBatchItemError(item)) {
      counts.tests += 1;
      counts.errors += 1;
      continue;
    }
    for (const variable of item.variables) {
      counts.tests += 1;
      counts.failures += variable.status === 'fail' || variable.status === 'no-overlap' ? 1 : 0;
      counts.skipped += variable.status === 'missing' ? 1 : 0;
    }
  }
  return counts;
}

export function reportJUnit(report: BatchCompareResponse, suiteName: string, timestamp = new Date()): string {
  const counts = countsOf(report);
  const cases = report.items.map((item) =>
    isBatchItemError(item)
      ? `    <testcase classname="${xmlText(item.reference ?? 'no reference')}" name="${xmlText(item.simulationName)}">\n      <error message="${xmlText(item.error.message)}" type="${xmlText(item.error.code)}"/>\n    </testcase>`
      : item.variables.map((variable) => testCase(item, variable)).join('\n')
  );
  const suite = `  <testsuite name="${xmlText(suiteName)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" timestamp="${timestamp.toISOString()}">`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="SimViz regression" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}">`, suite, ...cases.filter(Boolean), '  </testsuite>', '</testsuites>', ''].join('\n');
}
