import React, { useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { Button, IconButton, Input, Stack, Text, useStyles2 } from '@grafana/ui';
import type { GrafanaTheme2 } from '@grafana/data';

import { MAX_PAGE_SIZE } from '../../shared/api';
import type { ProxyClient } from '../../shared/proxyClient';
import { buildTree, globBelow, type TreeNode, type VariableLeaf } from '../tree/variableTree';

interface Props {
  client: ProxyClient;
  /** Run ids to browse (template variables left out): a stable array, since a new one reloads the tree. */
  simulations: string[];
  /** Adds variable names or globs to the query. */
  onAdd: (names: string[]) => void;
}

/** Names loaded for the tree; larger models are narrowed with the filter, which searches on the proxy. */
const TREE_LIMIT = 5 * MAX_PAGE_SIZE;

interface Loaded {
  leaves: VariableLeaf[];
  /** Variables the proxy has for the filter, and how many of them were loaded (time included in both). */
  total: number;
  fetched: number;
  error?: string;
}

async function loadVariables(client: ProxyClient, simulations: string[], search: string): Promise<Loaded> {
  const leaves: VariableLeaf[] = [];
  let total = 0;
  let fetched = 0;
  for (let offset = 0; offset < TREE_LIMIT; offset += MAX_PAGE_SIZE) {
    const page = await client.listSharedVariables(simulations, { search: search || undefined, limit: MAX_PAGE_SIZE, offset });
    total = page.total;
    fetched += page.items.length;
    const trajectories = page.items.filter((v) => v.kind !== 'time');
    leaves.push(...trajectories.map(({ name, unit, description }) => ({ name, unit, description })));
    if (offset + MAX_PAGE_SIZE >= total) {
      break;
    }
  }
  return { leaves, total, fetched };
}

const getStyles = (theme: GrafanaTheme2) => ({
  tree: css({
    maxHeight: 360,
    overflowY: 'auto',
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0.5, 1),
  }),
  list: css({ listStyle: 'none', margin: 0, paddingLeft: theme.spacing(2) }),
  row: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(0.5), minHeight: theme.spacing(3) }),
  leaf: css({
    cursor: 'pointer',
    background: 'none',
    border: 'none',
    padding: 0,
    color: theme.colors.text.link,
    textAlign: 'left',
  }),
  spacer: css({ width: theme.spacing(2), display: 'inline-block' }),
});

function NodeRow({ node, onAdd }: { node: TreeNode; onAdd: Props['onAdd'] }) {
  const styles = useStyles2(getStyles);
  const [open, setOpen] = useState(false);
  const isComponent = node.children.length > 0;
  const unit = node.variable?.unit ? ` [${node.variable.unit}]` : '';
  return (
    <li data-testid="simviz-tree-node" data-path={node.path}>
      <div className={styles.row}>
        {isComponent ? (
          <IconButton
            name={open ? 'angle-down' : 'angle-right'}
            size="sm"
            aria-label={`${open ? 'Collapse' : 'Expand'} ${node.path}`}
            onClick={() => setOpen(!open)}
          />
        ) : (
          <span className={styles.spacer} />
        )}
        {node.variable ? (
          <button
            type="button"
            className={styles.leaf}
            title={node.variable.description}
            aria-label={`Add ${node.path}`}
            onClick={() => onAdd([node.path])}
          >
            {node.name}
            {unit}
          </button>
        ) : (
          <Text>{node.name}</Text>
        )}
        {isComponent && (
          <>
            <Text color="secondary" variant="bodySmall">
              {node.count}
            </Text>
            <Button
              size="sm"
              variant="secondary"
              fill="text"
              icon="plus"
              aria-label={`Add all below ${node.path}`}
              onClick={() => onAdd([globBelow(node)])}
            >
              all
            </Button>
          </>
        )}
      </div>
      {isComponent && open && <NodeList nodes={node.children} onAdd={onAdd} />}
    </li>
  );
}

function NodeList({ nodes, onAdd }: { nodes: TreeNode[]; onAdd: Props['onAdd'] }) {
  const styles = useStyles2(getStyles);
  return (
    <ul className={styles.list}>
      {nodes.map((node) => (
        <NodeRow key={node.path} node={node} onAdd={onAdd} />
      ))}
    </ul>
  );
}

/** A browser of the selected runs' variables as a tree of component paths; a click adds a variable, "all" adds a glob. */
export function VariableTree({ client, simulations, onAdd }: Props) {
  const styles = useStyles2(getStyles);
  const [filter, setFilter] = useState('');
  const [state, setState] = useState<Loaded>();
  useEffect(() => {
    let cancelled = false;
    loadVariables(client, simulations, filter).then(
      (loaded) => !cancelled && setState(loaded),
      (error: Error) => !cancelled && setState({ leaves: [], total: 0, fetched: 0, error: error.message })
    );
    return () => {
      cancelled = true;
    };
  }, [client, simulations, filter]);
  const tree = useMemo(() => buildTree(state?.leaves ?? []), [state]);
  return (
    <Stack direction="column" gap={1}>
      <Input
        id="simviz-tree-filter"
        placeholder="Filter the tree by name or description"
        width={50}
        value={filter}
        onChange={(event) => setFilter(event.currentTarget.value)}
      />
      {state?.error && <Text color="error">{state.error}</Text>}
      {state && state.total > state.fetched && (
        <Text color="secondary" variant="bodySmall">
          {`Showing ${state.fetched} of ${state.total} variables; filter to narrow.`}
        </Text>
      )}
      <div className={styles.tree} data-testid="simviz-variable-tree">
        {state ? <NodeList nodes={tree.children} onAdd={onAdd} /> : <Text color="secondary">Loading variables…</Text>}
      </div>
    </Stack>
  );
}
