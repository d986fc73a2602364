/** Where Grafana forwards a backend datasource's REST calls (CallResource); the backend serves `api/v1/...` below it. */
export function resourcesUrl(uid: string): string {
  return `/api/datasources/uid/${encodeURIComponent(uid)}/resources`;
}
