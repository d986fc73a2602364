import type { DataSourceApi, DataSourceInstanceSettings, DataSourceRef, ScopedVars } from '@grafana/data';
import { getBackendSrv, getTemplateSrv, type DataSourceSrv, type GetDataSourceListFilters } from '@grafana/runtime';

import { importDataSourcePlugin } from './pluginLoader';

/**
 * Grafana's DataSourceSrv for app pages: the datasource list (as Grafana has it from its boot data)
 * and instances built from the built plugin, one per uid, as Grafana caches them.
 */
export class HarnessDataSourceSrv implements DataSourceSrv {
  private settings: DataSourceInstanceSettings[] = [];
  private readonly instances = new Map<string, Promise<DataSourceApi>>();

  async load(): Promise<void> {
    this.settings = await getBackendSrv().get<DataSourceInstanceSettings[]>('/api/harness/datasources');
  }

  getList(filters: GetDataSourceListFilters = {}): DataSourceInstanceSettings[] {
    return this.settings.filter(
      (s) => (!filters.pluginId || s.type === filters.pluginId) && (!filters.type || [filters.type].flat().includes(s.type)) && (!filters.filter || filters.filter(s))
    );
  }

  /** As Grafana's: a ref may name a dashboard variable (`${datasource}`), DataSourceWithBackend asks with the panel's scopedVars. */
  getInstanceSettings(ref?: DataSourceRef | string | null, scopedVars?: ScopedVars): DataSourceInstanceSettings | undefined {
    const raw = typeof ref === 'string' ? ref : ref?.uid;
    const key = raw ? getTemplateSrv().replace(raw, scopedVars) : raw;
    return this.settings.find((s) => s.uid === key || s.name === key);
  }

  get(ref?: DataSourceRef | string | null): Promise<DataSourceApi> {
    const settings = this.getInstanceSettings(ref);
    if (!settings) {
      return Promise.reject(new Error(`Datasource ${JSON.stringify(ref)} was not found`));
    }
    let instance = this.instances.get(settings.uid);
    if (!instance) {
      instance = importDataSourcePlugin(settings).then((plugin) => new plugin.DataSourceClass(settings));
      this.instances.set(settings.uid, instance);
    }
    return instance;
  }

  reload(): void {
    this.instances.clear();
  }

  registerRuntimeDataSource(): void {
    throw new Error('runtime datasources are not supported by the harness');
  }
}
