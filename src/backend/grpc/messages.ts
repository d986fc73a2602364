/**
 * The decoded pluginv2 messages the backend reads and writes (as proto-loader gives them: keepCase,
 * int64 as number, enums as names, bytes as Buffer). Only the fields SimViz uses.
 */
export interface DataSourceInstanceSettingsMessage {
  id: number;
  name: string;
  url: string;
  uid: string;
  jsonData: Buffer;
  decryptedSecureJsonData: Record<string, string>;
  lastUpdatedMS: number;
}

export interface PluginContextMessage {
  orgId: number;
  pluginId: string;
  user: { login: string; role: string } | null;
  dataSourceInstanceSettings: DataSourceInstanceSettingsMessage | null;
  grafanaConfig: Record<string, string>;
}

export interface DataQueryMessage {
  refId: string;
  maxDataPoints: number;
  intervalMS: number;
  timeRange: { fromEpochMS: number; toEpochMS: number } | null;
  json: Buffer;
  queryType: string;
}

export interface QueryDataRequestMessage {
  pluginContext: PluginContextMessage | null;
  headers: Record<string, string>;
  queries: DataQueryMessage[];
}

export interface DataResponseMessage {
  frames: Uint8Array[];
  error?: string;
  status?: number;
  errorSource?: 'plugin' | 'downstream';
}

export interface QueryDataResponseMessage {
  responses: Record<string, DataResponseMessage>;
}

export interface StringList {
  values: string[];
}

export interface CallResourceRequestMessage {
  pluginContext: PluginContextMessage | null;
  path: string;
  method: string;
  url: string;
  headers: Record<string, StringList>;
  body: Buffer;
}

export interface CallResourceResponseMessage {
  code?: number;
  headers?: Record<string, StringList>;
  body: Uint8Array;
}

export interface CheckHealthRequestMessage {
  pluginContext: PluginContextMessage | null;
}

export interface CheckHealthResponseMessage {
  status: 'UNKNOWN' | 'OK' | 'ERROR';
  message: string;
  jsonDetails: Uint8Array;
}

export interface StreamRequestMessage {
  pluginContext: PluginContextMessage | null;
  path: string;
  data: Buffer;
}
