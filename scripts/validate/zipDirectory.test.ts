import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { zipSync } from 'fflate';

import { parseZip, readZip, zipEntries, zipMode } from './archive';
import {
  entryMode,
  findEndOfCentralDirectory,
  HOST_MSDOS,
  HOST_UNIX,
  modeString,
  octal,
  readCentralDirectory,
  ZipFormatError,
} from './zipDirectory';

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'simviz-zipdir-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A tool on PATH, or undefined: the cross-checks with Info-ZIP run where it is installed. */
function tool(name: string): boolean {
  return spawnSync(name, ['-v'], { stdio: 'ignore' }).error === undefined;
}

function modesOf(zip: Uint8Array): Record<string, string> {
  return Object.fromEntries(readCentralDirectory(zip).map((e) => [e.name, octal(e.mode) + ' ' + modeString(e.mode)]));
}

/** Sets the archive comment of a zip with no comment. */
function withComment(zip: Uint8Array, comment: Uint8Array): Uint8Array {
  const out = new Uint8Array(zip.byteLength + comment.byteLength);
  out.set(zip);
  out.set(comment, zip.byteLength);
  new DataView(out.buffer).setUint16(zip.byteLength - 2, comment.byteLength, true);
  return out;
}

/** The same zip with a ZIP64 end record and locator in front of an End Of Central Directory record of 0xFFFF…s. */
function toZip64(zip: Uint8Array): Uint8Array {
  const eocd = findEndOfCentralDirectory(zip);
  const old = new DataView(zip.buffer, zip.byteOffset + eocd, 22);
  const entries = old.getUint16(10, true);
  const size = old.getUint32(12, true);
  const offset = old.getUint32(16, true);
  const out = new Uint8Array(eocd + 56 + 20 + 22);
  out.set(zip.subarray(0, eocd));
  const d = new DataView(out.buffer);
  d.setUint32(eocd, 0x06064b50, true);
  d.setBigUint64(eocd + 4, BigInt(44), true);
  d.setUint16(eocd + 12, (HOST_UNIX << 8) | 45, true);
  d.setUint16(eocd + 14, 45, true);
  d.setBigUint64(eocd + 24, BigInt(entries), true);
  d.setBigUint64(eocd + 32, BigInt(entries), true);
  d.setBigUint64(eocd + 40, BigInt(size), true);
  d.setBigUint64(eocd + 48, BigInt(offset), true);
  const locator = eocd + 56;
  d.setUint32(locator, 0x07064b50, true);
  d.setBigUint64(locator + 8, BigInt(eocd), true);
  d.setUint32(locator + 16, 1, true);
  const end = locator + 20;
  d.setUint32(end, 0x06054b50, true);
  d.setUint16(end + 8, 0xffff, true);
  d.setUint16(end + 10, 0xffff, true);
  d.setUint32(end + 12, 0xffffffff, true);
  d.setUint32(end + 16, 0xffffffff, true);
  return out;
}

const sample = (): Map<string, Uint8Array> =>
  new Map([
    ['plug/plugin.json', bytes('{}')],
    ['plug/datasource/gpx_x_linux_amd64', bytes('\x7fELF')],
    ['plug/README.md', bytes('# x')],
  ]);

const sampleModes = new Map([['plug/datasource/gpx_x_linux_amd64', 0o100700]]);

describe('readCentralDirectory', () => {
  it('reads the names and Unix modes the project zip writer stores, folders first', () => {
    expect(modesOf(zipEntries(sample(), { modes: sampleModes }))).toEqual({
      'plug/': '0755 drwxr-xr-x',
      'plug/datasource/': '0755 drwxr-xr-x',
      'plug/README.md': '0644 -rw-r--r--',
      'plug/datasource/gpx_x_linux_amd64': '0755 -rwxr-xr-x',
      'plug/plugin.json': '0644 -rw-r--r--',
    });
    const [first] = readCentralDirectory(zipEntries(sample()));
    expect(first).toEqual({
      name: 'plug/',
      madeBy: (HOST_UNIX << 8) | 20,
      externalAttributes: expect.any(Number),
      mode: 0o040755,
    });
  });

  it('reads an empty zip', () => {
    expect(readCentralDirectory(zipSync({}))).toEqual([]);
  });

  it('finds the end record behind an archive comment, even one that contains the record signature', () => {
    const zip = zipEntries(sample());
    expect(Object.keys(modesOf(withComment(zip, bytes('built by SimViz'))))).toHaveLength(5);
    const fake = new Uint8Array(40);
    new DataView(fake.buffer).setUint32(4, 0x06054b50, true);
    expect(modesOf(withComment(zip, fake))).toEqual(modesOf(zip));
  });

  it('reads the counts and offset of a ZIP64 end record', () => {
    const zip = zipEntries(sample(), { modes: sampleModes });
    const zip64 = toZip64(zip);
    expect(modesOf(zip64)).toEqual(modesOf(zip));
    expect(parseZip(zip64).files.get('plug/README.md')).toEqual(bytes('# x'));
  });

  it('decodes names as fflate does: UTF-8 when flagged, else Latin-1', () => {
    const zip = zipEntries(new Map([['plug/données/é.txt', bytes('x')]]));
    const archive = parseZip(zip);
    expect(archive.names).toContain('plug/données/é.txt');
    expect([...archive.files.keys()]).toEqual(['plug/données/é.txt']);
    // Clear the UTF-8 flag of every central header: both readers fall back to Latin-1, byte for character.
    const patched = zip.slice();
    const d = new DataView(patched.buffer);
    for (let at = 0; at + 4 <= patched.byteLength; at++) {
      if (d.getUint32(at, true) === 0x02014b50) {
        d.setUint16(at + 8, d.getUint16(at + 8, true) & ~0x0800, true);
      }
    }
    const latin1 = parseZip(patched);
    expect([...latin1.files.keys()]).toEqual(['plug/donnÃ©es/Ã©.txt']);
    expect(latin1.modes.get('plug/donnÃ©es/Ã©.txt')).toBe(0o100644);
  });

  it('reads MS-DOS attributes as Go does: 0666 files, 0777 folders, no write bits when read-only', () => {
    const zip = zipSync({
      'a.txt': [bytes('a'), { os: HOST_MSDOS, attrs: 0x20 }],
      'ro.txt': [bytes('r'), { os: HOST_MSDOS, attrs: 0x21 }],
      'dir/': [new Uint8Array(0), { os: HOST_MSDOS, attrs: 0x10 }],
      'other.bin': [bytes('o'), { os: 7, attrs: 0o100755 << 16 }],
    });
    expect(modesOf(zip)).toEqual({
      'a.txt': '0666 -rw-rw-rw-',
      'ro.txt': '0444 -r--r--r--',
      'dir/': '0777 drwxrwxrwx',
      'other.bin': '0000 ----------',
    });
  });

  it('treats a name ending in / as a folder whatever its attributes', () => {
    expect(entryMode('x/', HOST_UNIX << 8, 0o100644 << 16)).toBe(0o040644);
    expect(entryMode('x', HOST_UNIX << 8, 0o100755 << 16)).toBe(0o100755);
  });

  it('rejects what is not a zip, with a reason', () => {
    expect(() => readCentralDirectory(bytes('PK'))).toThrow(/shorter than an End Of Central Directory record/);
    expect(() => readCentralDirectory(new Uint8Array(1000))).toThrow(/no End Of Central Directory record/);
  });

  it('rejects a truncated or corrupt central directory', () => {
    const zip = zipEntries(sample());
    const eocd = findEndOfCentralDirectory(zip);
    const d = new DataView(zip.buffer, zip.byteOffset);
    const offset = d.getUint32(eocd + 16, true);

    const moved = zip.slice();
    new DataView(moved.buffer).setUint32(eocd + 16, offset + 1, true);
    expect(() => readCentralDirectory(moved)).toThrow(ZipFormatError);
    expect(() => readCentralDirectory(moved)).toThrow(/no central file header at offset|runs past/);

    const tooMany = zip.slice();
    new DataView(tooMany.buffer).setUint16(eocd + 8, 9, true);
    new DataView(tooMany.buffer).setUint16(eocd + 10, 9, true);
    expect(() => readCentralDirectory(tooMany)).toThrow(/ends after 5 of its 9 entries/);

    const split = zip.slice();
    new DataView(split.buffer).setUint16(eocd + 4, 1, true);
    expect(() => readCentralDirectory(split)).toThrow(/split or spanned/);

    const past = zip.slice();
    new DataView(past.buffer).setUint32(eocd + 12, zip.byteLength, true);
    expect(() => readCentralDirectory(past)).toThrow(/runs past its end record/);

    const badLocator = toZip64(zip);
    const locator = findEndOfCentralDirectory(badLocator) - 20;
    new DataView(badLocator.buffer).setBigUint64(locator + 8, BigInt(3), true);
    expect(() => readCentralDirectory(badLocator)).toThrow(/no ZIP64 end record/);
  });

  it('makes readZip fail with a ZipFormatError, not a crash, on a broken file', () => {
    const file = path.join(tmp, 'broken.zip');
    writeFileSync(file, zipEntries(sample()).subarray(0, 60));
    expect(() => readZip(file)).toThrow(ZipFormatError);
  });
});

describe('zip modes', () => {
  it('zips a file 0755 when any execute bit is set on disk, else 0644', () => {
    expect([0o100755, 0o100700, 0o100744, 0o100001].map(zipMode)).toEqual(Array(4).fill(0o100755));
    expect([0o100644, 0o100600, 0o100666, undefined].map(zipMode)).toEqual(Array(4).fill(0o100644));
  });

  it('keeps 0755 through a zip written to disk and read back', () => {
    const file = path.join(tmp, 'round-trip.zip');
    writeFileSync(file, zipEntries(sample(), { modes: sampleModes }));
    const archive = readZip(file);
    expect(archive.modes.get('plug/datasource/gpx_x_linux_amd64')).toBe(0o100755);
    expect(archive.modes.get('plug/plugin.json')).toBe(0o100644);
    expect(archive.files.get('plug/datasource/gpx_x_linux_amd64')).toEqual(bytes('\x7fELF'));
  });

  (tool('zipinfo') ? it : it.skip)('shows as -rwxr-xr-x in zipinfo (Info-ZIP), which agrees on every mode', () => {
    const file = path.join(tmp, 'zipinfo.zip');
    const zip = zipEntries(sample(), { modes: sampleModes });
    writeFileSync(file, zip);
    const listing = execFileSync('zipinfo', [file], { encoding: 'utf8' });
    const theirs = Object.fromEntries(
      listing
        .split('\n')
        .filter((line) => /^[-d]r/.test(line))
        .map((line) => [line.split(/\s+/).pop() ?? '', line.slice(0, 10)])
    );
    const ours = Object.fromEntries(readCentralDirectory(zip).map((e) => [e.name, modeString(e.mode)]));
    expect(theirs).toEqual(ours);
    expect(theirs['plug/datasource/gpx_x_linux_amd64']).toBe('-rwxr-xr-x');
  });

  (tool('zip') ? it : it.skip)('reads the modes of a zip made by `zip -r` (Info-ZIP)', () => {
    const root = mkdtempSync(path.join(tmp, 'info-zip-'));
    mkdirSync(path.join(root, 'plug/datasource'), { recursive: true });
    writeFileSync(path.join(root, 'plug/plugin.json'), '{}');
    writeFileSync(path.join(root, 'plug/datasource/gpx_x_linux_amd64'), '\x7fELF');
    chmodSync(path.join(root, 'plug/plugin.json'), 0o644);
    chmodSync(path.join(root, 'plug/datasource/gpx_x_linux_amd64'), 0o755);
    chmodSync(path.join(root, 'plug/datasource'), 0o755);
    chmodSync(path.join(root, 'plug'), 0o755);
    execFileSync('zip', ['-qr', 'out.zip', 'plug'], { cwd: root });
    const archive = parseZip(readFileSync(path.join(root, 'out.zip')));
    expect(Object.fromEntries([...archive.modes].map(([name, mode]) => [name, octal(mode)]))).toEqual({
      'plug/': '0755',
      'plug/plugin.json': '0644',
      'plug/datasource/': '0755',
      'plug/datasource/gpx_x_linux_amd64': '0755',
    });
  });
});
