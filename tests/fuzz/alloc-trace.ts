/**
 * Records the largest ArrayBuffer / typed array allocated from JavaScript, with its stack when it
 * is large. Sampling memory misses a buffer that is allocated and dropped inside one synchronous
 * stretch (a GC may free it before the next sample); a constructor trap sees every one. Installed
 * in the fuzz child only: it replaces the global constructors with forwarding proxies.
 */

const TRACED = [
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigUint64Array',
  'BigInt64Array',
] as const;

/** Allocations above this keep their stack, to say where an oversized buffer came from. */
const STACK_THRESHOLD_BYTES = 16 * 1024 * 1024;

export interface Allocation {
  bytes: number;
  stack?: string;
}

let largest: Allocation = { bytes: 0 };
let installed = false;

type Constructor = new (...args: unknown[]) => object;

function byteLengthOf(value: object): number {
  const length = (value as { byteLength?: unknown }).byteLength;
  return typeof length === 'number' ? length : 0;
}

/** The caller's stack, without the tracer's own three frames. */
function allocationStack(bytes: number): string {
  const frames = (new Error().stack ?? '').split('\n').slice(4);
  return [`largest allocation: ${bytes} bytes`, ...frames].join('\n');
}

function note(value: object): void {
  const bytes = byteLengthOf(value);
  if (bytes > largest.bytes) {
    largest = { bytes, stack: bytes >= STACK_THRESHOLD_BYTES ? allocationStack(bytes) : undefined };
  }
}

export function installAllocationTracer(): void {
  if (installed) {
    return;
  }
  installed = true;
  const globals = globalThis as unknown as Record<string, Constructor>;
  for (const name of TRACED) {
    globals[name] = new Proxy(globals[name], {
      construct(target, args, newTarget) {
        const value = Reflect.construct(target, args, newTarget);
        note(value);
        return value;
      },
    });
  }
}

/** The largest allocation since the last call, and starts over. */
export function takeLargestAllocation(): Allocation {
  const result = largest;
  largest = { bytes: 0 };
  return result;
}
