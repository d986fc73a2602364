import { buildTree, globBelow, splitPath } from './variableTree';

describe('splitPath', () => {
  it.each([
    ['pipe[1].port_a.m_flow', ['pipe[1]', 'port_a', 'm_flow']],
    ['der(body.v)', ['der(body.v)']],
    ['body.der(v)', ['body', 'der(v)']],
    ['x[data.n].y', ['x[data.n]', 'y']],
    ['time', ['time']],
    ['a..b', ['a', 'b']],
  ])('%s', (name, parts) => expect(splitPath(name)).toEqual(parts));
});

describe('buildTree', () => {
  const leaf = (name: string) => ({ name, unit: null, description: '' });
  const tree = buildTree(['pipe[1].T', 'pipe[1].port_a.m_flow', 'pipe[10].T', 'pipe[2].T', 'valve.opening', 'Q_flow'].map(leaf));

  it('nests components by path, with counts, components first and numbers in numeric order', () => {
    expect(tree.count).toBe(6);
    expect(tree.children.map((n) => n.name)).toEqual(['pipe[1]', 'pipe[2]', 'pipe[10]', 'valve', 'Q_flow']);
    const pipe1 = tree.children[0];
    expect(pipe1).toMatchObject({ path: 'pipe[1]', count: 2 });
    expect(pipe1.children.map((n) => n.path)).toEqual(['pipe[1].port_a', 'pipe[1].T']);
    expect(pipe1.children[1].variable?.name).toBe('pipe[1].T');
    expect(globBelow(pipe1)).toBe('pipe[1].*');
  });

  it('keeps a variable that is also a component (a record with its own value)', () => {
    const both = buildTree(['a', 'a.b'].map(leaf));
    expect(both.children[0]).toMatchObject({ path: 'a', variable: { name: 'a' }, count: 2 });
    expect(both.children[0].children[0].path).toBe('a.b');
  });
});
