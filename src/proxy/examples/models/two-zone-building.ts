import { integrate, type StateVector } from '../ode';
import {
  alias,
  BOOLEAN,
  buildResult,
  INTEGER,
  negatedAlias,
  output,
  parameter,
  type ExampleResult,
  type Quantity,
} from '../result';

/**
 * Two lumped thermal zones in winter: zone 1 (living room, heated) and zone 2 (bedroom, only
 * heated through the partition wall). A boiler heats the radiator water of zone 1 under a
 * thermostat with hysteresis, whose switching instants are state events. The pump of the heating
 * loop runs with the boiler and raises the loop pressure with a first-order lag.
 */
export interface TwoZoneBuildingParameters {
  /** Heat capacities, J/K. */
  C1: number;
  C2: number;
  Crad: number;
  /** Thermal conductances, W/K. */
  G1: number;
  G2: number;
  G12: number;
  Grad: number;
  /** Boiler power, W. */
  heaterPower: number;
  /** Thermostat band on zone 1, K. */
  Tlow: number;
  Thigh: number;
  /** Daily mean and amplitude of the outdoor temperature, K. */
  Tmean: number;
  Tamplitude: number;
  /** Peak solar gains (noon) of each zone, W. */
  solar1: number;
  solar2: number;
  /** Heating loop pressure without and with the pump, Pa, and its time constant, s. */
  pStatic: number;
  pumpHead: number;
  pressureTau: number;
  /** Initial temperatures, K. */
  T1start: number;
  T2start: number;
  stopTime: number;
  outputInterval: number;
  maxStep: number;
}

const ZERO_CELSIUS = 273.15;
const DAY = 86400;
const HOUR = 3600;

export const TWO_ZONE_BUILDING_DEFAULTS: TwoZoneBuildingParameters = {
  C1: 5e6,
  C2: 4e6,
  Crad: 4e5,
  G1: 150,
  G2: 120,
  G12: 200,
  Grad: 400,
  heaterPower: 8000,
  Tlow: ZERO_CELSIUS + 20,
  Thigh: ZERO_CELSIUS + 22,
  Tmean: ZERO_CELSIUS + 1,
  Tamplitude: 4,
  solar1: 600,
  solar2: 1500,
  pStatic: 1.5e5,
  pumpHead: 0.6e5,
  pressureTau: 120,
  T1start: ZERO_CELSIUS + 17,
  T2start: ZERO_CELSIUS + 15,
  stopTime: 3 * DAY,
  outputInterval: 300,
  maxStep: 60,
};

const T1 = 0;
const T2 = 1;
const TRAD = 2;
const PRESSURE = 3;
const ENERGY = 4;
const ON = 5;
const SWITCHES = 6;

const TEMPERATURE: Quantity = { unit: 'K', displayUnit: 'degC' };
const TEMPERATURE_DIFFERENCE: Quantity = { unit: 'K' };
const HEAT_FLOW: Quantity = { unit: 'W' };
const CONDUCTANCE: Quantity = { unit: 'W/K' };
const CAPACITY: Quantity = { unit: 'J/K' };
const PRESSURE_BAR: Quantity = { unit: 'Pa', displayUnit: 'bar' };

/** Coldest at 03:00, warmest at 15:00, the experiment starting at midnight. */
function outdoorTemperature(p: TwoZoneBuildingParameters, t: number): number {
  return p.Tmean - p.Tamplitude * Math.cos((2 * Math.PI * (t - 3 * HOUR)) / DAY);
}

/** A winter day's sun: a half sine between 08:00 and 16:00, zero at night. */
function sunFraction(t: number): number {
  const hourOfDay = (t % DAY) / HOUR;
  return hourOfDay <= 8 || hourOfDay >= 16 ? 0 : Math.sin((Math.PI * (hourOfDay - 8)) / 8);
}

interface HeatFlows {
  envelope1: number;
  envelope2: number;
  partition: number;
  radiator: number;
  heater: number;
  solar1: number;
  solar2: number;
}

function heatFlows(p: TwoZoneBuildingParameters, t: number, x: StateVector): HeatFlows {
  const outdoor = outdoorTemperature(p, t);
  return {
    envelope1: p.G1 * (x[T1] - outdoor),
    envelope2: p.G2 * (x[T2] - outdoor),
    partition: p.G12 * (x[T1] - x[T2]),
    radiator: p.Grad * (x[TRAD] - x[T1]),
    heater: x[ON] > 0.5 ? p.heaterPower : 0,
    solar1: p.solar1 * sunFraction(t),
    solar2: p.solar2 * sunFraction(t),
  };
}

function derivatives(p: TwoZoneBuildingParameters, t: number, x: StateVector, dxdt: StateVector): void {
  const q = heatFlows(p, t, x);
  dxdt[T1] = (q.radiator + q.solar1 - q.envelope1 - q.partition) / p.C1;
  dxdt[T2] = (q.partition + q.solar2 - q.envelope2) / p.C2;
  dxdt[TRAD] = (q.heater - q.radiator) / p.Crad;
  dxdt[PRESSURE] = (p.pStatic + (x[ON] > 0.5 ? p.pumpHead : 0) - x[PRESSURE]) / p.pressureTau;
  dxdt[ENERGY] = q.heater;
  dxdt[ON] = 0;
  dxdt[SWITCHES] = 0;
}

export function simulateTwoZoneBuilding(overrides: Partial<TwoZoneBuildingParameters> = {}): ExampleResult {
  const p = { ...TWO_ZONE_BUILDING_DEFAULTS, ...overrides };
  const isOn = (x: StateVector) => x[ON] > 0.5;
  const startsOn = p.T1start < p.Thigh;

  const solution = integrate({
    startTime: 0,
    stopTime: p.stopTime,
    outputInterval: p.outputInterval,
    maxStep: p.maxStep,
    initialState: [p.T1start, p.T2start, p.T1start, p.pStatic + (startsOn ? p.pumpHead : 0), 0, startsOn ? 1 : 0, 0],
    derivative: (t, x, dxdt) => derivatives(p, t, x, dxdt),
    stateEvents: [
      {
        // The hysteresis: while heating, watch the upper limit; while idle, the lower one.
        indicator: (_t, x) => (isOn(x) ? x[T1] - p.Thigh : x[T1] - p.Tlow),
        direction: 'either',
        reset: (_t, x) => {
          x[ON] = isOn(x) ? 0 : 1;
          x[SWITCHES] += 1;
        },
      },
    ],
  });

  const flow = (pick: (q: HeatFlows) => number) => (t: number, x: StateVector) => pick(heatFlows(p, t, x));
  // A thermal conductor, as Modelica's: its heat flow, and the same flow into port_a and out of port_b.
  const conductor = (name: string, description: string, pick: (q: HeatFlows) => number) => [
    output(`${name}.Q_flow`, description, HEAT_FLOW, flow(pick)),
    alias(`${name}.port_a.Q_flow`, `${name}.Q_flow`, 'Heat flow rate into the port', HEAT_FLOW),
    negatedAlias(`${name}.port_b.Q_flow`, `${name}.Q_flow`, 'Heat flow rate into the port', HEAT_FLOW),
  ];
  const zone1Derivative = (t: number, x: StateVector) => {
    const dxdt = new Float64Array(x.length);
    derivatives(p, t, x, dxdt);
    return dxdt[T1];
  };

  return buildResult(
    solution,
    [
      parameter('zone1.C', p.C1, 'Heat capacity of zone 1 (air, furniture, inner walls)', CAPACITY),
      parameter('zone2.C', p.C2, 'Heat capacity of zone 2', CAPACITY),
      parameter('radiator.C', p.Crad, 'Heat capacity of radiator water and steel', CAPACITY),
      parameter('envelope1.G', p.G1, 'Conductance zone 1 to outside', CONDUCTANCE),
      parameter('envelope2.G', p.G2, 'Conductance zone 2 to outside', CONDUCTANCE),
      parameter('partition.G', p.G12, 'Conductance of the wall between the zones', CONDUCTANCE),
      parameter('radiator.G', p.Grad, 'Conductance radiator to zone 1 air', CONDUCTANCE),
      parameter('heater.Q_flow_nominal', p.heaterPower, 'Boiler heat output when on', HEAT_FLOW),
      parameter('thermostat.T_low', p.Tlow, 'Heater switches on below', TEMPERATURE),
      parameter('thermostat.T_high', p.Thigh, 'Heater switches off above', TEMPERATURE),
      parameter('weather.T_mean', p.Tmean, 'Daily mean outdoor temperature', TEMPERATURE),
      parameter('weather.T_amplitude', p.Tamplitude, 'Daily outdoor temperature amplitude', TEMPERATURE_DIFFERENCE),
      parameter('solar1.Q_flow_peak', p.solar1, 'Solar gain of zone 1 at noon', HEAT_FLOW),
      parameter('solar2.Q_flow_peak', p.solar2, 'Solar gain of zone 2 at noon', HEAT_FLOW),
      parameter('loop.p_static', p.pStatic, 'Heating loop pressure with the pump off', PRESSURE_BAR),
      parameter('pump.dp_nominal', p.pumpHead, 'Pump head', PRESSURE_BAR),
      parameter('loop.tau', p.pressureTau, 'Time constant of the loop pressure', { unit: 's' }),
      output('weather.T', 'Outdoor air temperature', TEMPERATURE, (t) => outdoorTemperature(p, t)),
      output('zone1.T', 'Air temperature of zone 1', TEMPERATURE, (_t, x) => x[T1]),
      output('zone1.der(T)', 'der(Air temperature of zone 1)', { unit: 'K/s' }, zone1Derivative),
      output('zone2.T', 'Air temperature of zone 2', TEMPERATURE, (_t, x) => x[T2]),
      output('radiator.T', 'Radiator water temperature', TEMPERATURE, (_t, x) => x[TRAD]),
      output('heater.on', 'Boiler on (thermostat output)', BOOLEAN, (_t, x) => x[ON]),
      alias('pump.on', 'heater.on', 'Pump running', BOOLEAN),
      output('thermostat.switchCount', 'Number of thermostat switchings', INTEGER, (_t, x) => x[SWITCHES]),
      output(
        'heater.Q_flow',
        'Boiler heat output',
        HEAT_FLOW,
        flow((q) => q.heater)
      ),
      output(
        'heater.E',
        'Heat delivered by the boiler since start',
        { unit: 'J', displayUnit: 'kWh' },
        (_t, x) => x[ENERGY]
      ),
      output(
        'radiator.Q_flow',
        'Heat flow radiator to zone 1',
        HEAT_FLOW,
        flow((q) => q.radiator)
      ),
      negatedAlias('radiator.heatPort.Q_flow', 'radiator.Q_flow', 'Heat flow rate into the port', HEAT_FLOW),
      output(
        'solar1.Q_flow',
        'Solar gain of zone 1',
        HEAT_FLOW,
        flow((q) => q.solar1)
      ),
      output(
        'solar2.Q_flow',
        'Solar gain of zone 2',
        HEAT_FLOW,
        flow((q) => q.solar2)
      ),
      ...conductor('envelope1', 'Heat flow zone 1 to outside', (q) => q.envelope1),
      ...conductor('envelope2', 'Heat flow zone 2 to outside', (q) => q.envelope2),
      ...conductor('partition', 'Heat flow zone 1 to zone 2', (q) => q.partition),
      output('partition.dT', 'port_a.T - port_b.T', TEMPERATURE_DIFFERENCE, (_t, x) => x[T1] - x[T2]),
      output('loop.p', 'Supply pressure of the heating water loop', PRESSURE_BAR, (_t, x) => x[PRESSURE]),
      output('pump.dp', 'Pressure raised by the pump', PRESSURE_BAR, (_t, x) => x[PRESSURE] - p.pStatic),
    ],
    0,
    p.stopTime
  );
}
