/**
 * plugin.json schema checks (what the validator's `metadatavalid` analyzer does with Grafana's JSON schema).
 *
 * No copy of that schema ships in node_modules: there is no `*plugin*schema*.json` anywhere, and the only
 * "grafanaDependency" hits under node_modules/@grafana are TypeScript types (@grafana/runtime's
 * dist/types/services/pluginMeta/types/types.spec.gen.d.ts, generated from the same schema) and code. The
 * official schema is grafana/grafana `docs/sources/developers/plugins/plugin.schema.json`, which can't be
 * downloaded here. So its rules are written out below as a small shape description: required fields, types,
 * enums, the id pattern, semver `info.version`, the `grafanaDependency` range, the shapes of `includes`,
 * `routes` and `dependencies`, and no unknown keys where the schema forbids them (`additionalProperties: false`).
 * Includes also reject unknown keys (the schema does not say, but a misspelt `addtoNav` is silently ignored
 * by Grafana). If Grafana adds a top-level field, add it to PLUGIN below.
 */

export type Shape =
  | {
      kind: 'string';
      pattern?: RegExp;
      values?: readonly string[];
      nonEmpty?: boolean;
      test?: (value: string) => string | undefined;
    }
  | { kind: 'boolean' }
  | { kind: 'number' }
  | { kind: 'array'; items: Shape; minItems?: number }
  | { kind: 'object'; properties: Record<string, Shape>; required?: readonly string[]; open?: boolean };

/** Where a value is wrong (`info.logos.small`, `includes[2].type`) and how. */
export interface ShapeError {
  where: string;
  message: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return 'an array';
  }
  return value === null ? 'null' : `a ${typeof value}`;
}

/** Checks `value` against `shape`; returns every mismatch (empty when it fits). */
export function checkShape(value: unknown, shape: Shape, where = ''): ShapeError[] {
  const at = (key: string | number): string =>
    typeof key === 'number' ? `${where}[${key}]` : where ? `${where}.${key}` : key;
  const here = where || '(top level)';
  switch (shape.kind) {
    case 'string': {
      if (typeof value !== 'string') {
        return [{ where: here, message: `must be a string, not ${describe(value)}` }];
      }
      if (shape.nonEmpty && value.trim() === '') {
        return [{ where: here, message: 'must not be empty' }];
      }
      if (shape.values && !shape.values.includes(value)) {
        return [{ where: here, message: `${JSON.stringify(value)} is not one of ${shape.values.join(', ')}` }];
      }
      if (shape.pattern && !shape.pattern.test(value)) {
        return [{ where: here, message: `${JSON.stringify(value)} does not match ${shape.pattern.source}` }];
      }
      const problem = shape.test?.(value);
      return problem ? [{ where: here, message: problem }] : [];
    }
    case 'boolean':
    case 'number':
      return typeof value === shape.kind
        ? []
        : [{ where: here, message: `must be a ${shape.kind}, not ${describe(value)}` }];
    case 'array': {
      if (!Array.isArray(value)) {
        return [{ where: here, message: `must be an array, not ${describe(value)}` }];
      }
      const errors: ShapeError[] = [];
      if (shape.minItems !== undefined && value.length < shape.minItems) {
        errors.push({
          where: here,
          message: `needs at least ${shape.minItems} item${shape.minItems === 1 ? '' : 's'}`,
        });
      }
      value.forEach((item: unknown, index) => errors.push(...checkShape(item, shape.items, at(index))));
      return errors;
    }
    case 'object': {
      if (!isRecord(value)) {
        return [{ where: here, message: `must be an object, not ${describe(value)}` }];
      }
      const errors: ShapeError[] = [];
      for (const key of shape.required ?? []) {
        if (!(key in value)) {
          errors.push({ where: at(key), message: 'is required' });
        }
      }
      for (const [key, item] of Object.entries(value)) {
        const property = shape.properties[key];
        if (property) {
          errors.push(...checkShape(item, property, at(key)));
        } else if (!shape.open) {
          errors.push({ where: at(key), message: 'is not a known field' });
        }
      }
      return errors;
    }
  }
}

const string: Shape = { kind: 'string' };
const text: Shape = { kind: 'string', nonEmpty: true };
const boolean: Shape = { kind: 'boolean' };
const number: Shape = { kind: 'number' };
const strings: Shape = { kind: 'array', items: string };
const enumOf = (...values: string[]): Shape => ({ kind: 'string', values });
const object = (properties: Record<string, Shape>, required: readonly string[] = [], open = false): Shape => ({
  kind: 'object',
  properties,
  required,
  open,
});
const arrayOf = (items: Shape, minItems?: number): Shape => ({ kind: 'array', items, minItems });

export const PLUGIN_ID_PATTERN = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource|secretsmanager|transformer)$/;
export const PLUGIN_TYPES = ['app', 'datasource', 'panel', 'renderer', 'secretsmanager', 'transformer'] as const;
const VERSION_PLACEHOLDER = '%VERSION%';
const TODAY_PLACEHOLDER = '%TODAY%';

const absoluteUrl: Shape = {
  kind: 'string',
  test: (value) => (/^[a-z][a-z0-9+.-]*:/i.test(value) ? undefined : `${JSON.stringify(value)} is not an absolute URL`),
};

/** semver.org's regular expression for a version (no `v` prefix). */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const pluginVersion: Shape = {
  kind: 'string',
  test: (value) =>
    value === VERSION_PLACEHOLDER || SEMVER.test(value)
      ? undefined
      : `${JSON.stringify(value)} is not a semver version`,
};

const grafanaRange: Shape = {
  kind: 'string',
  // The schema's pattern: an optional comparator, then major.minor[.patch], optionally a second bound.
  pattern: /^(<=|>=|<|>|=|~|\^)?([0-9]+)(\.[0-9x*]+)(\.[0-9x*]+)?(\s(<=|>=|<|=>)?([0-9]+)(\.[0-9x]+)(\.[0-9x]+))?$/,
};

const logos = object({ small: text, large: text }, ['small', 'large']);

const INFO = object(
  {
    author: object({ name: string, email: string, url: absoluteUrl }),
    build: object({ time: number, repo: string, branch: string, hash: string, number, pr: number, build: number }),
    description: string,
    keywords: arrayOf(text, 1),
    links: arrayOf(object({ name: string, url: absoluteUrl, target: enumOf('_blank', '_self', '_parent', '_top') })),
    logos,
    screenshots: arrayOf(object({ name: string, path: text })),
    updated: {
      kind: 'string',
      test: (value) =>
        value === TODAY_PLACEHOLDER || /^\d{4}-\d{2}-\d{2}$/.test(value)
          ? undefined
          : `${JSON.stringify(value)} is not a YYYY-MM-DD date`,
    },
    version: pluginVersion,
  },
  ['logos', 'version', 'updated', 'keywords']
);

const DEPENDENCIES = object(
  {
    grafanaDependency: grafanaRange,
    grafanaVersion: { kind: 'string', pattern: /^([0-9]+)(\.[0-9x]+)?(\.[0-9x])?$/ },
    plugins: arrayOf(
      object(
        {
          id: { kind: 'string', pattern: PLUGIN_ID_PATTERN },
          type: enumOf('app', 'datasource', 'panel', 'secretsmanager'),
          name: string,
          version: string,
        },
        ['id', 'type', 'name']
      )
    ),
    extensions: object({ exposedComponents: strings }),
  },
  ['grafanaDependency']
);

const INCLUDE = object(
  {
    uid: string,
    type: enumOf('dashboard', 'page', 'panel', 'datasource', 'secretsmanager'),
    name: string,
    component: string,
    role: enumOf('Admin', 'Editor', 'Viewer', 'None'),
    action: string,
    path: string,
    addToNav: boolean,
    defaultNav: boolean,
    icon: string,
  },
  ['type']
);

const nameContent = object({ name: text, content: string }, ['name', 'content']);
const tokenAuth = object({ url: string, scopes: strings, params: object({}, [], true) });

const ROUTE = object(
  {
    path: string,
    method: string,
    url: string,
    reqSignedIn: boolean,
    reqRole: string,
    reqAction: string,
    headers: arrayOf(nameContent),
    body: object({}, [], true),
    tokenAuth,
    jwtTokenAuth: tokenAuth,
    urlParams: arrayOf(object({ name: string, content: string })),
  },
  ['path']
);

const permissions = arrayOf(object({ action: string, scope: string }));
const addition = object({ targets: strings, title: string, description: string }, ['targets', 'title']);
const exposed = object({ id: text, title: string, description: string }, ['id']);

export const PLUGIN = object(
  {
    $schema: string,
    id: { kind: 'string', pattern: PLUGIN_ID_PATTERN },
    type: enumOf(...PLUGIN_TYPES),
    name: text,
    info: INFO,
    dependencies: DEPENDENCIES,
    alerting: boolean,
    aliasIDs: strings,
    annotations: boolean,
    autoEnabled: boolean,
    backend: boolean,
    buildMode: string,
    builtIn: boolean,
    category: enumOf('tsdb', 'logging', 'cloud', 'tracing', 'profiling', 'sql', 'enterprise', 'iot', 'other'),
    enterpriseFeatures: object({ healthDiagnosticsErrors: boolean }, [], true),
    executable: string,
    extensions: object({
      addedComponents: arrayOf(addition),
      addedLinks: arrayOf(addition),
      addedFunctions: arrayOf(addition),
      exposedComponents: arrayOf(exposed),
      extensionPoints: arrayOf(exposed),
    }),
    hideFromList: boolean,
    iam: object({ permissions }),
    includes: arrayOf(INCLUDE),
    languages: strings,
    logs: boolean,
    metrics: boolean,
    multiValueFilterOperators: boolean,
    pascalName: { kind: 'string', pattern: /^([A-Z][a-zA-Z]{1,62})$/ },
    preload: boolean,
    queryOptions: object({ maxDataPoints: boolean, minInterval: boolean, cacheTimeout: boolean }),
    roles: arrayOf(object({ role: object({ name: string, description: string, permissions }), grants: strings })),
    routes: arrayOf(ROUTE),
    skipDataQuery: boolean,
    state: enumOf('alpha', 'beta', 'stable', 'deprecated'),
    streaming: boolean,
    suggestions: boolean,
    tracing: boolean,
  },
  ['type', 'name', 'id', 'info', 'dependencies']
);

/** The schema errors of one parsed plugin.json. */
export function checkPluginJson(json: unknown): ShapeError[] {
  return checkShape(json, PLUGIN);
}
