import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';

import type { SimVizOptions, SimVizSecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';

type Settings = DataSourceSettings<SimVizOptions, SimVizSecureJsonData>;

function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    uid: 'simviz',
    name: 'SimViz',
    type: 'simviz-simulation-datasource',
    jsonData: { proxyUrl: 'http://proxy:9800' },
    secureJsonFields: {},
    ...overrides,
  } as Settings;
}

describe('ConfigEditor', () => {
  it('edits the proxy URL in jsonData, trimmed', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText(/Proxy URL/), { target: { value: '  http://simviz:9800 ' } });
    expect(onOptionsChange).toHaveBeenCalledWith(expect.objectContaining({ jsonData: { proxyUrl: 'http://simviz:9800' } }));
  });

  it('stores the timeout as Grafana’s data proxy setting, and the default time axis', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByPlaceholderText('30'), { target: { value: '120' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { proxyUrl: 'http://proxy:9800', timeout: 120 } }));
    expect(screen.getByRole('radio', { name: 'Simulation time' })).toBeChecked();
    fireEvent.click(screen.getByRole('radio', { name: 'Run start' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { proxyUrl: 'http://proxy:9800', defaultTimeAxis: 'runStart' } }));
  });

  it('writes the API key to secureJsonData only', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByPlaceholderText('API key'), { target: { value: 's3cret' } });
    const next = onOptionsChange.mock.calls[0][0] as Settings;
    expect(next.secureJsonData).toEqual({ apiKey: 's3cret' });
    expect(JSON.stringify(next.jsonData)).not.toContain('s3cret');
  });

  it('shows a stored key as configured, without its value, and resets it', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings({ secureJsonFields: { apiKey: true } })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByPlaceholderText('API key')).toHaveValue('configured');
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onOptionsChange).toHaveBeenCalledWith(
      expect.objectContaining({ secureJsonFields: { apiKey: false }, secureJsonData: { apiKey: '' } })
    );
  });
});
