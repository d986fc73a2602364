import React, { useMemo } from 'react';
import { Badge, InteractiveTable, Stack, Text, type Column } from '@grafana/ui';

import type { RegressionResult, VariableRegression } from '../../shared/regression';

const BADGES = { pass: 'green', fail: 'red', missing: 'orange', 'no-overlap': 'red' } as const;

function intervals(variable: VariableRegression): string {
  const listed = variable.failures.map((i) => `${Number(i.from.toPrecision(6))}–${Number(i.to.toPrecision(6))} s`).join(', ');
  const more = variable.failureCount - variable.failures.length;
  return more > 0 ? `${listed} (+${more} more)` : listed;
}

function worstText(variable: VariableRegression): string {
  const worst = variable.worst;
  if (!worst) {
    return '';
  }
  const amount = worst.deviation === null ? 'NaN on one side' : `${Number(worst.deviation.toPrecision(3))}${variable.unit ? ` ${variable.unit}` : ''}`;
  const relative = worst.relative === null ? '' : ` (${Number(worst.relative.toPrecision(3))}× the tube)`;
  return `${amount}${relative} at ${Number(worst.time.toPrecision(6))} s`;
}

/** float32 parameters such as 4.599999904632568 as the 4.6 the model set. */
function shown(value: number | null): string {
  return value === null ? '—' : String(Number(value.toPrecision(7)));
}

const COLUMNS: Array<Column<VariableRegression>> = [
  { id: 'name', header: 'Variable', sortType: 'string' },
  {
    id: 'status',
    header: 'Result',
    sortType: 'string',
    cell: ({ row: { original } }) => <Badge color={BADGES[original.status]} text={original.status === 'missing' ? `missing in ${original.missingIn}` : original.status} />,
  },
  { id: 'worst', header: 'Worst deviation', cell: ({ row: { original } }) => worstText(original) },
  { id: 'failures', header: 'Where it leaves the tube', cell: ({ row: { original } }) => intervals(original) },
  { id: 'checked', header: 'Samples checked', sortType: 'number' },
];

/** The variables of one run's comparison, with the parameters that differ and the warnings. */
export function VariableResults({ result }: { result: RegressionResult }) {
  const variables = useMemo(() => result.variables, [result]);
  return (
    <Stack direction="column" gap={1}>
      <InteractiveTable columns={COLUMNS} data={variables} getRowId={(v: VariableRegression) => v.name} pageSize={variables.length > 50 ? 50 : 0} />
      {result.parameters.length > 0 && (
        <Text color="secondary" variant="bodySmall">
          Parameters that differ: {result.parameters.map((p) => `${p.name} ${shown(p.value)} (reference ${shown(p.referenceValue)})`).join(', ')}
        </Text>
      )}
      {result.warnings.map((warning) => (
        <Text key={warning} color="warning" variant="bodySmall">
          {warning}
        </Text>
      ))}
    </Stack>
  );
}
