import { formattedValueToString, getValueFormat, getValueFormats } from '@grafana/data';

import { grafanaUnit, KNOWN_GRAFANA_UNITS } from './units';

describe('grafanaUnit', () => {
  const grafanaIds = new Set(getValueFormats().flatMap((category) => (category.submenu ?? []).map((unit) => unit.value)));

  it.each(Object.entries(KNOWN_GRAFANA_UNITS))('maps %s to the existing Grafana unit %s', (_, id) => {
    expect(grafanaIds.has(id)).toBe(true);
  });

  it('formats values the way engineers read them', () => {
    const format = (modelica: string, value: number) => formattedValueToString(getValueFormat(grafanaUnit(modelica))(value, 1));
    expect(format('degC', 21.5)).toBe('21.5 °C');
    expect(format('bar', 1.5)).toBe('1.5 bar');
    expect(format('V', 10)).toBe('10.0 V');
  });

  it('shows unknown units verbatim and nothing for no unit', () => {
    expect(grafanaUnit('kg/(m.s)')).toBe('suffix: kg/(m.s)');
    expect(grafanaUnit(null)).toBeUndefined();
    expect(grafanaUnit('')).toBeUndefined();
  });
});
