/** Shared by the harness server and the browser specs. */
export const HARNESS_API_KEY = 'harness-key-7f3a';
/** The key of the `simviz-uploads` datasource: it may upload, to a proxy of its own with an empty upload folder. */
export const HARNESS_WRITE_KEY = 'harness-write-key-2c9e';
export const HARNESS_PORT = Number(process.env.SIMVIZ_HARNESS_PORT ?? 18801);
export const HARNESS_URL = `http://127.0.0.1:${HARNESS_PORT}`;
