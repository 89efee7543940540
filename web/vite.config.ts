import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    // web/dist is what the all-in-one server and the web image (deploy/docker/web.Dockerfile) serve.
    outDir: 'dist',
    emptyOutDir: true,
    // The video page's chunk is mostly hls.js (~500 kB); it loads with that page only.
    // Shaka Player's (~700 kB) loads only once a viewer picks it in the Player menu.
    chunkSizeWarningLimit: 750,
  },
  server: {
    host: '127.0.0.1',
    // The API serves /api during development.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
