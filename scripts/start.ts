/**
 * `npm start`: builds the plugin into dist/, writes the example results into data/examples if they
 * are absent, then runs the proxy on data/ and says what to do next.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { parseCommandLine, USAGE } from '../src/proxy/config/config';
import { generateExamples } from '../src/proxy/examples/generate';
import { buildProxy } from './build-proxy';
import { createLogger, startProxy } from '../src/proxy/main';

const REPO = path.resolve(__dirname, '..');
const DATA = path.join(REPO, 'data');
const EXAMPLES = path.join(DATA, 'examples');

function buildPlugin(): void {
  console.log('Building the plugin into dist/ …');
  const result = spawnSync('npx', ['webpack', '-c', './webpack.config.ts', '--env', 'production'], { cwd: REPO, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error('the plugin build failed (see above)');
  }
}

async function ensureExamples(): Promise<void> {
  if (existsSync(EXAMPLES) && readdirSync(EXAMPLES).length > 0) {
    console.log(`Example results already in ${path.relative(REPO, EXAMPLES)}/`);
    return;
  }
  const files = await generateExamples(EXAMPLES);
  console.log(`Wrote ${files.length} example results into ${path.relative(REPO, EXAMPLES)}/`);
}

async function main(): Promise<void> {
  buildPlugin();
  // docker compose runs this bundle in its proxy container.
  console.log(`Bundled the proxy into ${path.relative(REPO, await buildProxy())}`);
  await ensureExamples();
  // Same root name ("data") as the docker-compose proxy, so simulation ids match between the two.
  const action = parseCommandLine(['--data', `data=${DATA}`], process.env);
  if (action.kind !== 'run') {
    console.log(USAGE);
    return;
  }
  const proxy = await startProxy(action.config, createLogger('warn'));
  const auth = action.config.apiKeys.length > 0 ? 'API keys required (SIMVIZ_API_KEYS)' : 'no API key required (set SIMVIZ_API_KEYS to require one)';
  console.log(`
SimViz proxy running at ${proxy.url}  (${proxy.catalog.size} simulations, ${auth})
  try: curl ${proxy.url}/api/v1/health

Next, Grafana with the plugin:
  • docker compose up          Grafana on http://localhost:3000 with the plugin, datasource and dashboard provisioned
  • or copy dist/ to <grafana plugins dir>/simviz-simulation-app, allow the unsigned plugins
    simviz-simulation-app,simviz-simulation-datasource, and point the SimViz datasource at ${proxy.url}

Stop with Ctrl+C.`);
  const stop = () => proxy.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
