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

/** Name lookup with an exact index and a normalized one (first name wins on collisions). */
export class VariableIndex<T extends { name: string }> {
  private readonly exact = new Map<string, T>();
  private readonly normalized = new Map<string, T>();

  constructor(items: readonly T[]) {
    for (const item of items) {
      if (!this.exact.has(item.name)) {
        this.exact.set(item.name, item);
      }
      const key = normalizeVariableName(item.name);
      if (!this.normalized.has(key)) {
        this.normalized.set(key, item);
      }
    }
  }

  find(name: string): T | undefined {
    return this.exact.get(name) ?? this.normalized.get(normalizeVariableName(name));
  }
}
