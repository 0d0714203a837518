import { defineConfig } from 'vite';

// The chollima binary serves dist/ at '/', with the JSON API under /api.
// `npm run dev` proxies /api to CHOLLIMA_URL (default: the mock server's default port).
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target: process.env.CHOLLIMA_URL ?? 'http://127.0.0.1:8090', changeOrigin: false },
    },
  },
});
