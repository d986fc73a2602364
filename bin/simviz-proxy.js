#!/usr/bin/env node
// The `simviz-proxy` command: runs the bundled proxy when it has been built
// (npm run build:proxy), otherwise the TypeScript sources through tsx.
// SIMVIZ_PROXY_FROM_SOURCE=1 forces the sources.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'build', 'proxy', 'simviz-proxy.js');
if (existsSync(bundle) && !process.env.SIMVIZ_PROXY_FROM_SOURCE) {
  require(bundle);
} else {
  // Loaded in this process (not a child), so SIGTERM and SIGHUP reach the proxy's own handlers.
  const { register } = require('tsx/cjs/api');
  register();
  require(path.join(__dirname, '..', 'src', 'proxy', 'cli.ts'));
}
