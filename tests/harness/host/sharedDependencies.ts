/**
 * The modules Grafana shares with plugins (the plugin's webpack externals resolve to these), from
 * one copy each in the host bundle, registered under the same names and `package:` prefix as
 * Grafana's loader. A plugin that bundled its own React or @grafana/ui would break here as it
 * breaks in Grafana.
 */
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import lodash from 'lodash';
import moment from 'moment';
import React from 'react';
import * as ReactDom from 'react-dom';
import * as ReactDomClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as reactRouter from 'react-router';
import * as reactRouterDom from 'react-router-dom';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';

import { SystemJS } from './systemjs';

const PREFIX = 'package';

type ModuleRecord = Record<string, unknown>;

/** CommonJS-style modules whose default export is the whole API, as Grafana marks them. */
function withDefault(value: unknown): ModuleRecord {
  return { ...(value as ModuleRecord), default: value, __useDefault: true };
}

export const sharedDependencies: Record<string, ModuleRecord> = {
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  lodash: withDefault(lodash),
  moment: withDefault(moment),
  react: withDefault(React),
  'react-dom': withDefault(ReactDom),
  'react-dom/client': ReactDomClient,
  'react/jsx-runtime': jsxRuntime,
  'react-router': reactRouter,
  'react-router-dom': reactRouterDom,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

export function registerSharedDependencies(): void {
  const imports: Record<string, string> = {};
  for (const [name, module] of Object.entries(sharedDependencies)) {
    const id = `${PREFIX}:${name}`;
    SystemJS.set(id, module);
    imports[name] = id;
  }
  SystemJS.addImportMap({ imports });
}
