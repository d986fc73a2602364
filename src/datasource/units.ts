/**
 * Modelica unit strings (as tools write them into descriptions) mapped to Grafana unit ids, so
 * axes and tooltips format values the way engineers read them. Unknown units are shown verbatim
 * as a suffix, which Grafana supports as the `suffix:` custom unit.
 */
const GRAFANA_UNITS: Record<string, string> = {
  '1': 'none',
  '%': 'percent',
  s: 's',
  ms: 'ms',
  min: 'm',
  h: 'h',
  d: 'd',
  K: 'kelvin',
  degC: 'celsius',
  degF: 'fahrenheit',
  Pa: 'pressurepa',
  hPa: 'pressurehpa',
  kPa: 'pressurekpa',
  bar: 'pressurebar',
  mbar: 'pressurembar',
  psi: 'pressurepsi',
  W: 'watt',
  kW: 'kwatt',
  MW: 'megwatt',
  Wh: 'watth',
  kWh: 'kwatth',
  J: 'joule',
  V: 'volt',
  kV: 'kvolt',
  mV: 'mvolt',
  A: 'amp',
  kA: 'kamp',
  mA: 'mamp',
  Ohm: 'ohm',
  kOhm: 'kohm',
  MOhm: 'Mohm',
  F: 'farad',
  H: 'henry',
  m: 'lengthm',
  mm: 'lengthmm',
  km: 'lengthkm',
  'm/s': 'velocityms',
  'm/s2': 'accMS2',
  rad: 'radian',
  'm3/s': 'flowcms',
  'l/min': 'flowlpm',
  'l/h': 'litreh',
  'km/h': 'velocitykmh',
  kg: 'masskg',
  g: 'massg',
  t: 'masst',
  N: 'forceN',
  kN: 'forcekN',
  'N.m': 'forceNm',
  deg: 'degree',
  'rev/min': 'rotrpm',
  rpm: 'rotrpm',
  'rad/s': 'rotrads',
  Hz: 'rothz',
  m3: 'm3',
  l: 'litre',
  'W/m2': 'Wm2',
};

export function grafanaUnit(modelicaUnit: string | null | undefined): string | undefined {
  if (!modelicaUnit) {
    return undefined;
  }
  return GRAFANA_UNITS[modelicaUnit] ?? `suffix: ${modelicaUnit}`;
}

export const KNOWN_GRAFANA_UNITS: Readonly<Record<string, string>> = GRAFANA_UNITS;
