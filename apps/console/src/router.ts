import { createRouter, createWebHashHistory } from 'vue-router';
import LoginView from './views/LoginView.vue';
import { session } from './session';

/**
 * The sign-in page is in the first chunk (it is what everyone opens first, on a slow county line); the
 * signed-in shell and every view are chunks of their own, loaded after signing in.
 */
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', component: LoginView },
    {
      path: '/',
      component: () => import('./Shell.vue'),
      children: [
        // signed out, `/` goes straight to the login (no `next`): after it, each person starts on their own page
        { path: '', redirect: () => (session.token ? session.home : '/login') },
        // `staff`: dispatchers and admins only (the api answers 403 to anyone else)
        { path: 'queue', component: () => import('./views/QueueView.vue'), meta: { staff: true } },
        { path: 'orders/:id', component: () => import('./views/OrderView.vue'), props: true, meta: { staff: true } },
        { path: 'map', component: () => import('./views/MapView.vue'), meta: { staff: true } },
        { path: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { staff: true } },
        { path: 'menu', component: () => import('./views/MenuView.vue'), meta: { staff: true } },
        { path: 'teams', component: () => import('./views/TeamsView.vue'), meta: { staff: true } },
        { path: 'staff', component: () => import('./views/StaffView.vue'), meta: { staff: true } },
        // 志愿服务记录: themed activities, review of pending minutes, corrections, certificates, pickups
        { path: 'activities', component: () => import('./views/ActivitiesView.vue'), meta: { staff: true } },
        { path: 'record', component: () => import('./views/RecordView.vue'), meta: { staff: true } },
        { path: 'dead-letters', component: () => import('./views/DeadLettersView.vue'), meta: { staff: true } },
        // 爱心超市 catalogue: items and their points price per region
        { path: 'redemption-items', component: () => import('./views/RedemptionItemsView.vue'), meta: { staff: true } },
        // 一人一档 and 代点单: grid workers, dispatchers and admins
        { path: 'beneficiaries', component: () => import('./views/BeneficiariesView.vue') },
        // proactive care: missed check-ins and today's visits (grid workers, dispatchers and admins)
        { path: 'care', component: () => import('./views/CareView.vue') },
        // interop: webhooks and Open311 keys (admins), spreadsheet import (profiles: grid workers too), the 台账 export (staff)
        { path: 'interop', component: () => import('./views/InteropView.vue'), meta: { staff: true } },
        { path: 'imports', component: () => import('./views/ImportsView.vue') },
        { path: 'ledger', component: () => import('./views/LedgerView.vue'), meta: { staff: true } },
      ],
    },
    { path: '/:rest(.*)*', redirect: () => (session.token ? session.home : '/login') },
  ],
});

router.beforeEach((to) => {
  if (to.path !== '/login' && !session.token) return { path: '/login', query: { next: to.fullPath } };
  // a grid worker following a staff link (or an old bookmark) lands on their own page, not on a 403
  if (to.meta.staff && session.token && !session.isStaff) return { path: session.home };
});
