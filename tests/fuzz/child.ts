/**
 * The fuzz child process: decodes cases one after another and reports each outcome to the parent,
 * which kills it when a case outlives the time bound. Decoding runs on this process's only
 * thread, so a decoder stuck in a loop can only be stopped from outside.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

import { installAllocationTracer } from './alloc-trace';
import { CaseGenerator } from './cases';
import { loadCorpus } from './corpus';
import { checkCase, classifyError, type DecodeFn, type Outcome } from './oracle';
import {
  caseDisplayName,
  type ChildMessage,
  type ChildSettings,
  type DecoderRef,
  type ParentMessage,
} from './protocol';
import { originalError } from './unwrapped';

interface ChildState {
  settings: ChildSettings;
  decode: DecodeFn;
  cases: CaseGenerator;
  casePath: string;
}

let state: ChildState | undefined;
/** Rejections nobody handled and exceptions thrown from callbacks, while the current case runs. */
const strayErrors: unknown[] = [];

/** Waits until the message is written: a case that hangs next must not swallow this case's result. */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('the fuzz child must be started with an IPC channel'));
      return;
    }
    process.send(message, undefined, {}, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

async function loadDecoder(ref: DecoderRef): Promise<DecodeFn> {
  const module = (await import(pathToFileURL(ref.module).href)) as Record<string, unknown>;
  const decode = module[ref.exportName];
  if (typeof decode !== 'function') {
    throw new Error(`${ref.module} has no function export "${ref.exportName}"`);
  }
  return decode as DecodeFn;
}

async function init(settings: ChildSettings): Promise<void> {
  const corpus = loadCorpus(settings.seeds);
  state = {
    settings,
    decode: await loadDecoder(settings.decoder),
    cases: new CaseGenerator(corpus, settings.rootSeed),
    casePath: path.join(settings.workDir, `case-${process.pid}`),
  };
  if (settings.inspect) {
    inspector.open(0, '127.0.0.1', false);
  }
  await send({ type: 'ready', inspectorUrl: inspector.url() });
}

/** Adds what the oracle cannot see from the return value: stray async errors, the hidden original stack. */
async function finish(outcome: Outcome, file: string, displayName: string): Promise<Outcome> {
  await new Promise((resolve) => setImmediate(resolve));
  if (strayErrors.length > 0) {
    const stray = classifyError(strayErrors[0], 'async', displayName);
    const message = stray.kind === 'finding' ? stray.message : `unhandled DecodeError (${JSON.stringify(stray)})`;
    return {
      kind: 'finding',
      finding: 'exception',
      stage: 'async',
      message: `unhandled: ${message}`,
      stack: stray.kind === 'finding' ? stray.stack : undefined,
    };
  }
  if (outcome.kind === 'finding' && outcome.finding === 'wrapped-exception') {
    const original = await originalError(file, displayName);
    return original instanceof Error ? { ...outcome, stack: original.stack } : outcome;
  }
  return outcome;
}

async function decodeFile(
  current: ChildState,
  file: string,
  displayName: string,
  sizeBytes: number
): Promise<{ outcome: Outcome; ms: number }> {
  strayErrors.length = 0;
  const started = performance.now();
  const outcome = await checkCase(current.decode, { path: file, displayName, sizeBytes }, current.settings.limits);
  const ms = performance.now() - started;
  return { outcome: await finish(outcome, file, displayName), ms };
}

async function runBatch(current: ChildState, from: number, to: number): Promise<void> {
  for (let index = from; index < to; index++) {
    const fuzzCase = current.cases.make(index);
    const file = current.casePath + fuzzCase.ext;
    writeFileSync(file, fuzzCase.bytes);
    const { outcome, ms } = await decodeFile(
      current,
      file,
      caseDisplayName(index, fuzzCase.seedName),
      fuzzCase.bytes.length
    );
    await send({ type: 'result', index, outcome, ms });
  }
  await send({ type: 'batch-done' });
}

async function handle(message: ParentMessage): Promise<void> {
  if (message.type === 'init') {
    return init(message.settings);
  }
  if (!state) {
    throw new Error('fuzz child used before init');
  }
  if (message.type === 'run') {
    return runBatch(state, message.from, message.to);
  }
  const { outcome, ms } = await decodeFile(state, message.path, message.displayName, statSync(message.path).size);
  await send({ type: 'replayed', outcome, ms });
}

installAllocationTracer();
process.on('unhandledRejection', (reason) => strayErrors.push(reason));
process.on('uncaughtException', (error) => strayErrors.push(error));
process.on('disconnect', () => {
  // The parent may be gone for good (killed): leave no case files behind in its work folder.
  if (state) {
    for (const ext of new Set(state.cases.extensions)) {
      rmSync(state.casePath + ext, { force: true });
    }
  }
  process.exit(0);
});
process.on('message', (message: ParentMessage) => {
  handle(message).catch(async (error: unknown) => {
    await send({ type: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(2);
  });
});
