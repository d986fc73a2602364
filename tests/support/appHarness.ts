/**
 * Test support for the app pages under jsdom: Grafana's services as the pages call them, backed by
 * the harness server (Grafana stand-in + real SimViz proxy). backendSrv goes over real HTTP,
 * DataSourceSrv builds the SimViz datasource on the same route, and PanelRenderer is the
 * harness's, which renders the frames a page hands to a panel as plain HTML.
 */
import type { ComponentType } from 'react';
import type { DataSourceApi, DataSourceInstanceSettings, DataSourcePluginMeta, DataSourceRef } from '@grafana/data';
import { setBackendSrv, setDataSourceSrv, type BackendSrv, type DataSourceSrv, type PanelRendererProps } from '@grafana/runtime';

import { HarnessPanelRenderer } from '../harness/host/panelRenderer';
import datasourcePluginJson from '../../src/datasource/plugin.json';
import { harnessDatasource, harnessInstanceSettings, httpFetcher, startHarness, type HarnessProcess } from './grafanaHarness';

/** The uids the harness server provisions (tests/harness/server.ts). */
export const HARNESS_DATASOURCE_UIDS = ['simviz', 'simviz-wrong-key', 'simviz-unreachable', 'simviz-uploads', 'simviz-uploads-read-only', 'simviz-folder'];

// Grafana core sets its panel renderer through @grafana/runtime's internal entry, which the exports map hides.
const panelRendererModule = require('../../node_modules/@grafana/runtime/dist/cjs/components/PanelRenderer.cjs') as {
  setPanelRenderer: (renderer: ComponentType<PanelRendererProps>) => void;
};

class TestDataSourceSrv implements DataSourceSrv {
  private readonly instances = new Map<string, DataSourceApi>();

  constructor(private readonly harness: HarnessProcess) {}

  private settings(): DataSourceInstanceSettings[] {
    // The meta is the plugin.json, as Grafana serves it (pickers show its logo).
    const meta = datasourcePluginJson as unknown as DataSourcePluginMeta;
    return HARNESS_DATASOURCE_UIDS.map((uid) => ({ ...harnessInstanceSettings(uid, this.harness.proxyUrl), meta }));
  }

  getList(): DataSourceInstanceSettings[] {
    return this.settings();
  }

  getInstanceSettings(ref?: DataSourceRef | string | null): DataSourceInstanceSettings | undefined {
    const uid = typeof ref === 'string' ? ref : ref?.uid;
    return this.settings().find((s) => s.uid === uid);
  }

  async get(ref?: DataSourceRef | string | null): Promise<DataSourceApi> {
    const uid = this.getInstanceSettings(ref)?.uid;
    if (!uid) {
      throw new Error(`Datasource ${JSON.stringify(ref)} was not found`);
    }
    // Grafana's registry holds datasources of every query type; a SimViz one fits after widening.
    const instance = this.instances.get(uid) ?? (harnessDatasource(this.harness, uid) as unknown as DataSourceApi);
    this.instances.set(uid, instance);
    return instance;
  }

  reload(): void {
    this.instances.clear();
  }

  registerRuntimeDataSource(): void {}
}

/** Starts the harness and installs the services; call from beforeAll, and `stop` from afterAll. */
export async function startAppHarness(): Promise<HarnessProcess> {
  const harness = await startHarness();
  setBackendSrv(httpFetcher(harness.url) as unknown as BackendSrv);
  setDataSourceSrv(new TestDataSourceSrv(harness));
  panelRendererModule.setPanelRenderer(HarnessPanelRenderer);
  return harness;
}
