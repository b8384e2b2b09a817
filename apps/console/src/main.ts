import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';
import './style.css';

// Element Plus components are imported per component where templates use them (vite.config.ts)
createApp(App).use(i18n).use(router).mount('#app');
