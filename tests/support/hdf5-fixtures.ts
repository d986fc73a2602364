/**
 * HDF5 fixtures for the tests, written by the reference Python writers: h5py for the SDF layout
 * (with real HDF5 dimension scales) and hdf5storage for MATLAB v7.3 files (user block,
 * MATLAB_class attributes, transposed matrices), as MATLAB itself writes them.
 */
import { spawnSync } from 'node:child_process';

import { pythonWith } from './python';

const pythonWithHdf5 = (): string => pythonWith(['h5py', 'hdf5storage', 'numpy'], 'python3-h5py python3-hdf5storage');

function runPython(script: string, args: string[]): void {
  const result = spawnSync(pythonWithHdf5(), ['-c', script, ...args], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`fixture script failed (${result.status}): ${result.stderr}`);
  }
}

const WRITE_FIXTURES = String.raw`
import os, sys
import numpy as np
import h5py, hdf5storage

out = sys.argv[1]
def at(name): return os.path.join(out, name)

# SDF: 101 points, values exactly representable so that tests compare them exactly.
i = np.arange(101)
t = i / 50.0
with h5py.File(at('sdf.h5'), 'w') as f:
    time = f.create_dataset('Time', data=t)
    time.make_scale('Time')
    time.attrs['UNIT'] = 's'
    time.attrs['COMMENT'] = 'Time'
    def traj(path, data, **attrs):
        d = f.create_dataset(path, data=data)
        d.dims[0].attach_scale(time)
        for k, v in attrs.items():
            d.attrs[k] = v
        return d
    traj('a/b/x', 3 * t - 1, UNIT=np.bytes_('K'), DISPLAY_UNIT='degC',
         COMMENT=np.frombuffer(b'Temperature of x', dtype=np.uint8))
    traj('a/y', (i * 0.5).astype(np.float32), COMMENT='Speed [m/s|km/h]')
    traj('m', (i[:, None] * 10 + np.arange(3)[None, :]).astype(np.float64), UNIT='V', COMMENT='Voltages')
    traj('n', i.astype(np.int32))
    traj('flag', (i % 3 == 0))
    p = f.create_dataset('p', data=3.5)
    p.attrs['UNIT'] = 'kg'
    p.attrs['COMMENT'] = 'Mass'
    f.create_dataset('other', data=np.arange(7.0))
    f.create_dataset('note', data='not a number')
    f.create_dataset('k', data=np.zeros((3, 101)))

with h5py.File(at('sdf-root-time.h5'), 'w') as f:
    f.create_dataset('time', data=np.arange(11) / 10.0)
    f.create_dataset('v', data=np.arange(11) * 2.0)
    f.create_dataset('g/w', data=np.arange(11) * -1.0)

with h5py.File(at('no-numeric.h5'), 'w') as f:
    f.create_dataset('text', data='hello')
    f.create_group('empty').attrs['x'] = 1

with h5py.File(at('no-axis.h5'), 'w') as f:
    f.create_dataset('a', data=np.arange(5.0))
    f.create_dataset('b', data=np.arange(5.0))

with h5py.File(at('decreasing.h5'), 'w') as f:
    time = f.create_dataset('Time', data=np.array([0.0, 1.0, 0.5, 2.0]))
    time.make_scale('Time')
    f.create_dataset('x', data=np.arange(4.0)).dims[0].attach_scale(time)

# MAT v7.3: 21 points.
j = np.arange(21)
mat = {
    'time': j / 20.0,
    'M': (j[:, None] * 10 + np.arange(3)[None, :]).astype(np.float64),
    'R': np.vstack([j * 1.0, j * -2.0]),
    's': {'a': (j * 0.25).astype(np.float32), 'b': np.float64(2.5), 'inner': {'c': (j - 10).astype(np.int16)}},
    'i': (j * 3).astype(np.int32),
    'L': j % 2 == 0,
    'big': (j * 1000000).astype(np.int64),
    'k': np.int32(7),
    'name': 'hello',
    'c': [1, 'x'],
    'z': j * (1 + 1j),
    'e': np.zeros((0,)),
    'short': np.arange(4.0),
}
hdf5storage.savemat(at('mat73.mat'), mat, format='7.3', matlab_compatible=True)

hdf5storage.savemat(at('mat73-notime.mat'), {
    'x': np.arange(10) * 1.5,
    'y': np.arange(10) * -1.0,
    'index': np.arange(10) + 100.0,
    'w': np.arange(3.0),
    'q': np.float64(4.0),
}, format='7.3', matlab_compatible=True)

hdf5storage.savemat(at('mat73-text.mat'), {'name': 'only text', 'c': ['a', 'b']}, format='7.3', matlab_compatible=True)

# Small files for corruption tests.
with h5py.File(at('small-sdf.h5'), 'w') as f:
    time = f.create_dataset('Time', data=np.arange(20) / 4.0)
    time.make_scale('Time')
    time.attrs['UNIT'] = 's'
    x = f.create_dataset('g/x', data=np.arange(20) * 2.0)
    x.dims[0].attach_scale(time)
    x.attrs['UNIT'] = 'K'
    x.attrs['COMMENT'] = 'x'
    f.create_dataset('p', data=1.5)
# A checksummed chunk: a flipped data bit fails only when the samples are read.
with h5py.File(at('checksummed.h5'), 'w') as f:
    time = f.create_dataset('Time', data=np.arange(50) / 10.0)
    time.make_scale('Time')
    x = f.create_dataset('x', data=np.full(50, 12345.678), chunks=(50,), fletcher32=True)
    x.dims[0].attach_scale(time)
hdf5storage.savemat(at('small.mat'), {
    'time': np.arange(20) / 4.0,
    'x': np.arange(20) * 2.0,
    's': {'y': np.arange(20, dtype=np.int32)},
    'k': np.float64(3.0),
}, format='7.3', matlab_compatible=True)
`;

/** Writes every fixture into `dir`. */
export function writeHdf5Fixtures(dir: string): void {
  runPython(WRITE_FIXTURES, [dir]);
}
