/**
 * A FlatBuffers writer that lays out every byte as the `flatbuffers` package's Builder does (the
 * one apache-arrow encodes its IPC metadata with): built back to front, each value aligned to its
 * size, default values left out, identical vtables shared. Only what Arrow's Message and Footer
 * need is here. The Builder itself is generic and polymorphic: in a fresh backend its functions
 * were optimised, thrown away and optimised again over the first few dozen queries, and encoding
 * a series frame's metadata cost more than writing its numbers.
 *
 * Offsets are counted from the end of the buffer, as in the Builder, so the layout does not depend
 * on how large the buffer happens to be.
 */

const SIZEOF_SHORT = 2;
const SIZEOF_INT = 4;
const TWO_32 = 2 ** 32;
const encoder = new TextEncoder();

export class FlatWriter {
  private bytes: Uint8Array;
  private view: DataView;
  /** Free bytes before the data written so far (which fills the buffer's end). */
  private space: number;
  private minAlign = 1;
  private vtable: number[] = [];
  private vtableInUse = 0;
  private objectStart = 0;
  /** Offsets of the vtables written so far, for sharing. */
  private readonly vtables: number[] = [];
  private vectorElements = 0;

  constructor(initialBytes = 1024) {
    this.bytes = new Uint8Array(initialBytes);
    this.view = new DataView(this.bytes.buffer);
    this.space = initialBytes;
  }

  /** Bytes written so far: the offset of what was written last. */
  offset(): number {
    return this.bytes.length - this.space;
  }

  /** Aligns for a `size`-byte value that follows `additional` more bytes, growing the buffer as needed. */
  prep(size: number, additional: number): void {
    if (size > this.minAlign) {
      this.minAlign = size;
    }
    const alignBytes = (~(this.bytes.length - this.space + additional) + 1) & (size - 1);
    while (this.space < alignBytes + size + additional) {
      this.grow();
    }
    this.pad(alignBytes);
  }

  pad(count: number): void {
    for (let i = 0; i < count; i++) {
      this.bytes[--this.space] = 0;
    }
  }

  writeInt8(value: number): void {
    this.space -= 1;
    this.view.setInt8(this.space, value);
  }

  writeInt16(value: number): void {
    this.space -= 2;
    this.view.setInt16(this.space, value, true);
  }

  writeInt32(value: number): void {
    this.space -= 4;
    this.view.setInt32(this.space, value, true);
  }

  /** A non-negative integer below 2^53 (lengths and offsets), as a little-endian int64. */
  writeInt64(value: number): void {
    this.space -= 8;
    const high = Math.floor(value / TWO_32);
    this.view.setUint32(this.space, value - high * TWO_32, true);
    this.view.setUint32(this.space + 4, high, true);
  }

  addInt8(value: number): void {
    this.prep(1, 0);
    this.writeInt8(value);
  }

  addInt16(value: number): void {
    this.prep(2, 0);
    this.writeInt16(value);
  }

  addInt32(value: number): void {
    this.prep(4, 0);
    this.writeInt32(value);
  }

  addInt64(value: number): void {
    this.prep(8, 0);
    this.writeInt64(value);
  }

  addOffset(offset: number): void {
    this.prep(SIZEOF_INT, 0);
    this.writeInt32(this.offset() - offset + SIZEOF_INT);
  }

  addFieldInt8(slot: number, value: number, defaultValue: number): void {
    if (value !== defaultValue) {
      this.addInt8(value);
      this.vtable[slot] = this.offset();
    }
  }

  addFieldInt16(slot: number, value: number, defaultValue: number): void {
    if (value !== defaultValue) {
      this.addInt16(value);
      this.vtable[slot] = this.offset();
    }
  }

  addFieldInt64(slot: number, value: number, defaultValue: number): void {
    if (value !== defaultValue) {
      this.addInt64(value);
      this.vtable[slot] = this.offset();
    }
  }

  addFieldOffset(slot: number, offset: number, defaultValue: number): void {
    if (offset !== defaultValue) {
      this.addOffset(offset);
      this.vtable[slot] = this.offset();
    }
  }

  startObject(fields: number): void {
    this.vtableInUse = fields;
    for (let i = 0; i < fields; i++) {
      this.vtable[i] = 0;
    }
    this.objectStart = this.offset();
  }

  /** Ends the table: writes its vtable, or points it at an identical one written before. Returns the table's offset. */
  endObject(): number {
    this.addInt32(0);
    const tableAt = this.offset();
    let last = this.vtableInUse - 1;
    while (last >= 0 && this.vtable[last] === 0) {
      last--;
    }
    const usedFields = last + 1;
    for (let i = last; i >= 0; i--) {
      this.addInt16(this.vtable[i] !== 0 ? tableAt - this.vtable[i] : 0);
    }
    this.addInt16(tableAt - this.objectStart);
    const vtableBytes = (usedFields + 2) * SIZEOF_SHORT;
    this.addInt16(vtableBytes);

    const existing = this.findVtable(vtableBytes);
    if (existing !== 0) {
      this.space = this.bytes.length - tableAt;
      this.view.setInt32(this.space, existing - tableAt, true);
    } else {
      this.vtables.push(this.offset());
      this.view.setInt32(this.bytes.length - tableAt, this.offset() - tableAt, true);
    }
    return tableAt;
  }

  /** The offset of a vtable with the same bytes as the one just written at `space`, or 0. */
  private findVtable(vtableBytes: number): number {
    const current = this.space;
    outer: for (const offset of this.vtables) {
      const other = this.bytes.length - offset;
      if (this.view.getInt16(other, true) !== vtableBytes) {
        continue;
      }
      for (let j = SIZEOF_SHORT; j < vtableBytes; j += SIZEOF_SHORT) {
        if (this.view.getInt16(current + j, true) !== this.view.getInt16(other + j, true)) {
          continue outer;
        }
      }
      return offset;
    }
    return 0;
  }

  startVector(elementBytes: number, elements: number, alignment: number): void {
    this.vectorElements = elements;
    this.prep(SIZEOF_INT, elementBytes * elements);
    this.prep(alignment, elementBytes * elements);
  }

  endVector(): number {
    this.writeInt32(this.vectorElements);
    return this.offset();
  }

  createString(text: string): number {
    const utf8 = encoder.encode(text);
    this.addInt8(0);
    this.startVector(1, utf8.length, 1);
    this.space -= utf8.length;
    this.bytes.set(utf8, this.space);
    return this.endVector();
  }

  /** Ends the buffer with the offset of its root table; returns the buffer's bytes (a view). */
  finish(root: number): Uint8Array {
    this.prep(this.minAlign, SIZEOF_INT);
    this.addOffset(root);
    return this.bytes.subarray(this.space);
  }

  /** Twice the size, the data moved to the new end (it is built back to front). */
  private grow(): void {
    const old = this.bytes;
    this.bytes = new Uint8Array(old.length * 2);
    this.bytes.set(old, old.length);
    this.view = new DataView(this.bytes.buffer);
    this.space += old.length;
  }
}
