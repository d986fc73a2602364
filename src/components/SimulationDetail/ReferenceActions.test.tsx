import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { proxyClientFor } from '../../api/proxyForDatasource';
import { startAppHarness } from '../../../tests/support/appHarness';
import type { HarnessProcess } from '../../../tests/support/grafanaHarness';
import type { Simulation } from '../../shared/api';
import { ProxyError, type ProxyClient } from '../../shared/proxyClient';
import { ReferenceActions } from './ReferenceActions';

let harness: HarnessProcess;

// The Combobox lists its options in a virtualised list, which renders only the rows that fit its
// measured size: jsdom measures everything as 0, so give elements a size (as Grafana's own tests do).
const SIZE = 400;
const rect = { x: 0, y: 0, top: 0, left: 0, bottom: SIZE, right: SIZE, width: SIZE, height: SIZE, toJSON: () => ({}) };
const stubs: Array<[object, string, PropertyDescriptor]> = [
  [Element.prototype, 'getBoundingClientRect', { configurable: true, value: () => rect }],
  ...['clientWidth', 'clientHeight'].map((name): [object, string, PropertyDescriptor] => [Element.prototype, name, { configurable: true, get: () => SIZE }]),
  ...['offsetWidth', 'offsetHeight'].map((name): [object, string, PropertyDescriptor] => [HTMLElement.prototype, name, { configurable: true, get: () => SIZE }]),
];
const originals = stubs.map(([target, name]) => Object.getOwnPropertyDescriptor(target, name));

beforeAll(async () => {
  harness = await startAppHarness();
  stubs.forEach(([target, name, descriptor]) => Object.defineProperty(target, name, descriptor));
}, 60_000);

afterAll(() => {
  harness?.stop();
  stubs.forEach(([target, name], index) => {
    const original = originals[index];
    if (original) {
      Object.defineProperty(target, name, original);
    }
  });
});

jest.setTimeout(30_000);

/** The folder datasource's client (its key may write), except that one run's sidecar cannot be written. */
function clientRefusing(runId: string): ProxyClient {
  const client = proxyClientFor('simviz-folder');
  const refusing = Object.create(client) as ProxyClient;
  refusing.setReference = (id, referenceId) =>
    id === runId ? Promise.reject(new ProxyError('rejected', 'cannot write sidecar run.mat.json: its folder is read-only (EROFS)', 409)) : client.setReference(id, referenceId);
  return refusing;
}

async function runNamed(search: string): Promise<Simulation> {
  return (await proxyClientFor('simviz-folder').listSimulations({ search })).items[0];
}

/** Types into the run picker as a user does (the menu opens on real key events only) and picks the run. */
async function pick(search: string, name: string) {
  const box = screen.getByRole('combobox', { name: 'Runs' });
  await userEvent.clear(box);
  await userEvent.type(box, search);
  await userEvent.click(await screen.findByRole('option', { name: new RegExp(`^${name}`) }, { timeout: 5_000 }));
}

describe('ReferenceActions', () => {
  it('makes this run the reference of each run picked, and says for each how it went', async () => {
    const reference = await runNamed('BouncingBall_drop_e0p8');
    const target = await runNamed('BouncingBall_drop_e0p5');
    const refused = await runNamed('RLCCircuit underdamped');
    render(<ReferenceActions simulation={reference} client={clientRefusing(refused.id)} datasourceUid="simviz-folder" onChanged={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Set as reference for…' }));
    const dialog = await screen.findByRole('dialog');
    await pick('e0p5', target.name);
    await pick('underdamped', refused.name);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Set reference' }));
    const outcomes = await screen.findByTestId('simviz-reference-outcomes');
    expect(within(outcomes).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      `${target.name}: reference set`,
      `${refused.name}: cannot write sidecar run.mat.json: its folder is read-only (EROFS)`,
    ]);
    // The first went through the real route: its sidecar names the reference now.
    expect((await proxyClientFor('simviz-folder').getSimulation(target.id)).referenceId).toBe(reference.id);
    expect((await proxyClientFor('simviz-folder').getSimulation(refused.id)).referenceId).toBeNull();
  });

  it('offers only runs other than this one', async () => {
    const reference = await runNamed('BouncingBall_drop_e0p8');
    render(<ReferenceActions simulation={reference} client={proxyClientFor('simviz-folder')} datasourceUid="simviz-folder" onChanged={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Set as reference for…' }));
    await userEvent.type(await screen.findByRole('combobox', { name: 'Runs' }), 'BouncingBall');
    const options = await screen.findAllByRole('option', undefined, { timeout: 5_000 });
    expect(options.map((option) => option.textContent)).toEqual([expect.stringMatching(/^BouncingBall_drop_e0p5/)]);
  });
});
