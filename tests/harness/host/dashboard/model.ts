/**
 * The parts of Grafana's dashboard model the harness's dashboard view needs: the JSON shapes,
 * panels inside rows, repeated panels (one copy per value, with scoped variables) and time ranges.
 */
import type { DataQuery, DataSourceRef, DataTransformerConfig, FieldConfig, ScopedVars } from '@grafana/data';

/** The panel options the harness reads: which fields a stat or bar gauge shows, the bar chart's x. */
export interface PanelOptions {
  reduceOptions?: { fields?: string; values?: boolean };
  xField?: string;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  options?: PanelOptions;
  fieldConfig?: { defaults?: FieldConfig };
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: DataSourceRef;
  targets?: DataQuery[];
  transformations?: DataTransformerConfig[];
  repeat?: string;
  repeatDirection?: 'h' | 'v';
  maxPerRow?: number;
  maxDataPoints?: number;
  panels?: DashboardPanel[];
}

export interface VariableOption {
  text: string;
  value: string;
}

export interface DashboardVariable {
  name: string;
  label?: string;
  type: string;
  query?: unknown;
  datasource?: DataSourceRef;
  multi?: boolean;
  includeAll?: boolean;
  sort?: number;
  current?: { text?: string | string[]; value?: string | string[] };
}

export interface DashboardAnnotation {
  name: string;
  enable?: boolean;
  datasource?: DataSourceRef;
  target?: DataQuery;
}

export interface DashboardJson {
  uid: string;
  title: string;
  time: { from: string; to: string };
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
  annotations: { list: DashboardAnnotation[] };
}

/** A panel as shown: a repeated panel becomes one per value, each with its value in scopedVars. */
export interface PanelInstance {
  key: string;
  panel: DashboardPanel;
  scopedVars: ScopedVars;
  /** Columns of Grafana's 24-column grid. */
  width: number;
}

const GRID_COLUMNS = 24;
export const ALL_VALUE = '$__all';

/** Panels in order of their position, with the panels of rows in place of the rows. */
export function flattenPanels(panels: DashboardPanel[]): DashboardPanel[] {
  const flat = panels.flatMap((panel) => (panel.type === 'row' ? (panel.panels ?? []) : [panel]));
  return [...flat].sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x);
}

/** Grafana's horizontal repeat: one copy per value, sharing the row, at most maxPerRow per row. */
export function expandRepeats(panels: DashboardPanel[], valuesOf: (name: string) => VariableOption[]): PanelInstance[] {
  return panels.flatMap((panel) => {
    if (!panel.repeat) {
      return [{ key: String(panel.id), panel, scopedVars: {}, width: panel.gridPos.w }];
    }
    const values = valuesOf(panel.repeat);
    const perRow = Math.min(values.length, panel.maxPerRow ?? 4) || 1;
    const width = panel.repeatDirection === 'v' ? panel.gridPos.w : Math.max(1, Math.floor(GRID_COLUMNS / perRow));
    return values.map((option, i) => ({
      key: `${panel.id}-${i}`,
      panel,
      scopedVars: { [panel.repeat!]: { text: option.text, value: option.value } },
      width,
    }));
  });
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A dashboard time: an ISO date, epoch milliseconds, `now` or `now-<n><s|m|h|d>`. */
export function parseTime(text: string, now = Date.now()): number {
  const relative = /^now(?:-(\d+)([smhd]))?$/.exec(text);
  if (relative) {
    return relative[1] ? now - Number(relative[1]) * UNIT_MS[relative[2]] : now;
  }
  const asNumber = Number(text);
  if (Number.isFinite(asNumber)) {
    return asNumber;
  }
  const parsed = Date.parse(text);
  if (!Number.isFinite(parsed)) {
    throw new Error(`cannot read the dashboard time "${text}"`);
  }
  return parsed;
}
