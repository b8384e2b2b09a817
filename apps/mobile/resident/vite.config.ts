import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';
import uni from '@dcloudio/vite-plugin-uni';

// '@shared' is apps/web-shared, as in the console (labels, time helpers, the typed api schema)
export default defineConfig({
  plugins: [uni()],
  resolve: { alias: { '@shared': fileURLToPath(new URL('../../web-shared', import.meta.url)) } },
});
