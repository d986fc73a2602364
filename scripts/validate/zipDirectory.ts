/**
 * A reader of a zip's central directory: every entry's name and Unix mode, which fflate's unzipSync does not
 * expose. Only the directory is read (the End Of Central Directory record, its ZIP64 variant, and the
 * central file headers), never the file data.
 *
 * Layout (PKWARE's APPNOTE.TXT, sections 4.3.12 to 4.3.16; little-endian):
 *   end of central directory  0x06054b50, disk u16 @4, directory's disk u16 @6, entries here u16 @8,
 *                             entries u16 @10, directory size u32 @12, directory offset u32 @16,
 *                             comment length u16 @20, comment @22; the last 22 + 65535 bytes of the file
 *   ZIP64 locator             0x07064b50, 20 bytes right before it; record offset u64 @8
 *   ZIP64 end record          0x06064b50, entries u64 @32, directory size u64 @40, directory offset u64 @48
 *   central file header       0x02014b50, made by u16 @4 (high byte: host system), flags u16 @8 (bit 11:
 *                             UTF-8 name), name length u16 @28, extra length u16 @30, comment length u16 @32,
 *                             external attributes u32 @38 (Unix hosts: st_mode << 16), name @46
 *
 * Modes are what Go's archive/zip `FileHeader.Mode()` gives, because that is how the plugin validator
 * (pkg/archivetool) extracts, and Grafana's installer is Go too: Unix (3) and macOS (19) hosts store
 * st_mode in the high 16 bits; MS-DOS (0), NTFS (11) and VFAT (14) hosts only have DOS attributes, read as
 * 0666 files / 0777 folders, without the write bits when read-only; any other host gives no permissions.
 * A name ending in `/` is a folder whatever the attributes say. Names are decoded as fflate decodes them
 * (UTF-8 with flag bit 11, else Latin-1), so they are the keys of unzipSync's result.
 */

export class ZipFormatError extends Error {}

export interface CentralEntry {
  name: string;
  /** The "version made by" field; its high byte is the host system (3 = Unix). */
  madeBy: number;
  externalAttributes: number;
  /** Unix st_mode: file type and permission bits (0o100755, 0o040755). */
  mode: number;
}

const EOCD = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const CENTRAL_HEADER_SIZE = 46;
const MAX_COMMENT = 0xffff;

export const HOST_MSDOS = 0;
export const HOST_UNIX = 3;
export const HOST_NTFS = 11;
export const HOST_VFAT = 14;
export const HOST_MACOS = 19;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const MSDOS_READ_ONLY = 0x01;
const MSDOS_DIRECTORY = 0x10;
const UTF8_NAME = 0x0800;

/** Not fatal, as fflate's: a bad byte becomes U+FFFD in both, so the names stay the keys of unzipSync's result. */
const utf8 = new TextDecoder('utf-8');

/** ISO-8859-1, byte for code point, as fflate reads names (TextDecoder's 'latin1' is windows-1252). */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    text += String.fromCharCode(byte);
  }
  return text;
}

/** The Unix mode of an entry from its host system and external attributes, as Go's archive/zip reads it. */
export function entryMode(name: string, madeBy: number, externalAttributes: number): number {
  const host = madeBy >>> 8;
  let mode = 0;
  if (host === HOST_UNIX || host === HOST_MACOS) {
    mode = externalAttributes >>> 16;
  } else if (host === HOST_MSDOS || host === HOST_NTFS || host === HOST_VFAT) {
    mode = externalAttributes & MSDOS_DIRECTORY ? S_IFDIR | 0o777 : S_IFREG | 0o666;
    if (externalAttributes & MSDOS_READ_ONLY) {
      mode &= ~0o222;
    }
  }
  if (name.endsWith('/')) {
    mode = (mode & ~S_IFMT) | S_IFDIR;
  }
  return mode;
}

/** `-rwxr-xr-x`, `drwxr-xr-x`: the mode as `ls -l` and `zipinfo` print it. */
export function modeString(mode: number): string {
  const type = (mode & S_IFMT) === S_IFDIR ? 'd' : (mode & S_IFMT) === 0o120000 ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let permissions = '';
  for (let i = 0; i < 9; i++) {
    permissions += mode & (1 << (8 - i)) ? bits[i] : '-';
  }
  return type + permissions;
}

/** `0755` */
export function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function view(zip: Uint8Array): DataView {
  return new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
}

function u64(data: DataView, offset: number, what: string): number {
  const value = data.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ZipFormatError(`the ZIP64 ${what} (${value}) is too large`);
  }
  return Number(value);
}

/**
 * Finds the End Of Central Directory record: the last signature whose comment ends exactly at the end of the
 * file, else (a zip with trailing bytes, which Go and Info-ZIP also read) the last one whose comment fits.
 */
export function findEndOfCentralDirectory(zip: Uint8Array): number {
  const data = view(zip);
  const last = zip.byteLength - EOCD_SIZE;
  const first = Math.max(0, last - MAX_COMMENT);
  let fitting = -1;
  for (let at = last; at >= first; at--) {
    if (data.getUint32(at, true) !== EOCD) {
      continue;
    }
    const end = at + EOCD_SIZE + data.getUint16(at + 20, true);
    if (end === zip.byteLength) {
      return at;
    }
    if (end < zip.byteLength && fitting < 0) {
      fitting = at;
    }
  }
  if (fitting >= 0) {
    return fitting;
  }
  throw new ZipFormatError(
    zip.byteLength < EOCD_SIZE
      ? `not a zip: ${zip.byteLength} bytes, shorter than an End Of Central Directory record`
      : 'not a zip: no End Of Central Directory record in the last 64 KB (truncated or not a zip file)'
  );
}

interface Directory {
  entries: number;
  offset: number;
  size: number;
  /** Where the directory must end: the ZIP64 record or the End Of Central Directory record. */
  limit: number;
}

function locateDirectory(zip: Uint8Array): Directory {
  const data = view(zip);
  const eocd = findEndOfCentralDirectory(zip);
  const disk = data.getUint16(eocd + 4, true);
  const directoryDisk = data.getUint16(eocd + 6, true);
  const entriesHere = data.getUint16(eocd + 8, true);
  let entries = data.getUint16(eocd + 10, true);
  let size = data.getUint32(eocd + 12, true);
  let offset = data.getUint32(eocd + 16, true);
  let limit = eocd;
  const locator = eocd - ZIP64_LOCATOR_SIZE;
  // As fflate does: a ZIP64 locator in front of the record means the ZIP64 record has the real numbers.
  if (locator >= 0 && data.getUint32(locator, true) === ZIP64_LOCATOR) {
    const record = u64(data, locator + 8, 'end record offset');
    if (record + 56 > locator || data.getUint32(record, true) !== ZIP64_EOCD) {
      throw new ZipFormatError(`the ZIP64 locator points to offset ${record}, where there is no ZIP64 end record`);
    }
    entries = u64(data, record + 32, 'entry count');
    size = u64(data, record + 40, 'central directory size');
    offset = u64(data, record + 48, 'central directory offset');
    limit = record;
  } else if (disk !== 0 || directoryDisk !== 0 || entriesHere !== entries) {
    throw new ZipFormatError('split or spanned zips (several disks) are not supported');
  }
  if (offset + size > limit) {
    throw new ZipFormatError(
      `the central directory (offset ${offset}, ${size} bytes) runs past its end record at offset ${limit}: truncated or corrupt zip`
    );
  }
  return { entries, offset, size, limit };
}

/** Every entry of the central directory, in its order. Throws ZipFormatError on anything malformed. */
export function readCentralDirectory(zip: Uint8Array): CentralEntry[] {
  const data = view(zip);
  const directory = locateDirectory(zip);
  const end = directory.offset + directory.size;
  const entries: CentralEntry[] = [];
  let at = directory.offset;
  for (let index = 0; index < directory.entries; index++) {
    if (at + CENTRAL_HEADER_SIZE > end) {
      throw new ZipFormatError(
        `the central directory ends after ${index} of its ${directory.entries} entries: truncated or corrupt zip`
      );
    }
    if (data.getUint32(at, true) !== CENTRAL_HEADER) {
      throw new ZipFormatError(`no central file header at offset ${at} (entry ${index + 1}): corrupt zip`);
    }
    const madeBy = data.getUint16(at + 4, true);
    const flags = data.getUint16(at + 8, true);
    const nameLength = data.getUint16(at + 28, true);
    const next = at + CENTRAL_HEADER_SIZE + nameLength + data.getUint16(at + 30, true) + data.getUint16(at + 32, true);
    if (next > end) {
      throw new ZipFormatError(`entry ${index + 1} runs past the end of the central directory: corrupt zip`);
    }
    const externalAttributes = data.getUint32(at + 38, true);
    const rawName = zip.subarray(at + CENTRAL_HEADER_SIZE, at + CENTRAL_HEADER_SIZE + nameLength);
    const name = flags & UTF8_NAME ? utf8.decode(rawName) : latin1(rawName);
    entries.push({ name, madeBy, externalAttributes, mode: entryMode(name, madeBy, externalAttributes) });
    at = next;
  }
  return entries;
}
