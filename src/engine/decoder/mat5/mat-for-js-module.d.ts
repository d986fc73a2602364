/** Types for mat-for-js 1.1.0, which ships none (see lib/mat4js.read.js). */
declare module 'mat-for-js' {
  /** What a MAT v5 variable becomes: nested arrays, `{ r, i }` complex, BigInt for 64-bit integers, objects for structs. */
  export type MatValue = unknown;

  export interface MatFileContents {
    /** The 116-byte header text, padding kept. */
    header: string;
    data: Record<string, MatValue>;
  }

  export function read(data: ArrayBuffer): MatFileContents;
}
