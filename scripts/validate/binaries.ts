/**
 * What a backend executable is, from its first bytes: the platform its header says it runs on, and whether
 * it carries Go build info. The validator's backendbinary analyzer finds the linux/amd64 binary by its
 * content (Go's debug/buildinfo: GOOS/GOARCH), not by its name; a file name can lie, a header can't.
 *
 *   ELF     7f 45 4c 46, data @5 (1 = little-endian), e_machine u16 @18 (in 32- and 64-bit ELF alike):
 *           62 x86-64, 183 AArch64, 40 ARM
 *   Mach-O  magic cf fa ed fe (64-bit, little-endian), cputype u32 @4: 0x01000007 x86-64, 0x0100000c arm64;
 *           ca fe ba be is a universal binary (any darwin arch)
 *   PE      4d 5a ("MZ"), PE header offset u32 @0x3c, "PE\0\0" there, then Machine u16:
 *           0x8664 x86-64, 0xaa64 ARM64, 0x01c0 / 0x01c4 ARM
 */

/** A Go `GOOS_GOARCH` pair, or `darwin_universal` for a Mach-O fat binary. */
export interface BinaryFormat {
  os: 'linux' | 'darwin' | 'windows';
  arch: string;
  /** `ELF x86-64`, `Mach-O arm64`, `PE x86-64`. */
  description: string;
}

const ELF_MACHINES: Record<number, [string, string]> = {
  62: ['amd64', 'x86-64'],
  183: ['arm64', 'AArch64'],
  40: ['arm', 'ARM'],
};
const MACHO_CPUS: Record<number, [string, string]> = {
  0x01000007: ['amd64', 'x86-64'],
  0x0100000c: ['arm64', 'arm64'],
};
const PE_MACHINES: Record<number, [string, string]> = {
  0x8664: ['amd64', 'x86-64'],
  0xaa64: ['arm64', 'ARM64'],
  0x01c0: ['arm', 'ARM'],
  0x01c4: ['arm', 'ARM'],
};

/** The platform an executable's header names, or a reason it is not an executable Grafana could start. */
export function binaryFormat(bytes: Uint8Array): BinaryFormat | { unknown: string } {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const has = (n: number): boolean => bytes.byteLength >= n;
  if (has(20) && data.getUint32(0, false) === 0x7f454c46) {
    if (bytes[5] !== 1) {
      return { unknown: 'a big-endian ELF file' };
    }
    const machine = data.getUint16(18, true);
    const known = ELF_MACHINES[machine];
    return known
      ? { os: 'linux', arch: known[0], description: `ELF ${known[1]}` }
      : { unknown: `an ELF file for machine ${machine}` };
  }
  if (has(8) && data.getUint32(0, true) === 0xfeedfacf) {
    const cpu = data.getUint32(4, true);
    const known = MACHO_CPUS[cpu];
    return known
      ? { os: 'darwin', arch: known[0], description: `Mach-O ${known[1]}` }
      : { unknown: `a Mach-O file for CPU type 0x${cpu.toString(16)}` };
  }
  if (has(8) && data.getUint32(0, false) === 0xcafebabe) {
    return { os: 'darwin', arch: 'universal', description: 'Mach-O universal' };
  }
  if (has(0x40) && bytes[0] === 0x4d && bytes[1] === 0x5a) {
    const pe = data.getUint32(0x3c, true);
    if (pe + 6 <= bytes.byteLength && data.getUint32(pe, false) === 0x50450000) {
      const machine = data.getUint16(pe + 4, true);
      const known = PE_MACHINES[machine];
      return known
        ? { os: 'windows', arch: known[0], description: `PE ${known[1]}` }
        : { unknown: `a PE file for machine 0x${machine.toString(16)}` };
    }
    return { unknown: 'an MS-DOS executable without a PE header' };
  }
  if (has(2) && bytes[0] === 0x23 && bytes[1] === 0x21) {
    return { unknown: 'a script (#!), not a compiled executable' };
  }
  return { unknown: 'not an ELF, Mach-O or PE executable' };
}

/** Whether `format` runs where the file name says (`linux_amd64`); a universal binary fits any darwin arch. */
export function formatFits(format: BinaryFormat, os: string, arch: string): boolean {
  return format.os === os && (format.arch === arch || (os === 'darwin' && format.arch === 'universal'));
}

/** Go's build info magic (src/debug/buildinfo), at the start of the .go.buildinfo data `go version -m` reads. */
const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

export function hasGoBuildInfo(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(GO_BUILDINFO_MAGIC) >= 0;
}
