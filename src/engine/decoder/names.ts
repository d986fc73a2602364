/**
 * A spelling-independent key for variable names, so that a query written for one tool finds the
 * variable in another tool's file: `Time`/`time`, `a.der(b)`/`der(a.b)`, `x[1, 2]`/`x[1,2]`.
 */
export function normalizeVariableName(name: string): string {
  let key = name.replace(/\s+/g, '');
  if (key === 'Time') {
    return 'time';
  }
  // Dymola writes a derivative inside its component path; OpenModelica wraps the whole path.
  for (let guard = 0; guard < 8; guard++) {
    const match = /^(.+)\.der\((.+)\)$/.exec(key);
    if (!match) {
      break;
    }
    key = `der(${match[1]}.${match[2]})`;
  }
  return key;
}

/**
 * Name lookup with an exact index and a normalized one (first name wins on collisions). The
 * normalized index is built on the first miss: most lookups use the file's own spelling, and
 * building it costs tens of milliseconds for 25,000 names.
 */
export class VariableIndex<T extends { name: string }> {
  private exact: Map<string, T> | undefined;
  private normalized: Map<string, T> | undefined;

  constructor(private readonly items: readonly T[]) {}

  find(name: string): T | undefined {
    this.exact ??= this.build((item) => item.name);
    const hit = this.exact.get(name);
    if (hit) {
      return hit;
    }
    this.normalized ??= this.build((item) => normalizeVariableName(item.name));
    return this.normalized.get(normalizeVariableName(name));
  }

  private build(key: (item: T) => string): Map<string, T> {
    const map = new Map<string, T>();
    for (const item of this.items) {
      const k = key(item);
      if (!map.has(k)) {
        map.set(k, item);
      }
    }
    return map;
  }
}
