#!/usr/bin/env node
import { runExamplesCommand } from './command';

runExamplesCommand(process.argv.slice(2), process.cwd(), {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    // exitCode rather than exit(): lets stdout drain when piped.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`examples: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
);
