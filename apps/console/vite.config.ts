import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

/** The console is served by the api under /console/ (apps/api/src/web/web-apps.ts). */
export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  resolve: { alias: { '@shared': fileURLToPath(new URL('../web-shared', import.meta.url)) } },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { output: { manualChunks: { echarts: ['echarts'], 'element-plus': ['element-plus'] } } },
  },
});
