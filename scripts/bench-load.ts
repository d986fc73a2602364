/**
 * The proxy under load: 100 generated simulations, the real proxy in its own process, autocannon on
 * loopback with the request mix of a Grafana dashboard (simulation lists, variable searches, queries).
 *
 *   npm run bench -- --only load [--duration 30] [--dir .bench]
 *   npx tsx scripts/bench-load.ts [--duration 30] [--dir .bench] [--seed 1] [--connections 50]
 *   npx tsx scripts/bench-load.ts --duration 60 --big .bench/long-1g-f64.mat     (the soak)
 *   npx tsx scripts/bench-load.ts --workers 2     (the proxy's `--workers`: processes serving the port)
 *   npx tsx scripts/bench-load.ts --json-answers   (queries answered in JSON, as before the datasource asked for binary)
 *   npx tsx scripts/bench-load.ts --slowest 20     (also list the 20 slowest requests and what they asked)
 *
 * The simulations are written once by the project's MAT v4 writer into DIR/load/results and reused
 * while their manifest matches; per-variable layouts go to DIR/load/cache (as a deployed proxy keeps
 * them). Reported: requests/s, latency percentiles (overall and per route), errors and non-2xx
 * responses, and the proxy's RSS read from /proc every 500 ms, with a verdict against the targets.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';

import type { QueryRequest, SimulationPage, Stats, VariablePage } from '../src/shared/api';
import { SERIES_MEDIA_TYPE } from '../src/shared/seriesWire';
import { DEFAULT_COLUMN_STORE_MIN_BYTES } from '../src/engine/decoder/mat4/trajectory';
import { writeResultFile, type ResultSpec, type VariableSpec } from '../src/engine/writer/mat4-writer';

const REPO = path.resolve(__dirname, '..');
const PROXY_CLI = path.join(REPO, 'src', 'proxy', 'cli.ts');

/** Bump when the generator changes, so cached simulations are written again. */
const GENERATOR_VERSION = 1;
const SIMULATIONS = 100;
const CONNECTIONS = 50;
const DEFAULT_DURATION_S = 30;
const ROOT_NAME = 'load';
const API_KEY = 'simviz-bench-load-key';
/** Request mix of a dashboard session: pickers list and search, panels query. */
const MIX = { list: 0.15, variables: 0.25, query: 0.6 } as const;
/** Requests slower than this are kept for `--slowest`. */
const SLOW_REQUEST_MS = 50;
/** With `--big`, this share of the queries reads the big file instead (a panel of up to 20 of its signals). */
const BIG_QUERY_SHARE = 0.05;
const BIG_ROOT_NAME = 'soak';
/** The soak's memory target: RSS at the end of the load within this fraction of RSS at its start. */
const TARGET_RSS_GROWTH = 0.1;
/**
 * Planned requests, cycled: at about 1,000 requests/s a 30 s run asks each about 4 times, as
 * dashboards repeat their queries (refreshes, viewers); `--plan-size 100000` asks each once.
 */
const PLAN_SIZE = 8192;
const RSS_INTERVAL_MS = 500;
const TARGET_P99_MS = 100;
/**
 * The first seconds of a run compile code and fill the per-process caches (in a 30 s run, the
 * first 3 s had a p99 of about 430 ms, the rest 72-110 ms): the target is for runs once cached,
 * so the verdict takes requests sent after this warm-up (at most a quarter of the run). The
 * whole run's figures are reported too.
 */
const WARMUP_SECONDS = 5;

export interface LoadBenchOptions {
  /** The bench folder; simulations go to DIR/load. */
  dir: string;
  durationSeconds?: number;
  seed?: number;
  /** Concurrent connections (50 unless diagnosing, e.g. 1 for per-request service times). */
  connections?: number;
  /** A large result file (e.g. the 1 GB benchmark file) also served and queried: the soak. */
  bigFile?: string;
  /** The proxy's `--workers` (1 unless given). */
  workers?: number;
  /** Distinct planned requests (PLAN_SIZE unless given). */
  planSize?: number;
  /** Query answers as the datasource asks for them (binary, the default) or as JSON (curl, Infinity, before 0.x). */
  answers?: AnswerForm;
  /** Report this many of the slowest requests, with what they asked (for finding what makes the tail). */
  slowest?: number;
}

type AnswerForm = 'binary' | 'json';

type RouteKind = keyof typeof MIX | 'bigQuery';

interface RouteStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadBenchResult {
  simulations: number;
  dataBytes: number;
  /** The big file of the soak and its size, when one was given. */
  big?: { path: string; sizeBytes: number };
  connections: number;
  workers: number;
  answers: AnswerForm;
  slowest: SlowRequest[];
  /** The same routes' p99 and maximum as the proxy measured them: the rest of a client's wait is queueing before the proxy reads the request. */
  proxySide: ProxySideTiming[];
  durationSeconds: number;
  seed: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Requests sent after the first `seconds` of the run (see WARMUP_SECONDS): what the verdict takes. */
  afterWarmupMs: { seconds: number; requests: number; p50: number; p99: number; max: number };
  byRoute: Record<RouteKind, RouteStats>;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 200 answers to a query that carried an error entry (unknown variable, unreadable file). */
  seriesErrors: number;
  /** Query answers served from the proxy's response cache, of all queries (worker 1's view with several workers). */
  responseCache: { hits: number; misses: number };
  /** `steady`: at the end of the first quarter of the run, once the load has reached its working set. */
  rssMb: { ready: number; start: number; steady: number; peak: number; end: number; samples: number };
  /** Average CPU cores used during the run (2 on this machine's budget): the proxy and this process (autocannon). */
  cpuCores: { proxy: number; loadGenerator: number };
  verdict: 'PASS' | 'FAIL';
  /** With a big file: 0 errors, 0 non-2xx, and RSS growth under the target. */
  soakVerdict?: 'PASS' | 'FAIL';
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const intBetween = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

// ---------------------------------------------------------------------------------------------
// Simulations: Modelica-like models of four kinds, written as Dymola and OpenModelica would

type Shape = 'smooth' | 'boolean' | 'ramp' | 'noisy';

/** [suffix, description, unit, displayUnit, shape, base, amplitude] */
type SignalTemplate = [string, string, string | undefined, string | undefined, Shape, number, number];

interface Family {
  component: string;
  projects: string[];
  variants: string[];
  signals: SignalTemplate[];
  globals: SignalTemplate[];
  /** [name, description, unit, value] */
  parameters: Array<[string, string, string | undefined, number]>;
  /** Per component: [alias suffix, stored suffix, negated]. */
  alias: [string, string, boolean];
  stopTimes: number[];
}

const FAMILIES: Record<string, Family> = {
  building: {
    component: 'zone',
    projects: ['office', 'school', 'warehouse', 'hospital'],
    variants: ['winter', 'summer', 'shoulder'],
    signals: [
      ['air.T', 'Air temperature', 'K', 'degC', 'smooth', 294, 3],
      ['air.phi', 'Relative humidity', '1', undefined, 'smooth', 0.45, 0.15],
      ['heater.Q_flow', 'Heating power', 'W', undefined, 'smooth', 1500, 1400],
      ['heater.on', 'Heater switched on', undefined, undefined, 'boolean', 0, 1],
      ['wall.T', 'Inner wall surface temperature', 'K', 'degC', 'smooth', 292, 2],
      ['window.open', 'Window opened', undefined, undefined, 'boolean', 0, 1],
      ['ventilation.m_flow', 'Supply air mass flow rate', 'kg/s', undefined, 'noisy', 0.3, 0.1],
      ['valve.y', 'Radiator valve opening', '1', undefined, 'smooth', 0.5, 0.5],
      ['E_heat', 'Heating energy', 'J', 'kWh', 'ramp', 0, 3.6e7],
    ],
    globals: [
      ['weather.TDryBul', 'Dry bulb temperature', 'K', 'degC', 'smooth', 278, 8],
      ['weather.HGloHor', 'Global horizontal irradiation', 'W/m2', undefined, 'smooth', 200, 200],
      ['boiler.T_supply', 'Supply water temperature', 'K', 'degC', 'smooth', 333, 5],
    ],
    parameters: [
      ['zone1.V', 'Air volume', 'm3', 240],
      ['heater.Q_nominal', 'Nominal heating power', 'W', 3000],
      ['controller.k', 'Controller gain', '1', 0.8],
      ['controller.Ti', 'Integral time', 's', 600],
      ['TSet', 'Set point', 'K', 294.15],
      ['ACH', 'Air changes per hour', '1/h', 0.5],
      ['wall.U', 'Thermal transmittance', 'W/(m2.K)', 0.3],
      ['nOcc', 'Number of occupants', '1', 12],
    ],
    alias: ['heatPort.Q_flow', 'heater.Q_flow', true],
    stopTimes: [86400, 604800, 2592000],
  },
  drivetrain: {
    component: 'cell',
    projects: ['sedan', 'van', 'bus'],
    variants: ['wltp', 'urban', 'highway'],
    signals: [
      ['v', 'Cell voltage', 'V', undefined, 'smooth', 3.7, 0.3],
      ['i', 'Cell current', 'A', undefined, 'noisy', 20, 40],
      ['SOC', 'State of charge', '1', undefined, 'ramp', 0.95, -0.6],
      ['T', 'Cell temperature', 'K', 'degC', 'smooth', 303, 6],
      ['Q_flow', 'Heat dissipation', 'W', undefined, 'smooth', 5, 5],
      ['balancing', 'Balancing active', undefined, undefined, 'boolean', 0, 1],
    ],
    globals: [
      ['vehicle.v', 'Vehicle speed', 'm/s', 'km/h', 'smooth', 15, 15],
      ['motor.w', 'Motor speed', 'rad/s', 'rpm', 'smooth', 400, 380],
      ['motor.tau', 'Motor torque', 'N.m', undefined, 'noisy', 50, 150],
      ['gearbox.gear', 'Selected gear', undefined, undefined, 'boolean', 1, 1],
      ['brake.f', 'Brake force', 'N', undefined, 'smooth', 0, 2000],
    ],
    parameters: [
      ['vehicle.m', 'Vehicle mass', 'kg', 1650],
      ['vehicle.cw', 'Drag coefficient', '1', 0.28],
      ['battery.nCells', 'Cells in series', '1', 96],
      ['battery.C', 'Cell capacity', 'A.h', 50],
      ['gearbox.ratio', 'Gear ratio', '1', 9.7],
      ['tyre.r', 'Tyre radius', 'm', 0.31],
      ['motor.J', 'Rotor inertia', 'kg.m2', 0.04],
    ],
    alias: ['pin_p.v', 'v', false],
    stopTimes: [1800, 3600, 7200],
  },
  hydraulics: {
    component: 'pipe',
    projects: ['districtHeating', 'coolingLoop', 'irrigation'],
    variants: ['nominal', 'partLoad', 'failure'],
    signals: [
      ['port_a.m_flow', 'Mass flow rate from port a', 'kg/s', undefined, 'smooth', 2, 1.5],
      ['port_a.p', 'Pressure at port a', 'Pa', 'bar', 'smooth', 3e5, 5e4],
      ['port_b.p', 'Pressure at port b', 'Pa', 'bar', 'smooth', 2.6e5, 5e4],
      ['T', 'Fluid temperature', 'K', 'degC', 'smooth', 343, 10],
      ['dp', 'Pressure drop', 'Pa', 'bar', 'noisy', 4e4, 1e4],
      ['valve.opening', 'Valve opening', '1', undefined, 'smooth', 0.5, 0.5],
      ['pump.on', 'Pump switched on', undefined, undefined, 'boolean', 0, 1],
    ],
    globals: [
      ['source.T', 'Source temperature', 'K', 'degC', 'smooth', 353, 5],
      ['sink.p', 'Sink pressure', 'Pa', 'bar', 'smooth', 1e5, 1e3],
      ['pump.P', 'Pump electrical power', 'W', undefined, 'noisy', 800, 400],
    ],
    parameters: [
      ['pipe1.length', 'Pipe length', 'm', 120],
      ['pipe1.diameter', 'Inner diameter', 'm', 0.08],
      ['pump.dp_nominal', 'Nominal pressure head', 'Pa', 2e5],
      ['pump.m_flow_nominal', 'Nominal mass flow rate', 'kg/s', 3],
      ['valve.Kv', 'Flow coefficient', 'm3/h', 25],
      ['roughness', 'Wall roughness', 'm', 2.5e-5],
    ],
    alias: ['port_b.m_flow', 'port_a.m_flow', true],
    stopTimes: [600, 3600, 86400],
  },
  circuit: {
    component: 'stage',
    projects: ['inverter', 'charger', 'filter'],
    variants: ['startup', 'steadyState', 'shortCircuit'],
    signals: [
      ['resistor.p.i', 'Current flowing into pin p', 'A', undefined, 'smooth', 0, 5],
      ['resistor.v', 'Voltage drop', 'V', undefined, 'smooth', 0, 12],
      ['capacitor.v', 'Capacitor voltage', 'V', undefined, 'smooth', 24, 2],
      ['inductor.i', 'Inductor current', 'A', undefined, 'noisy', 3, 2],
      ['switch.closed', 'Switch closed', undefined, undefined, 'boolean', 0, 1],
      ['resistor.T_heatPort', 'Resistor temperature', 'K', 'degC', 'ramp', 300, 40],
    ],
    globals: [
      ['source.v', 'Source voltage', 'V', undefined, 'smooth', 0, 325],
      ['load.P', 'Load power', 'W', undefined, 'noisy', 500, 200],
    ],
    parameters: [
      ['resistor.R', 'Resistance', 'Ohm', 10],
      ['capacitor.C', 'Capacitance', 'F', 1e-3],
      ['inductor.L', 'Inductance', 'H', 2e-3],
      ['source.f', 'Frequency', 'Hz', 50],
      ['switch.Ron', 'Closed switch resistance', 'Ohm', 1e-5],
    ],
    alias: ['resistor.n.i', 'resistor.p.i', true],
    stopTimes: [0.1, 1, 10],
  },
};

interface SimulationPlan {
  relativePath: string;
  family: string;
  /** Stored trajectories besides time (aliases not counted). */
  trajectories: number;
  points: number;
  events: number;
  parameters: number;
  stopTime: number;
  precision: 'float32' | 'float64';
  flavour: 'dymola' | 'openmodelica';
  layout: 'binTrans' | 'binNormal';
  seed: number;
}

interface Manifest {
  version: number;
  seed: number;
  simulations: Array<SimulationPlan & { sizeBytes: number }>;
}

function planSimulations(seed: number): SimulationPlan[] {
  const rng = mulberry32(seed);
  const families = Object.keys(FAMILIES);
  const plans: SimulationPlan[] = [];
  const used = new Set<string>();
  for (let k = 0; k < SIMULATIONS; k++) {
    const family = families[k % families.length];
    const f = FAMILIES[family];
    // Log-uniform between 2k and 50k points: many short runs, a few long ones.
    const points = Math.round(2000 * Math.pow(25, rng()));
    const u = rng();
    const flavour = u < 0.65 || u >= 0.9 ? 'dymola' : 'openmodelica';
    const precision = u < 0.65 ? 'float32' : 'float64';
    const layout = u >= 0.9 && points <= 10_000 ? 'binNormal' : 'binTrans';
    let relativePath: string;
    do {
      relativePath = `${family}/${pick(rng, f.projects)}_${pick(rng, f.variants)}_run${String(intBetween(rng, 1, 40)).padStart(2, '0')}.mat`;
    } while (used.has(relativePath));
    used.add(relativePath);
    plans.push({
      relativePath,
      family,
      trajectories: intBetween(rng, 50, 200),
      points,
      events: intBetween(rng, 0, 6),
      parameters: intBetween(rng, 3, 8),
      stopTime: pick(rng, f.stopTimes),
      precision,
      flavour,
      layout,
      seed: Math.floor(rng() * 2 ** 31),
    });
  }
  return plans;
}

/** Bytes of the data_2 matrix (time plus stored trajectories), which decides on a per-variable layout. */
function data2Bytes(plan: SimulationPlan): number {
  return (plan.trajectories + 1) * plan.points * (plan.precision === 'float32' ? 4 : 8);
}

/** A uniform output grid with `events` duplicated time stamps, as a simulator stores events. */
function timeGrid(plan: SimulationPlan, rng: Rng): Float64Array {
  const base = plan.points - plan.events;
  const dt = plan.stopTime / (base - 1);
  const eventAt = new Set<number>();
  while (eventAt.size < plan.events) {
    eventAt.add(intBetween(rng, 1, base - 2));
  }
  const time = new Float64Array(plan.points);
  let k = 0;
  for (let i = 0; i < base; i++) {
    time[k++] = i * dt;
    if (eventAt.has(i)) {
      time[k++] = i * dt;
    }
  }
  return time;
}

function signalValues(template: SignalTemplate, time: Float64Array, stopTime: number, rng: Rng): Float64Array {
  const [, , , , shape, base, amplitude] = template;
  const omega = (2 * Math.PI * intBetween(rng, 1, 24)) / stopTime;
  const phase = rng() * 2 * Math.PI;
  const scale = 0.6 + rng() * 0.8;
  const out = new Float64Array(time.length);
  let events = 0;
  let noise = Math.floor(rng() * 2 ** 31) | 1;
  for (let i = 0; i < time.length; i++) {
    if (i > 0 && time[i] === time[i - 1]) {
      events++;
    }
    const t = time[i];
    const wave = Math.sin(omega * t + phase) + 0.3 * Math.sin(3.1 * omega * t + 2 * phase);
    switch (shape) {
      case 'smooth':
        out[i] = base + amplitude * scale * wave + 0.05 * amplitude * events;
        break;
      case 'noisy':
        noise ^= noise << 13;
        noise ^= noise >>> 17;
        noise ^= noise << 5;
        out[i] = base + amplitude * scale * wave + 0.05 * amplitude * ((noise >>> 0) / 4294967296 - 0.5);
        break;
      case 'ramp':
        out[i] = base + (amplitude * t) / stopTime + 0.01 * amplitude * wave;
        break;
      case 'boolean':
        out[i] = base + (wave + 0.2 * (events % 2) > 0 ? amplitude : 0);
        break;
    }
  }
  return out;
}

function buildSimulation(plan: SimulationPlan): { spec: ResultSpec; time: Float64Array; trajectories: Record<string, Float64Array> } {
  const f = FAMILIES[plan.family];
  const rng = mulberry32(plan.seed);
  const time = timeGrid(plan, rng);
  const variables: VariableSpec[] = [];
  const trajectories: Record<string, Float64Array> = {};
  let stored = 0;
  const addTrajectory = (name: string, template: SignalTemplate) => {
    stored++;
    const [, description, unit, displayUnit, shape] = template;
    variables.push({
      kind: 'trajectory',
      name,
      description,
      unit,
      displayUnit,
      valueType: shape === 'boolean' ? (template[5] === 0 && template[6] === 1 ? 'Boolean' : 'Integer') : undefined,
    });
    trajectories[name] = signalValues(template, time, plan.stopTime, rng);
  };
  for (const template of f.globals.slice(0, Math.min(f.globals.length, plan.trajectories))) {
    addTrajectory(template[0], template);
  }
  for (let c = 1; stored < plan.trajectories; c++) {
    const prefix = `${f.component}${c}`;
    for (const template of f.signals) {
      if (stored >= plan.trajectories) {
        break;
      }
      addTrajectory(`${prefix}.${template[0]}`, template);
    }
    const [aliasSuffix, storedSuffix, negate] = f.alias;
    const target = variables.find((v) => v.name === `${prefix}.${storedSuffix}`);
    if (target) {
      variables.push({ kind: 'alias', name: `${prefix}.${aliasSuffix}`, of: target.name, negate, description: target.description, unit: target.unit });
    }
  }
  for (const [name, description, unit, value] of f.parameters.slice(0, plan.parameters)) {
    variables.push({ kind: 'parameter', name, description, unit, value });
  }
  return {
    spec: {
      variables,
      startTime: 0,
      stopTime: plan.stopTime,
      options: { precision: plan.precision, flavour: plan.flavour, layout: plan.layout },
    },
    time,
    trajectories,
  };
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Writes the simulations unless DIR/load already holds this exact set. */
async function ensureSimulations(loadDir: string, seed: number): Promise<{ resultsDir: string; manifest: Manifest; generatedMs?: number }> {
  const resultsDir = path.join(loadDir, 'results');
  const manifestFile = path.join(loadDir, 'manifest.json');
  const existing = readManifest(manifestFile);
  const intact =
    existing?.version === GENERATOR_VERSION &&
    existing.seed === seed &&
    existing.simulations.length === SIMULATIONS &&
    existing.simulations.every((s) => statSync(path.join(resultsDir, s.relativePath), { throwIfNoEntry: false })?.size === s.sizeBytes);
  if (intact) {
    return { resultsDir, manifest: existing };
  }
  const started = performance.now();
  rmSync(resultsDir, { recursive: true, force: true });
  // Layouts of the previous set would never be read again.
  rmSync(path.join(loadDir, 'cache'), { recursive: true, force: true });
  rmSync(manifestFile, { force: true });
  const simulations: Manifest['simulations'] = [];
  for (const plan of planSimulations(seed)) {
    const file = path.join(resultsDir, plan.relativePath);
    mkdirSync(path.dirname(file), { recursive: true });
    const { spec, time, trajectories } = buildSimulation(plan);
    await writeResultFile(file, spec, { time, trajectories });
    simulations.push({ ...plan, sizeBytes: statSync(file).size });
  }
  const manifest: Manifest = { version: GENERATOR_VERSION, seed, simulations };
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 1));
  return { resultsDir, manifest, generatedMs: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------
// The proxy in its own process

interface ChildProxy {
  child: ChildProcess;
  url: string;
  pid: number;
  stderr: () => string;
}

/** `node --import tsx src/proxy/cli.ts`: one process, so /proc/<pid> is the proxy's own. */
function startChildProxy(resultsDir: string, cacheDir: string, workers: number, bigDir?: string): Promise<ChildProxy> {
  // The layouts of the 100 runs and of the soak's big file (about 2.2 GB, in one cache folder)
  // exceed the default limit of 2 GiB, which would then evict and rebuild them all the time, in
  // the soak and in every load run after one: size it as an operator would.
  const big = bigDir ? ['--data', `${BIG_ROOT_NAME}=${bigDir}`] : [];
  const roots = ['--data', `${ROOT_NAME}=${resultsDir}`, ...big, '--cache-max-bytes', '4GiB', '--workers', String(workers)];
  const child = spawn(
    process.execPath,
    [...(process.env.SIMVIZ_PROXY_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', PROXY_CLI, ...roots, '--port', '0', '--host', '127.0.0.1', '--api-key', API_KEY, '--cache-dir', cacheDir],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  // Never leave the proxy behind, also when the bench is interrupted.
  const kill = () => child.kill('SIGKILL');
  const interrupted = () => {
    kill();
    process.exit(130);
  };
  process.once('exit', kill);
  process.once('SIGINT', interrupted);
  child.once('exit', () => {
    process.off('exit', kill);
    process.off('SIGINT', interrupted);
  });
  return new Promise<ChildProxy>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the proxy did not report "SimViz proxy ready" within 60 s\n${stderr}`));
    }, 60_000);
    // Every log line is read (and dropped) so the proxy never blocks on a full pipe.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('SimViz proxy ready')) {
        return;
      }
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'SimViz proxy ready' && entry.url) {
        clearTimeout(timer);
        resolve({ child, url: entry.url, pid: child.pid!, stderr: () => stderr });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the proxy exited (${signal ?? code}) before it was ready\n${stderr}`));
    });
  });
}

async function stopChildProxy(proxy: ChildProxy): Promise<void> {
  if (proxy.child.exitCode !== null || proxy.child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => proxy.child.once('exit', () => resolve()));
  proxy.child.kill('SIGTERM');
  const timer = setTimeout(() => proxy.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The proxy process and, with `--workers`, its worker processes. */
function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children];
  } catch {
    return [pid];
  }
}

function rssMb(pid: number): number | undefined {
  const sizes = processTree(pid).map(processRssMb);
  return sizes.every((size) => size === undefined) ? undefined : sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
}

function processRssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** User plus system CPU seconds of the proxy (all its processes) so far. */
function cpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, each) => sum + processCpuSeconds(each), 0);
}

function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * The big file, hard-linked alone into DIR/soak (no copy of a gigabyte; the data root must hold
 * nothing else, and the scan does not follow links out of a root).
 */
function linkBigFile(bigFile: string, loadDir: string): string {
  if (!existsSync(bigFile)) {
    throw new Error(`--big: ${bigFile} does not exist (npm run bench writes .bench/long-1g-f64.mat)`);
  }
  const dir = path.join(path.dirname(loadDir), BIG_ROOT_NAME);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  linkSync(bigFile, path.join(dir, path.basename(bigFile)));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Warm-up and the request plan

interface KnownSimulation {
  id: string;
  name: string;
  path: string;
  startTime: number;
  stopTime: number;
  trajectories: string[];
}

async function getJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${API_KEY}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  if (!response.ok) {
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as T;
}

/** One pass over every simulation (catalogue, variables, a query), so runs are open and read once. */
async function warmUp(url: string): Promise<KnownSimulation[]> {
  // Files written moments ago are listed as `writing` (no time range yet) until the proxy sees them settle.
  const listing = `${url}/api/v1/simulations?limit=1000&root=${ROOT_NAME}`;
  let page = await getJson<SimulationPage>(listing);
  for (const deadline = Date.now() + 30_000; page.items.some((s) => s.status === 'writing') && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    page = await getJson<SimulationPage>(listing);
  }
  const failing = page.items.filter((s) => s.status !== 'ok');
  if (page.total !== SIMULATIONS || failing.length > 0) {
    throw new Error(`expected ${SIMULATIONS} readable simulations, the proxy lists ${page.total} (${failing.length} not ok: ${failing.map((s) => `${s.path} ${s.status} ${s.error ?? ''}`).join('; ')})`);
  }
  const known: KnownSimulation[] = [];
  for (const simulation of page.items) {
    known.push(await warmUpOne(url, simulation));
  }
  return known;
}

/** Lists the big file's run and reads it once, which starts its per-variable layout. */
async function warmUpBig(url: string): Promise<KnownSimulation> {
  const page = await getJson<SimulationPage>(`${url}/api/v1/simulations?root=${BIG_ROOT_NAME}`);
  const [big] = page.items;
  if (page.total !== 1 || big.status === 'error') {
    throw new Error(`expected the big file alone in root "${BIG_ROOT_NAME}", the proxy lists ${page.total} (${big?.error ?? ''})`);
  }
  return warmUpOne(url, big);
}

async function warmUpOne(url: string, simulation: SimulationPage['items'][number]): Promise<KnownSimulation> {
  const variables = await getJson<VariablePage>(`${url}/api/v1/simulations/${simulation.id}/variables?kind=trajectory&limit=1000`);
  const trajectories = variables.items.map((v) => v.name);
  const body: QueryRequest = { simulations: [simulation.id], variables: trajectories.slice(0, 4), maxDataPoints: 1500 };
  const answer = await getJson<{ series: unknown[] }>(`${url}/api/v1/query`, { method: 'POST', body: JSON.stringify(body) });
  if (JSON.stringify(answer).includes('"error":{')) {
    throw new Error(`warm-up query of ${simulation.path} answered an error entry`);
  }
  return {
    id: simulation.id,
    name: simulation.name,
    path: simulation.path,
    startTime: simulation.startTime ?? 0,
    stopTime: simulation.stopTime ?? 0,
    trajectories,
  };
}

/** Response times as the proxy itself measured them (its 10-minute window: the warm-up's few requests count too). */
async function proxySideTimings(url: string): Promise<ProxySideTiming[]> {
  const stats = await getJson<Stats>(`${url}/api/v1/stats`);
  const wanted: Array<[string, string, string]> = [
    ['list', 'GET', '/api/v1/simulations'],
    ['variables', 'GET', '/api/v1/simulations/:id/variables'],
    ['query', 'POST', '/api/v1/query'],
  ];
  return wanted.flatMap(([name, method, route]) => {
    const found = stats.requests.routes.find((r) => r.method === method && r.route === route);
    return found ? [{ name, p99Ms: found.p99Ms ?? NaN, maxMs: found.maxMs ?? NaN }] : [];
  });
}

async function responseCacheCounts(url: string): Promise<{ hits: number; misses: number }> {
  const stats = await getJson<Stats>(`${url}/api/v1/stats`);
  const responses = stats.caches.find((cache) => cache.name === 'responses');
  return { hits: responses?.hits ?? 0, misses: responses?.misses ?? 0 };
}

/** Waits until the background per-variable layouts the warm-up started are on disk. */
async function waitForLayouts(cacheDir: string, expected: number, timeoutMs = 60_000): Promise<number> {
  const columns = path.join(cacheDir, 'columns');
  const count = () => (existsSync(columns) ? readdirSync(columns).filter((f) => f.endsWith('.cols')).length : 0);
  const deadline = Date.now() + timeoutMs;
  while (count() < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return count();
}

interface PlannedRequest {
  kind: RouteKind;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

function searchTermFor(rng: Rng, name: string): string {
  const parts = name.split('.');
  const u = rng();
  if (u < 0.15) {
    return '';
  }
  if (u < 0.5) {
    return parts[0];
  }
  if (u < 0.8) {
    return parts[parts.length - 1];
  }
  return parts.slice(0, 2).join('.');
}

function planQuery(rng: Rng, simulation: KnownSimulation, maxVariables: number): QueryRequest {
  const count = intBetween(rng, 1, maxVariables);
  const variables = new Set<string>();
  while (variables.size < Math.min(count, simulation.trajectories.length)) {
    variables.add(pick(rng, simulation.trajectories));
  }
  const request: QueryRequest = {
    simulations: [simulation.id],
    variables: [...variables],
    maxDataPoints: intBetween(rng, 1000, 2000),
  };
  if (rng() < 0.7) {
    // A dashboard time range inside the run: a zoomed-in window or most of it.
    const span = simulation.stopTime - simulation.startTime;
    const from = simulation.startTime + rng() * span * 0.8;
    request.from = from;
    request.to = Math.min(simulation.stopTime, from + span * (0.02 + rng() * 0.98));
  }
  return request;
}

function planRequests(simulations: KnownSimulation[], seed: number, planSize: number, big?: KnownSimulation): PlannedRequest[] {
  const rng = mulberry32(seed ^ 0x5eed);
  const listTerms = ['', '', ...new Set(simulations.flatMap((s) => s.path.replace(/\.mat$/, '').split(/[/_]/)))];
  const plan: PlannedRequest[] = [];
  for (let k = 0; k < planSize; k++) {
    const u = rng();
    const simulation = pick(rng, simulations);
    if (u < MIX.list) {
      const search = pick(rng, listTerms);
      const limit = pick(rng, [20, 50, 100]);
      const offset = pick(rng, [0, 0, 0, limit]);
      const query = new URLSearchParams({ ...(search ? { search } : {}), limit: String(limit), offset: String(offset) });
      plan.push({ kind: 'list', method: 'GET', path: `/api/v1/simulations?${query}` });
    } else if (u < MIX.list + MIX.variables) {
      const search = searchTermFor(rng, pick(rng, simulation.trajectories));
      const query = new URLSearchParams({ ...(search ? { search } : {}), limit: '100' });
      plan.push({ kind: 'variables', method: 'GET', path: `/api/v1/simulations/${simulation.id}/variables?${query}` });
    } else if (big && rng() < BIG_QUERY_SHARE) {
      plan.push({ kind: 'bigQuery', method: 'POST', path: '/api/v1/query', body: JSON.stringify(planQuery(rng, big, 20)) });
    } else {
      plan.push({ kind: 'query', method: 'POST', path: '/api/v1/query', body: JSON.stringify(planQuery(rng, simulation, 4)) });
    }
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// The run

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function routeStats(samples: number[]): RouteStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

interface RequestContext {
  kind?: RouteKind;
  sentAt?: number;
  planned?: number;
}

interface ProxySideTiming {
  name: string;
  p99Ms: number;
  maxMs: number;
}

/** One slow request: its latency and what it asked, in words. */
interface SlowRequest {
  ms: number;
  what: string;
}

function describeRequest(planned: PlannedRequest, simulations: ReadonlyMap<string, KnownSimulation>): string {
  if (!planned.body) {
    return `${planned.kind} ${decodeURIComponent(planned.path)}`;
  }
  const query = JSON.parse(planned.body) as QueryRequest;
  const run = simulations.get(query.simulations[0]);
  const span = run ? run.stopTime - run.startTime : NaN;
  const range = query.from === undefined || query.to === undefined ? 'whole run' : `${(((query.to - query.from) / span) * 100).toFixed(0)} % of the run`;
  return `${planned.kind} ${run?.path ?? query.simulations[0]}: ${query.variables.length} variables, ${range}, maxDataPoints ${query.maxDataPoints}`;
}

export async function runLoadBench(options: LoadBenchOptions): Promise<LoadBenchResult> {
  const durationSeconds = options.durationSeconds ?? DEFAULT_DURATION_S;
  const seed = options.seed ?? 1;
  const connections = options.connections ?? CONNECTIONS;
  const loadDir = path.join(options.dir, 'load');
  const cacheDir = path.join(loadDir, 'cache');
  mkdirSync(loadDir, { recursive: true });

  const { resultsDir, manifest, generatedMs } = await ensureSimulations(loadDir, seed);
  const dataBytes = manifest.simulations.reduce((sum, s) => sum + s.sizeBytes, 0);
  console.log(
    generatedMs === undefined
      ? `load: reusing ${SIMULATIONS} simulations in ${path.relative(REPO, resultsDir)} (${(dataBytes / 1e6).toFixed(0)} MB)`
      : `load: generated ${SIMULATIONS} simulations in ${path.relative(REPO, resultsDir)} (${(dataBytes / 1e6).toFixed(0)} MB) in ${(generatedMs / 1000).toFixed(1)} s`
  );

  const bigDir = options.bigFile ? linkBigFile(options.bigFile, loadDir) : undefined;
  const workers = options.workers ?? 1;
  const proxy = await startChildProxy(resultsDir, cacheDir, workers, bigDir);
  const samples: number[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    const ready = rssMb(proxy.pid) ?? NaN;
    const warmStarted = performance.now();
    const simulations = await warmUp(proxy.url);
    const big = bigDir ? await warmUpBig(proxy.url) : undefined;
    // The big file is a binTrans result far above the layout threshold: it gets one too.
    const expectedLayouts = manifest.simulations.filter((s) => s.layout === 'binTrans' && data2Bytes(s) >= DEFAULT_COLUMN_STORE_MIN_BYTES).length + (big ? 1 : 0);
    const layouts = await waitForLayouts(cacheDir, expectedLayouts, big ? 180_000 : 60_000);
    console.log(
      `load: proxy pid ${proxy.pid} at ${proxy.url}, warmed in ${((performance.now() - warmStarted) / 1000).toFixed(1)} s ` +
        `(${layouts}/${expectedLayouts} per-variable layouts); ${connections} connections for ${durationSeconds} s`
    );

    const plan = planRequests(simulations, seed, options.planSize ?? PLAN_SIZE, big);
    const cacheBefore = await responseCacheCounts(proxy.url);
    let next = 0;
    const latencies: Record<RouteKind, number[]> = { list: [], variables: [], query: [], bigQuery: [] };
    const warmupMs = 1000 * Math.min(WARMUP_SECONDS, durationSeconds / 4);
    const afterWarmup: number[] = [];
    let seriesErrors = 0;
    // Requests over 50 ms are few enough to keep; the slowest of them are reported on request.
    const slowBound = SLOW_REQUEST_MS;
    const slow: Array<{ ms: number; planned: number }> = [];
    const headers = { authorization: `Bearer ${API_KEY}` };
    const answers = options.answers ?? 'binary';
    const queryHeaders = { ...headers, 'content-type': 'application/json', ...(answers === 'binary' ? { accept: SERIES_MEDIA_TYPE } : {}) };

    const start = rssMb(proxy.pid) ?? NaN;
    samples.push(start);
    const proxyCpuBefore = cpuSeconds(proxy.pid);
    const ownCpuBefore = process.cpuUsage();
    const runStarted = performance.now();
    sampler = setInterval(() => {
      const value = rssMb(proxy.pid);
      if (value !== undefined) {
        samples.push(value);
      }
    }, RSS_INTERVAL_MS);

    const result = await autocannon({
      url: proxy.url,
      connections,
      duration: durationSeconds,
      requests: [
        {
          setupRequest: (request, context) => {
            const index = next++ % plan.length;
            const planned = plan[index];
            Object.assign(context, { kind: planned.kind, sentAt: performance.now(), planned: index } satisfies RequestContext);
            return {
              ...request,
              method: planned.method,
              path: planned.path,
              headers: planned.body ? queryHeaders : headers,
              body: planned.body,
            };
          },
          onResponse: (status, body, context) => {
            const { kind, sentAt, planned } = context as RequestContext;
            if (kind && sentAt !== undefined) {
              const ms = performance.now() - sentAt;
              latencies[kind].push(ms);
              if (sentAt - runStarted >= warmupMs) {
                afterWarmup.push(ms);
              }
              if (planned !== undefined && ms > slowBound) {
                slow.push({ ms, planned });
              }
            }
            // Cheaper than parsing: only a query's error entry has an "error" object in a 200 answer.
            if (status === 200 && body.includes('"error":{')) {
              seriesErrors++;
            }
          },
        },
      ],
    });
    clearInterval(sampler);
    sampler = undefined;
    const cacheAfter = await responseCacheCounts(proxy.url);
    const proxySide = await proxySideTimings(proxy.url);
    const end = rssMb(proxy.pid) ?? NaN;
    samples.push(end);
    const wallSeconds = (performance.now() - runStarted) / 1000;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const cpuCores = {
      proxy: (cpuSeconds(proxy.pid) - proxyCpuBefore) / wallSeconds,
      loadGenerator: (ownCpu.user + ownCpu.system) / 1e6 / wallSeconds,
    };

    const latencyMs = {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    };
    const clean = result.errors === 0 && result.non2xx === 0 && seriesErrors === 0;
    const warm = [...afterWarmup].sort((a, b) => a - b);
    const afterWarmupMs = { seconds: warmupMs / 1000, requests: warm.length, p50: percentile(warm, 50), p99: percentile(warm, 99), max: warm[warm.length - 1] ?? NaN };
    const pass = clean && afterWarmupMs.p99 <= TARGET_P99_MS;
    // A leak shows as growth once the load runs steadily, not as the climb to its working set.
    const steady = samples[Math.floor(samples.length / 4)];
    const soakPass = clean && end <= steady * (1 + TARGET_RSS_GROWTH);
    return {
      simulations: SIMULATIONS,
      dataBytes,
      workers,
      answers,
      proxySide,
      slowest: slowestOf(slow, options.slowest ?? 0, plan, [...simulations, ...(big ? [big] : [])]),
      big: options.bigFile ? { path: options.bigFile, sizeBytes: statSync(options.bigFile).size } : undefined,
      connections,
      durationSeconds: result.duration,
      seed,
      requests: result.requests.total,
      requestsPerSecond: result.requests.total / result.duration,
      latencyMs,
      afterWarmupMs,
      byRoute: {
        list: routeStats(latencies.list),
        variables: routeStats(latencies.variables),
        query: routeStats(latencies.query),
        bigQuery: routeStats(latencies.bigQuery),
      },
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      seriesErrors,
      responseCache: { hits: cacheAfter.hits - cacheBefore.hits, misses: cacheAfter.misses - cacheBefore.misses },
      rssMb: { ready, start, steady: samples[Math.floor(samples.length / 4)], peak: Math.max(...samples), end, samples: samples.length },
      cpuCores,
      verdict: pass ? 'PASS' : 'FAIL',
      soakVerdict: big ? (soakPass ? 'PASS' : 'FAIL') : undefined,
    };
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nproxy stderr:\n${proxy.stderr()}`);
  } finally {
    if (sampler) {
      clearInterval(sampler);
    }
    await stopChildProxy(proxy);
  }
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;

function slowestOf(slow: Array<{ ms: number; planned: number }>, count: number, plan: PlannedRequest[], simulations: KnownSimulation[]): SlowRequest[] {
  const byId = new Map(simulations.map((s) => [s.id, s]));
  return [...slow]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map(({ ms, planned }) => ({ ms, what: describeRequest(plan[planned], byId) }));
}

export function formatLoadResult(r: LoadBenchResult): string {
  const route = (name: RouteKind) => {
    const s = r.byRoute[name];
    return `${name} ${s.count} (p50 ${ms(s.p50)}, p99 ${ms(s.p99)})`;
  };
  const growth = r.rssMb.end - r.rssMb.start;
  return [
    `load: ${r.simulations} simulations (${(r.dataBytes / 1e6).toFixed(0)} MB), ${r.connections} connections, ${r.durationSeconds.toFixed(0)} s, seed ${r.seed}, ${r.workers} proxy worker(s), ${r.answers} answers`,
    `  throughput   ${r.requestsPerSecond.toFixed(1)} req/s (${r.requests} requests)`,
    `  latency      p50 ${ms(r.latencyMs.p50)} | p90 ${ms(r.latencyMs.p90)} | p99 ${ms(r.latencyMs.p99)} | max ${ms(r.latencyMs.max)} | mean ${ms(r.latencyMs.mean)} (whole run)`,
    `  after ${r.afterWarmupMs.seconds} s    p50 ${ms(r.afterWarmupMs.p50)} | p99 ${ms(r.afterWarmupMs.p99)} | max ${ms(r.afterWarmupMs.max)} (${r.afterWarmupMs.requests} requests sent once code and caches are warm)`,
    `  by route     ${route('list')} | ${route('variables')} | ${route('query')}${r.big ? ` | ${route('bigQuery')} on the big file` : ''}`,
    `  proxy side   ${r.proxySide.map((t) => `${t.name} p99 ${ms(t.p99Ms)}, max ${ms(t.maxMs)}`).join(' | ')}`,
    `  responses    ${r.responseCache.hits} of ${r.responseCache.hits + r.responseCache.misses} queries answered from the response cache`,
    `  failures     ${r.errors} errors (${r.timeouts} timeouts), ${r.non2xx} non-2xx, ${r.seriesErrors} answers with error entries`,
    `  proxy RSS    ready ${r.rssMb.ready.toFixed(0)} MB | load start ${r.rssMb.start.toFixed(0)} MB | peak ${r.rssMb.peak.toFixed(0)} MB | end ${r.rssMb.end.toFixed(0)} MB` +
      ` (${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB over the run, ${r.rssMb.samples} samples every ${RSS_INTERVAL_MS} ms)`,
    `  CPU          proxy ${r.cpuCores.proxy.toFixed(2)} cores, load generator (autocannon, this process) ${r.cpuCores.loadGenerator.toFixed(2)} cores`,
    // The p99 target is the load bench's: a soak adds queries of the 1 GB file and has its own targets.
    r.big
      ? soakLine(r)
      : `load verdict: ${r.verdict} (targets: 0 errors and non-2xx -> ${r.errors + r.non2xx + r.seriesErrors}; p99 after the first ${r.afterWarmupMs.seconds} s <= ${TARGET_P99_MS} ms -> ${ms(r.afterWarmupMs.p99)}; whole run ${ms(r.latencyMs.p99)})`,
    ...r.slowest.map((slow, k) => `  slowest ${String(k + 1).padStart(2)}   ${ms(slow.ms)}: ${slow.what}`),
  ].join('\n');
}

function soakLine(r: LoadBenchResult): string {
  const growth = (r.rssMb.end - r.rssMb.steady) / r.rssMb.steady;
  return (
    `soak verdict: ${r.soakVerdict} (with ${path.basename(r.big!.path)}, ${(r.big!.sizeBytes / 1e9).toFixed(2)} GB: ` +
    `0 errors and non-2xx -> ${r.errors + r.non2xx + r.seriesErrors}; RSS growth from the first quarter's end (${r.rssMb.steady.toFixed(0)} MB) ` +
    `to the end < ${TARGET_RSS_GROWTH * 100} % -> ${(growth * 100).toFixed(1)} %)`
  );
}

/** Validates `--duration` (seconds, a positive integer). */
export function parseDuration(value: string | undefined): number {
  if (value === undefined) {
    return DEFAULT_DURATION_S;
  }
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 1) {
    throw new Error(`--duration: "${value}" is not a whole number of seconds`);
  }
  return seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: path.join(REPO, '.bench') },
      duration: { type: 'string' },
      seed: { type: 'string', default: '1' },
      connections: { type: 'string', default: String(CONNECTIONS) },
      big: { type: 'string' },
      workers: { type: 'string', default: '1' },
      'plan-size': { type: 'string', default: String(PLAN_SIZE) },
      'json-answers': { type: 'boolean' },
      slowest: { type: 'string', default: '0' },
    },
  });
  const result = await runLoadBench({
    dir: path.resolve(values.dir),
    durationSeconds: parseDuration(values.duration),
    seed: Number(values.seed),
    connections: Number(values.connections),
    bigFile: values.big === undefined ? undefined : path.resolve(values.big),
    workers: Number(values.workers),
    planSize: Number(values['plan-size']),
    answers: values['json-answers'] ? 'json' : 'binary',
    slowest: Number(values.slowest),
  });
  console.log(formatLoadResult(result));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
