import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { fileURLToPath } from 'node:url';

/**
 * The console is served by the api under /console/ (apps/api/src/web/web-apps.ts). Element Plus
 * components and their styles are imported where a template uses them (no global install, no
 * 360 KB stylesheet on the sign-in page); scripts/compress-web.mjs precompresses the output.
 */
export default defineConfig({
  base: '/console/',
  // the icon every front end shares (favicon.svg)
  publicDir: fileURLToPath(new URL('../web-shared/public', import.meta.url)),
  plugins: [
    vue(),
    // dts: false — the build must not write files into the source tree
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })], dts: false, dirs: [] }),
  ],
  resolve: { alias: { '@shared': fileURLToPath(new URL('../web-shared', import.meta.url)) } },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
  },
});
