// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no canvas. Grafana's auto-sizing inputs measure text with a 2D context; an
// approximate width is all they need to lay out.
if (typeof HTMLCanvasElement !== 'undefined') {
  HTMLCanvasElement.prototype.getContext = () => ({
    measureText: (text) => ({ width: String(text).length * 7 }),
    font: '',
  });
}

// jsdom has no IntersectionObserver; the Combobox list uses one only to load more options on scroll.
if (typeof window !== 'undefined' && !('IntersectionObserver' in window)) {
  window.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
}

// CI machines run the suite with two CPUs and a proxy per test file; Testing Library's default
// one-second wait for an element is shorter than a cold page load there. A missing element still
// fails the test, only after five seconds. A test then needs room for a few such waits: Jest's
// testTimeout is a global option (a project's own is ignored), so the UI tests set theirs here.
if (typeof window !== 'undefined') {
  const { configure } = require('@testing-library/react');
  configure({ asyncUtilTimeout: 5000 });
  jest.setTimeout(20_000);
}
