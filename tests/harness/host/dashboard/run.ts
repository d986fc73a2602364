/**
 * A dashboard's panels and annotations run as Grafana runs them: each panel's targets in one
 * request through its datasource (with the repeated value in scopedVars), then the panel's
 * transformations with Grafana's own transformers from @grafana/data.
 */
import {
  FieldType,
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
  type DataFrame,
  type DataQueryResponse,
  type DataSourceRef,
  type DataTransformerInfo,
  type TransformerRegistryItem,
} from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { runPanelQuery } from '../runQuery';
import type { HarnessTemplateSrv } from '../services';
import type { DatasourceLoader } from './datasources';
import type { DashboardAnnotation, PanelInstance } from './model';

export interface RunContext {
  templateSrv: HarnessTemplateSrv;
  datasources: DatasourceLoader;
  range: { from: number; to: number };
}

export interface PanelResult {
  frames: DataFrame[];
  errors: string[];
}

export interface Marker {
  time: number;
  text: string;
}

/** Grafana core fills this registry at start-up; the harness registers the standard transformers once. */
function registerTransformers(): void {
  for (const transformation of Object.values(standardTransformers) as DataTransformerInfo[]) {
    if (!standardTransformersRegistry.getIfExists(transformation.id)) {
      const item = { id: transformation.id, name: transformation.name, transformation, editor: () => null, imageDark: '', imageLight: '' };
      standardTransformersRegistry.register(item as unknown as TransformerRegistryItem);
    }
  }
}

function errorsOf(response: DataQueryResponse): string[] {
  return (response.errors ?? (response.error ? [response.error] : [])).map((e) => e.message ?? 'unknown error');
}

async function datasourceFor(ref: DataSourceRef | undefined, instance: PanelInstance, context: RunContext) {
  return context.datasources.get(context.templateSrv.replace(ref?.uid ?? '', instance.scopedVars));
}

export async function runPanel(instance: PanelInstance, context: RunContext): Promise<PanelResult> {
  const { panel, scopedVars } = instance;
  try {
    const datasource = await datasourceFor(panel.datasource ?? panel.targets?.[0]?.datasource ?? undefined, instance, context);
    // Grafana asks for about one point per pixel of the panel's width.
    const maxDataPoints = panel.maxDataPoints ?? Math.round((1600 * instance.width) / 24);
    const response = await runPanelQuery(datasource, panel.targets ?? [], context.range, maxDataPoints, scopedVars);
    registerTransformers();
    const frames = await lastValueFrom(transformDataFrame(panel.transformations ?? [], response.data as DataFrame[]));
    return { frames, errors: errorsOf(response) };
  } catch (error) {
    return { frames: [], errors: [error instanceof Error ? error.message : String(error)] };
  }
}

/** Grafana's reading of annotation frames: the first time field and the `text` field of each row. */
export function markersOf(frames: DataFrame[]): Marker[] {
  return frames.flatMap((frame) => {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    const text = frame.fields.find((f) => f.name === 'text');
    return time ? time.values.map((t, i) => ({ time: Number(t), text: String(text?.values[i] ?? '') })) : [];
  });
}

/** An annotation query runs like a panel of one target over the dashboard's range. */
export async function runAnnotation(annotation: DashboardAnnotation, context: RunContext): Promise<{ markers: Marker[]; errors: string[] }> {
  const panel = { id: 0, type: 'annotations', title: annotation.name, gridPos: { h: 0, w: 24, x: 0, y: 0 }, datasource: annotation.datasource, targets: annotation.target ? [annotation.target] : [] };
  const result = await runPanel({ key: annotation.name, panel, scopedVars: {}, width: 24 }, context);
  return { markers: markersOf(result.frames), errors: result.errors };
}
