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

  it('starts a new datasource in folder mode: folder required, cache folder optional under the temporary folder', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings({ jsonData: {} })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByRole('radio', { name: 'Folder on the Grafana server' })).toBeChecked();
    expect(screen.queryByLabelText(/Proxy URL/)).not.toBeInTheDocument();
    expect(screen.queryByPlaceholderText('API key')).not.toBeInTheDocument();
    expect(screen.getByText(/under the system's temporary folder/)).toBeInTheDocument();
    fireEvent.change(screen.getByRole('textbox', { name: /^Folder/ }), { target: { value: ' /data/results ' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { folder: '/data/results' } }));
    fireEvent.change(screen.getByLabelText(/Cache folder/), { target: { value: '/var/cache/simviz' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { cacheFolder: '/var/cache/simviz' } }));
  });

  it('asks for an absolute folder path', () => {
    const { rerender } = render(<ConfigEditor options={settings({ jsonData: { mode: 'folder', folder: 'results' } })} onOptionsChange={jest.fn()} />);
    expect(screen.getByText(/Give an absolute path/)).toBeInTheDocument();
    rerender(<ConfigEditor options={settings({ jsonData: { mode: 'folder', folder: 'runs=/data/results' } })} onOptionsChange={jest.fn()} />);
    expect(screen.queryByText(/Give an absolute path/)).not.toBeInTheDocument();
  });

  it('shows a datasource saved before the modes (a proxy URL, no mode) as a proxy one', () => {
    render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    expect(screen.getByRole('radio', { name: 'SimViz proxy' })).toBeChecked();
    expect(screen.queryByRole('textbox', { name: /^Folder/ })).not.toBeInTheDocument();
  });

  it('stores the chosen mode, keeping the other settings', () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.click(screen.getByRole('radio', { name: 'Folder on the Grafana server' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { proxyUrl: 'http://proxy:9800', mode: 'folder' } }));
    rerender(<ConfigEditor options={settings({ jsonData: { proxyUrl: 'http://proxy:9800', mode: 'folder' } })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByRole('textbox', { name: /^Folder/ })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('radio', { name: 'SimViz proxy' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { proxyUrl: 'http://proxy:9800', mode: 'proxy' } }));
  });
});
