import { defineConfig } from 'vite';

// Served by the control listener at /console/ under a strict CSP (script-src 'self';
// style-src 'self'): one module script and CSS files, nothing inline.
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The polyfill would be inlined into the entry; every browser the console targets has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
