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
