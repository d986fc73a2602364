import { parseSettings, SettingsError } from './settings';

function settings(jsonData: unknown, secure: Record<string, string> = {}, lastUpdatedMS = 1) {
  return parseSettings({
    id: 1,
    name: 'SimViz',
    url: '',
    uid: 'sv',
    jsonData: Buffer.from(typeof jsonData === 'string' ? jsonData : JSON.stringify(jsonData)),
    decryptedSecureJsonData: secure,
    lastUpdatedMS,
  });
}

describe('datasource settings in the backend', () => {
  it('reads a folder datasource, with a cache folder of its own by default', () => {
    const parsed = settings({ mode: 'folder', folder: '/data/results' });
    expect(parsed.connection).toMatchObject({ mode: 'folder', folder: '/data/results' });
    expect(parsed.connection.mode === 'folder' && parsed.connection.cacheFolder).toMatch(/simviz-backend\/sv$/);
    expect(parsed.defaultTimeAxis).toBe('simulation');
  });

  it('keeps datasources saved before the modes existed (a proxy URL, no mode) as proxy datasources, with the key from the secrets', () => {
    const parsed = settings({ proxyUrl: 'http://simviz-proxy:9800', timeout: 5 }, { apiKey: 'k1' });
    expect(parsed.connection).toEqual({ mode: 'proxy', proxyUrl: 'http://simviz-proxy:9800', apiKey: 'k1', timeoutMs: 5000 });
  });

  it('makes folder mode the default of a new datasource and asks for the folder', () => {
    expect(() => settings({})).toThrow('set the folder of result files on the Grafana server first');
    expect(() => settings('')).toThrow(SettingsError);
  });

  it.each([
    [{ mode: 'ftp' }, 'unknown connection mode "ftp" (folder or proxy)'],
    [{ mode: 'proxy' }, 'set the SimViz proxy URL first'],
    [{ mode: 'proxy', proxyUrl: 'simviz:9800' }, 'must start with http:// or https://'],
    [{ mode: 'proxy', proxyUrl: 'http://p', timeout: -1 }, 'the timeout must be a positive number of seconds'],
    [{ folder: 'results' }, 'the folder must be an absolute path on the Grafana server, not "results"'],
    [{ folder: '/r', cacheFolder: 'cache' }, 'the cache folder must be an absolute path'],
    [{ folder: 7 }, 'the setting folder must be text, not 7'],
    [{ folder: '/r', defaultTimeAxis: 'sideways' }, 'unknown default time axis "sideways"'],
    ['{not json', 'the datasource settings are not JSON'],
    ['[1]', 'the datasource settings are not a JSON object'],
  ])('refuses %j with a message saying what to fix', (jsonData, message) => {
    expect(() => settings(jsonData)).toThrow(message);
  });

  it('changes the version whenever the settings or the secrets change, so an instance is replaced', () => {
    const base = settings({ folder: '/r' }).version;
    expect(settings({ folder: '/r' }).version).toBe(base);
    expect(settings({ folder: '/r' }, {}, 2).version).not.toBe(base);
    expect(settings({ folder: '/s' }).version).not.toBe(base);
    expect(settings({ folder: '/r' }, { apiKey: 'x' }).version).not.toBe(base);
  });
});
