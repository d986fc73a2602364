/**
 * Datasource instances by uid, one per saved version of the settings, as the SDK's instance
 * manager keeps them: saving the settings replaces the instance, and the old one is closed once
 * the requests that hold it have had time to finish.
 */
import type { Logger } from 'pino';

import type { PluginContextMessage } from '../grpc/messages';
import { parseSettings, SettingsError } from '../settings';
import { openInstance, type Instance } from './instance';

/** Requests still running on replaced settings get this long before their instance closes. */
const RETIRE_AFTER_MS = 60_000;

interface Entry {
  version: string;
  instance: Promise<Instance>;
}

export class Instances {
  private readonly entries = new Map<string, Entry>();
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** The instance for the request's datasource; rejects with a message for the user when its settings are unusable. */
  async get(context: PluginContextMessage | null): Promise<Instance> {
    const message = context?.dataSourceInstanceSettings;
    if (!message) {
      throw new SettingsError('the request names no datasource (Grafana sends its settings with every call)');
    }
    const settings = parseSettings(message);
    const current = this.entries.get(settings.uid);
    if (current?.version === settings.version) {
      return current.instance;
    }
    if (current) {
      this.retire(current);
    }
    const instance = openInstance(settings, this.logger);
    const entry = { version: settings.version, instance };
    this.entries.set(settings.uid, entry);
    // A failed open (a missing folder) is tried again by the next request, not remembered.
    instance.catch(() => {
      if (this.entries.get(settings.uid) === entry) {
        this.entries.delete(settings.uid);
      }
    });
    return instance;
  }

  private retire(entry: Entry): void {
    const closing = new Promise<void>((resolve) => setTimeout(resolve, RETIRE_AFTER_MS).unref())
      .then(() => entry.instance)
      .then((instance) => instance.close())
      .catch((error: unknown) => this.logger.warn({ err: error }, 'closing a replaced datasource instance failed'))
      .finally(() => this.retiring.delete(closing));
    this.retiring.add(closing);
  }

  async closeAll(): Promise<void> {
    const open = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(open.map((entry) => entry.instance.then((instance) => instance.close()).catch(() => undefined)));
  }
}
