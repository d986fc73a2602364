/**
 * Variables as a tree of component paths: `pipe[1].port_a.m_flow` sits under `pipe[1]` then
 * `port_a`. Dots inside brackets or parentheses do not split (`der(body.v)`, `x[data.n]`).
 */
export interface TreeNode {
  /** This level's name, e.g. `port_a`. */
  name: string;
  /** The full path up to and including this level, e.g. `pipe[1].port_a`. */
  path: string;
  /** Set when a variable has exactly this path. */
  variable?: VariableLeaf;
  children: TreeNode[];
  /** Variables at or below this node. */
  count: number;
}

export interface VariableLeaf {
  name: string;
  unit: string | null;
  description: string;
}

export function splitPath(name: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '(' || c === '[') {
      depth++;
    } else if ((c === ')' || c === ']') && depth > 0) {
      depth--;
    } else if (c === '.' && depth === 0) {
      parts.push(name.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(name.slice(start));
  return parts.filter((part) => part.length > 0);
}

interface Building {
  node: TreeNode;
  byName: Map<string, Building>;
}

function child(parent: Building, name: string): Building {
  let found = parent.byName.get(name);
  if (!found) {
    const path = parent.node.path ? `${parent.node.path}.${name}` : name;
    found = { node: { name, path, children: [], count: 0 }, byName: new Map() };
    parent.byName.set(name, found);
    parent.node.children.push(found.node);
  }
  return found;
}

function sortTree(node: TreeNode): void {
  // Components (with children) first, then plain variables; each group by name.
  node.children.sort((a, b) => Number(b.children.length > 0) - Number(a.children.length > 0) || a.name.localeCompare(b.name, undefined, { numeric: true }));
  node.children.forEach(sortTree);
}

/** The tree of all variables; its root has an empty name and path. */
export function buildTree(variables: readonly VariableLeaf[]): TreeNode {
  const root: Building = { node: { name: '', path: '', children: [], count: 0 }, byName: new Map() };
  for (const variable of variables) {
    let at = root;
    at.node.count++;
    for (const part of splitPath(variable.name)) {
      at = child(at, part);
      at.node.count++;
    }
    at.node.variable = variable;
  }
  sortTree(root.node);
  return root.node;
}

/** The glob that selects every variable below a component. */
export function globBelow(node: TreeNode): string {
  return `${node.path}.*`;
}
