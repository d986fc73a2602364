/**
 * `npm run validate [-- <zip>]`: offline checks of the plugin zip `npm run package` wrote (by default
 * `<plugin id>-<package.json version>.zip` at the repository root), after the cheap analyzers of Grafana's
 * plugin validator. The official validator (`npx @grafana/plugin-validator`) downloads its binary from
 * GitHub, so it can't run offline; run it too before submitting to the catalog. See checks.ts for the list.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { readZip, ZipFormatError } from './archive';
import { failed, formatResults, validateArchive } from './checks';

const REPO = path.resolve(__dirname, '../..');

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function main(argv: string[]): number {
  const packageVersion = String(readJson(path.join(REPO, 'package.json')).version);
  const id = String(readJson(path.join(REPO, 'src/plugin.json')).id);
  const zip = path.resolve(argv[0] ?? path.join(REPO, `${id}-${packageVersion}.zip`));
  if (!existsSync(zip)) {
    console.error(
      `✗ archive: ${path.relative(process.cwd(), zip)} not found: run \`npm run build && npm run package\` first`
    );
    return 1;
  }
  console.log(
    `Validating ${path.relative(process.cwd(), zip)} (offline checks; the official validator needs a download and is not run)`
  );
  let archive;
  try {
    archive = readZip(zip);
  } catch (e) {
    if (e instanceof ZipFormatError) {
      console.error(`✗ archive: ${path.relative(process.cwd(), zip)}: ${e.message}`);
      console.log('0 checks passed, 1 failed');
      return 1;
    }
    throw e;
  }
  const results = validateArchive({ zipName: path.basename(zip), archive, packageVersion });
  for (const line of formatResults(results)) {
    console.log(line);
  }
  const failures = results.filter((r) => r.problems.some((p) => p.severity === 'error')).length;
  console.log(`${results.length - failures} checks passed, ${failures} failed`);
  return failed(results) ? 1 : 0;
}

process.exit(main(process.argv.slice(2)));
