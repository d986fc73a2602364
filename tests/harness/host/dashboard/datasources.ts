import type { DataSourceApi, DataSourceInstanceSettings } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';

import { importDataSourcePlugin } from '../pluginLoader';

/** Datasource settings from the stand-in and instances of the built plugin, one per uid, as Grafana caches them. */
export class DatasourceLoader {
  private settings?: Promise<DataSourceInstanceSettings[]>;
  private readonly instances = new Map<string, Promise<DataSourceApi>>();

  list(): Promise<DataSourceInstanceSettings[]> {
    this.settings ??= getBackendSrv().get<DataSourceInstanceSettings[]>('/api/harness/datasources');
    return this.settings;
  }

  get(uid: string): Promise<DataSourceApi> {
    let instance = this.instances.get(uid);
    if (!instance) {
      instance = this.list().then(async (list) => {
        const settings = list.find((s) => s.uid === uid);
        if (!settings) {
          throw new Error(`no datasource with uid "${uid}"`);
        }
        const plugin = await importDataSourcePlugin(settings);
        return new plugin.DataSourceClass(settings);
      });
      this.instances.set(uid, instance);
    }
    return instance;
  }
}
