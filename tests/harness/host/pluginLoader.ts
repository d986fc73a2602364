import type { AppPlugin, DataSourceApi, DataSourceInstanceSettings, DataSourcePlugin, KeyValue } from '@grafana/data';

import { SystemJS } from './systemjs';

/** Grafana imports plugin modules by their public path, relative to the page's <base href="/">. */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const module = await SystemJS.import(path);
  if (!module.plugin) {
    throw new Error(`${path} has no "plugin" export`);
  }
  return module;
}

export type AnyDataSourcePlugin = DataSourcePlugin<DataSourceApi>;

export async function importDataSourcePlugin(settings: DataSourceInstanceSettings): Promise<AnyDataSourcePlugin> {
  const module = await importModule(settings.meta.module);
  const plugin = module.plugin as AnyDataSourcePlugin;
  plugin.meta = settings.meta;
  return plugin;
}

export interface AppMeta {
  id: string;
  module: string;
  baseUrl: string;
  jsonData: KeyValue;
  enabled: boolean;
}

export async function importAppPlugin(meta: AppMeta): Promise<AppPlugin> {
  const module = await importModule(meta.module);
  const plugin = module.plugin as AppPlugin;
  plugin.init(meta as never);
  plugin.meta = meta as never;
  return plugin;
}
