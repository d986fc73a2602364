import React, { useCallback, useState } from 'react';
import { Alert, Button, Field, LinkButton, Modal, MultiCombobox, Stack, Text, type ComboboxOption } from '@grafana/ui';

import { regressionDashboardUrl } from '../../api/links';
import { useAsyncValue } from '../../hooks/useAsyncValue';
import type { Simulation } from '../../shared/api';
import { messageOf, type ProxyClient } from '../../shared/proxyClient';

const SEARCH_LIMIT = 50;

interface Props {
  simulation: Simulation;
  client: ProxyClient;
  datasourceUid: string;
  /** The run's entry changed (its own reference was set or removed). */
  onChanged: (simulation: Simulation) => void;
}

interface Outcome {
  run: string;
  error?: string;
}

/** Runs of the same data root, as a sidecar can only name a reference in its own root. */
function useRunSearch(client: ProxyClient, simulation: Simulation) {
  return useCallback(
    async (search: string): Promise<Array<ComboboxOption<string>>> => {
      const page = await client.listSimulations({ search: search || undefined, root: simulation.root, limit: SEARCH_LIMIT });
      return page.items.filter((run) => run.id !== simulation.id).map((run) => ({ value: run.id, label: run.name, description: run.folder ? `${run.root}/${run.folder}` : run.root }));
    },
    [client, simulation.id, simulation.root]
  );
}

function SetReferenceModal({ simulation, client, onDismiss }: { simulation: Simulation; client: ProxyClient; onDismiss: () => void }) {
  const [chosen, setChosen] = useState<Array<ComboboxOption<string>>>([]);
  const [outcomes, setOutcomes] = useState<Outcome[]>();
  const [saving, setSaving] = useState(false);
  const loadOptions = useRunSearch(client, simulation);
  const save = async () => {
    setSaving(true);
    const results: Outcome[] = [];
    for (const option of chosen) {
      const run = option.label ?? option.value;
      // One after another: each is its own sidecar, and each answer says how that one went.
      results.push(await client.setReference(option.value, simulation.id).then(() => ({ run }), (error: unknown) => ({ run, error: messageOf(error) })));
    }
    setOutcomes(results);
    setSaving(false);
  };
  return (
    <Modal title={`Set ${simulation.name} as the reference for…`} isOpen onDismiss={onDismiss}>
      <Stack direction="column" gap={2}>
        <Text color="secondary">The runs chosen get this run as the reference in their sidecar (other sidecar fields are kept).</Text>
        <Field label="Runs" noMargin>
          <MultiCombobox<string>
            id="simviz-reference-for"
            placeholder="Search runs in the same data root"
            options={loadOptions}
            // The options themselves, not their ids: after another search the runs picked earlier are not
            // among the loaded options, and ids alone would come back without their names.
            value={chosen}
            onChange={(options) => setChosen(options)}
          />
        </Field>
        {outcomes && (
          <ul aria-label="Results" data-testid="simviz-reference-outcomes">
            {outcomes.map((outcome) => (
              <li key={outcome.run}>
                <Text color={outcome.error ? 'error' : 'success'}>{outcome.error ? `${outcome.run}: ${outcome.error}` : `${outcome.run}: reference set`}</Text>
              </li>
            ))}
          </ul>
        )}
        <Modal.ButtonRow>
          <Button variant="secondary" onClick={onDismiss}>
            {outcomes ? 'Close' : 'Cancel'}
          </Button>
          <Button onClick={save} disabled={saving || chosen.length === 0}>
            Set reference
          </Button>
        </Modal.ButtonRow>
      </Stack>
    </Modal>
  );
}

/**
 * The run's own reference (compare with it, or remove it) and "Set as reference for…": writing
 * sidecars needs a key with the `write` scope, so those actions show only when the key has it.
 */
export function ReferenceActions({ simulation, client, datasourceUid, onChanged }: Props) {
  const { value: session } = useAsyncValue(`session:${datasourceUid}`, () => client.session());
  const [picking, setPicking] = useState(false);
  const [problem, setProblem] = useState<string>();
  const canWrite = session?.scopes.includes('write') ?? false;
  const remove = () => {
    setProblem(undefined);
    client.setReference(simulation.id, null).then(onChanged, (error: unknown) => setProblem(messageOf(error)));
  };
  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} wrap="wrap">
        {simulation.referenceId && (
          <LinkButton icon="apps" variant="secondary" href={regressionDashboardUrl(datasourceUid, simulation)}>
            Compare with reference
          </LinkButton>
        )}
        {canWrite && (
          <Button icon="link" variant="secondary" onClick={() => setPicking(true)}>
            Set as reference for…
          </Button>
        )}
        {canWrite && simulation.referenceId && (
          <Button icon="times" variant="secondary" fill="outline" onClick={remove}>
            Remove reference
          </Button>
        )}
      </Stack>
      {problem && (
        <Alert title="The reference could not be changed" severity="error">
          {problem}
        </Alert>
      )}
      {picking && <SetReferenceModal simulation={simulation} client={client} onDismiss={() => setPicking(false)} />}
    </Stack>
  );
}
