/**
 * The plugin loader Grafana uses: SystemJS with the AMD extra. Grafana moves the global `define`
 * aside and wraps every AMD plugin source so it calls the moved one; the harness does the same.
 */
import 'systemjs/dist/system.js';
import 'systemjs/dist/extras/amd.js';

interface SystemJSPrototype {
  shouldFetch: (url: string) => boolean;
  fetch: (url: string, options?: RequestInit) => Promise<Response>;
  resolve: (id: string, parentUrl?: string) => string;
}

export interface SystemJSInstance {
  import(id: string): Promise<Record<string, unknown>>;
  set(id: string, module: Record<string, unknown>): void;
  addImportMap(map: { imports: Record<string, string> }): void;
  constructor: { prototype: SystemJSPrototype };
}

const system = (window as unknown as { System: SystemJSInstance }).System;

window.__grafana_amd_define = window.define;
window.define = undefined;

const AMD_MODULE = /(^|\n)\s*define\(/;
const prototype = system.constructor.prototype;
// Grafana loads plugin code with fetch + eval (not <script> tags) so that it can transform the source.
prototype.shouldFetch = () => true;
const originalFetch = prototype.fetch;
prototype.fetch = async (url: string, options?: RequestInit) => {
  const response = await originalFetch(url, options);
  if (!/javascript/.test(response.headers.get('content-type') ?? '')) {
    return response;
  }
  const source = await response.text();
  const wrapped = AMD_MODULE.test(source) ? `(function(define) {\n${source}\n})(window.__grafana_amd_define);` : source;
  return new Response(new Blob([wrapped], { type: 'text/javascript' }));
};

// Plugin module paths from the boot data ("public/plugins/<id>/module.js") are not URLs; Grafana's
// resolve hook falls back to loading them relative to the page's <base>.
const originalResolve = prototype.resolve;
prototype.resolve = function (this: unknown, id: string, parentUrl?: string) {
  try {
    return originalResolve.call(this, id, parentUrl);
  } catch (error) {
    if (/^public\//.test(id)) {
      return new URL(id, document.baseURI).href;
    }
    throw error;
  }
};

export const SystemJS = system;
