import type { SeedFile } from './corpus';
import type { OracleLimits, Outcome } from './oracle';

/** Which export of which module to fuzz; a module path because it must be loaded in another process. */
export interface DecoderRef {
  module: string;
  exportName: string;
}

export interface ChildSettings {
  rootSeed: string;
  seeds: SeedFile[];
  decoder: DecoderRef;
  /** Where the child writes each case before decoding it. */
  workDir: string;
  limits: OracleLimits;
  /** Opens the child's inspector on a random local port, so a hang can be paused for its stack. */
  inspect?: boolean;
}

export type ParentMessage =
  | { type: 'init'; settings: ChildSettings }
  | { type: 'run'; from: number; to: number }
  | { type: 'replay'; path: string; displayName: string };

export type ChildMessage =
  | { type: 'ready'; inspectorUrl?: string }
  | { type: 'result'; index: number; outcome: Outcome; ms: number }
  | { type: 'batch-done' }
  | { type: 'replayed'; outcome: Outcome; ms: number }
  | { type: 'fatal'; message: string };

/** The name the decoder must put at the start of its error messages for case `index`. */
export function caseDisplayName(index: number, seedName: string): string {
  return `fuzz/${index}/${seedName}`;
}
