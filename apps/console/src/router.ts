import { createRouter, createWebHashHistory } from 'vue-router';
import { session } from './session';

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', component: () => import('./views/LoginView.vue') },
    { path: '/', redirect: '/queue' },
    { path: '/queue', component: () => import('./views/QueueView.vue') },
    { path: '/orders/:id', component: () => import('./views/OrderView.vue'), props: true },
    { path: '/map', component: () => import('./views/MapView.vue') },
    { path: '/dashboard', component: () => import('./views/DashboardView.vue') },
    { path: '/menu', component: () => import('./views/MenuView.vue') },
    { path: '/teams', component: () => import('./views/TeamsView.vue') },
    { path: '/staff', component: () => import('./views/StaffView.vue') },
  ],
});

router.beforeEach((to) => {
  if (to.path !== '/login' && !session.token) return { path: '/login', query: { next: to.fullPath } };
});
