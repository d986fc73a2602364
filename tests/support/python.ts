/**
 * Finds the Python 3 that the cross-checks and fixture writers run: the reference readers and
 * writers (scipy, h5py, hdf5storage) are independent of SimViz, which is the point of using them.
 * A missing one fails the caller with the Debian packages to install; it is never a reason to skip.
 */
import { spawnSync } from 'node:child_process';

const found = new Map<string, string>();

function candidates(): string[] {
  return [process.env.SIMVIZ_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
}

/** The first candidate Python that imports every module; throws naming the packages otherwise. */
export function pythonWith(modules: readonly string[], debianPackages: string): string {
  const key = modules.join(',');
  const cached = found.get(key);
  if (cached) {
    return cached;
  }
  const python = candidates().find(
    (candidate) => spawnSync(candidate, ['-c', `import ${key}`], { encoding: 'utf8' }).status === 0
  );
  if (!python) {
    throw new Error(
      `Python 3 with ${modules.join(', ')} is needed here: apt-get install -y ${debianPackages}, ` +
        `or set SIMVIZ_PYTHON to a python that has them (tried ${candidates().join(', ')}).`
    );
  }
  found.set(key, python);
  return python;
}

export const scipyPython = (): string => pythonWith(['numpy', 'scipy.io'], 'python3-scipy');
