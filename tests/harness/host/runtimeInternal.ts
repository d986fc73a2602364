/**
 * Grafana core installs its panel renderer through @grafana/runtime's internal entry, which the
 * package's exports map does not publish. The harness reaches the same module file directly, so
 * the `PanelRenderer` binding plugins import is the one it sets.
 */
import type { ComponentType } from 'react';
import type { PanelRendererProps } from '@grafana/runtime';
// @ts-expect-error -- a path past the exports map has no type declarations
import * as panelRendererModule from '../../../node_modules/@grafana/runtime/dist/esm/components/PanelRenderer.mjs';

export const setPanelRenderer = (panelRendererModule as { setPanelRenderer: (renderer: ComponentType<PanelRendererProps>) => void }).setPanelRenderer;
