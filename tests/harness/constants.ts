/** Shared by the harness server and the browser specs. */
export const HARNESS_API_KEY = 'harness-key-7f3a';
export const HARNESS_PORT = Number(process.env.SIMVIZ_HARNESS_PORT ?? 18801);
export const HARNESS_URL = `http://127.0.0.1:${HARNESS_PORT}`;
