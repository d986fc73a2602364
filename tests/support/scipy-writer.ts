import { spawnSync } from 'node:child_process';

import { scipyPython } from './python';

/** A MAT v5 file for scipy.io.savemat to write: `variables` is a Python expression for the dict. */
export interface ScipyMatFile {
  path: string;
  variables: string;
  compress: boolean;
}

// `np`, `sparse` and `MatlabObject` are in scope for the expressions.
const WRITER = `
import json, sys
import numpy as np
import scipy.io
import scipy.sparse as sparse
from scipy.io.matlab import MatlabObject
for spec in json.loads(sys.argv[1]):
    variables = eval(spec['variables'], {'np': np, 'sparse': sparse, 'MatlabObject': MatlabObject})
    scipy.io.savemat(spec['path'], variables, do_compression=spec['compress'])
`;

/**
 * Test helper: writes MAT v5 files with python3 + scipy (one process for all of them). Missing
 * python3 or scipy fails the calling test: CI installs python3-scipy, so it is not a reason to skip.
 */
export function writeMatFilesWithScipy(files: readonly ScipyMatFile[]): void {
  const result = spawnSync(scipyPython(), ['-c', WRITER, JSON.stringify(files)], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) {
    throw new Error(`python3 is needed to write MAT v5 test files (install python3-scipy): ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(
      `python3 with scipy could not write the MAT v5 test files (install python3-scipy):\n${result.stderr}`
    );
  }
}
