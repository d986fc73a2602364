/**
 * `npm run package`: zips the build in dist/ as `<plugin id>-<version>.zip` at the repository root, in the
 * layout Grafana's catalog and plugin validator expect (one folder named after the plugin id holding the
 * content of dist/; files executable there, the backend executables, are zipped 0755, the rest 0644). It does
 * not build: run `npm run build` first. Check the zip with `npm run validate`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { builtPlugin, PackageError, packageDist } from './validate/archive';

const REPO = path.resolve(__dirname, '..');
const DIST = path.join(REPO, 'dist');

function main(): number {
  try {
    const packageVersion = String(
      (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version?: unknown }).version
    );
    const built = builtPlugin(DIST);
    if (built.version !== packageVersion) {
      throw new PackageError(
        `dist/ was built for version ${built.version} but package.json says ${packageVersion}: run \`npm run build\` again`
      );
    }
    const result = packageDist(DIST, REPO);
    console.log(
      `Wrote ${path.relative(process.cwd(), result.file)}: ${result.files} files in ${result.id}/, ${(result.bytes / 1024).toFixed(0)} KB`
    );
    for (const executable of result.executables) {
      console.log(`  ${result.id}/${executable}: 0755 (executable in dist/)`);
    }
    return 0;
  } catch (e) {
    if (e instanceof PackageError) {
      console.error(`npm run package: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

process.exit(main());
