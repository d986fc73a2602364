import { config } from '@grafana/runtime';
import { Value } from '@sinclair/typebox/value';

import { API_PREFIX, ErrorBodySchema, SimulationSchema, type Simulation } from '../shared/api';
import { GRAFANA_UPSTREAM_AUTH_FAILED } from '../shared/proxyClient';
import { resourcesUrl } from '../datasource/resources';

export interface UploadFields {
  /** A folder inside the proxy's upload root, e.g. `2026/thermal`. */
  folder?: string;
  /** Comma-separated tags, stored in the run's sidecar. */
  tags?: string;
  description?: string;
}

export type UploadOutcome = { ok: true; simulation: Simulation } | { ok: false; message: string };

export interface RunningUpload {
  done: Promise<UploadOutcome>;
  abort(): void;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The reason the proxy (or Grafana in front of it) gave, in words a user can act on. */
function failureMessage(status: number, body: string): string {
  const data = parse(body);
  if (Value.Check(ErrorBodySchema, data)) {
    return data.error.message;
  }
  if (status === 0) {
    return 'the upload was interrupted: the connection to Grafana failed';
  }
  if (body.includes(GRAFANA_UPSTREAM_AUTH_FAILED) || status === 401) {
    return 'the proxy rejected the API key of the datasource';
  }
  if (status === 502 || status === 503 || status === 504) {
    return 'the SimViz proxy cannot be reached';
  }
  return `the upload failed with HTTP ${status}`;
}

function outcomeOf(xhr: XMLHttpRequest): UploadOutcome {
  const data = parse(xhr.responseText);
  if (xhr.status === 201 && Value.Check(SimulationSchema, data)) {
    return { ok: true, simulation: data };
  }
  if (xhr.status === 201) {
    return { ok: false, message: 'the upload was stored, but the answer does not look like a SimViz proxy (or its version is too old)' };
  }
  return { ok: false, message: failureMessage(xhr.status, xhr.responseText) };
}

/**
 * Sends one result file to the proxy through Grafana and the datasource's backend (CallResource,
 * which adds the key). XMLHttpRequest rather than backendSrv, because only it reports upload progress.
 */
export function uploadResultFile(
  datasourceUid: string,
  file: File,
  fields: UploadFields,
  onProgress: (loaded: number, total: number) => void
): RunningUpload {
  const xhr = new XMLHttpRequest();
  const url = `${config.appSubUrl ?? ''}${resourcesUrl(datasourceUid)}${API_PREFIX}/simulations`;
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value) {
      form.append(name, value);
    }
  }
  // Text fields first: the proxy reads them before it streams the file.
  form.append('file', file, file.name);
  const done = new Promise<UploadOutcome>((resolve) => {
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => resolve(outcomeOf(xhr));
    xhr.onerror = () => resolve({ ok: false, message: failureMessage(0, '') });
    xhr.onabort = () => resolve({ ok: false, message: 'cancelled' });
  });
  xhr.open('POST', url);
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}
