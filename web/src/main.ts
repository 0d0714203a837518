// Entry point: the page shell (header, navigation, main), the session check and the routes.

import './styles.css';
import { api, ApiError, clearCaches, onUnauthenticated } from './api';
import { h, replace } from './dom';
import { liveState, markSeen, onLive, startLive, stopLive, unseenCount } from './live';
import { link, navigate, reload, route, startRouter } from './router';
import { can, currentUser, onUserChange, setSession } from './session';
import { loginPage } from './pages/login';
import { overviewPage } from './pages/overview';
import { drillPage } from './pages/drill';
import { unitPage } from './pages/unit';
import { unitsPage } from './pages/units';
import { reportPage } from './pages/report';
import { importPage } from './pages/import';
import { feedPage } from './pages/feed';

// ---- wall-screen mode (?wall=1 on any page; remembered for the tab) ----------
const WALL_KEY = 'chollima.wall';
function initWall(): void {
  const q = new URLSearchParams(location.search).get('wall');
  if (q === '1' || q === 'true') sessionStorage.setItem(WALL_KEY, '1');
  else if (q === '0' || q === 'false') sessionStorage.removeItem(WALL_KEY);
  applyWall();
}
function isWall(): boolean {
  return sessionStorage.getItem(WALL_KEY) === '1';
}
function applyWall(): void {
  document.documentElement.classList.toggle('wall', isWall());
}

// ---- shell --------------------------------------------------------------------
const app = document.getElementById('app')!;
const header = h('header', { class: 'top' });
const main = h('main', { id: 'main', tabindex: '-1' });

const NAV: { path: string; label: string; testid: string; show?: () => boolean }[] = [
  { path: '/', label: 'Overview', testid: 'nav-overview' },
  { path: '/drill/region', label: 'Drill-down', testid: 'nav-drill' },
  { path: '/units', label: 'Units', testid: 'nav-units' },
  { path: '/drives', label: 'Drives', testid: 'nav-drives' },
  { path: '/records', label: 'Records', testid: 'nav-records' },
  { path: '/standards', label: 'Standards', testid: 'nav-standards' },
  { path: '/frontier', label: 'Frontier', testid: 'nav-frontier' },
  { path: '/models', label: 'Models', testid: 'nav-models' },
  { path: '/pairs', label: 'Pairs', testid: 'nav-pairs' },
  { path: '/report', label: 'Report', testid: 'nav-report', show: () => can('report') },
  { path: '/import', label: 'Import', testid: 'nav-import', show: () => can('import') },
  { path: '/feed', label: 'Live feed', testid: 'nav-feed' },
];

function isActive(navPath: string, path: string): boolean {
  if (navPath === '/') return path === '/';
  if (navPath === '/drill/region') return path.startsWith('/drill');
  if (navPath === '/drives') return path.startsWith('/drives') || path.startsWith('/board/');
  if (navPath === '/frontier') return path === '/frontier' || /^\/units\/[^/]+\/learning$/.test(path);
  if (navPath === '/units' && /^\/units\/[^/]+\/learning$/.test(path)) return false;
  return path === navPath || path.startsWith(`${navPath}/`);
}

const liveLabels: Record<string, string> = {
  off: 'Live: off',
  connecting: 'Live: connecting…',
  open: 'Live',
  reconnecting: 'Live: reconnecting…',
};

/** The logo: a red square with a rising chevron (inline SVG, no font needed). */
function brandMark(): HTMLElement {
  const span = h('span', { class: 'brand-mark', 'aria-hidden': 'true' });
  span.innerHTML =
    '<svg viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#c62828"/><path d="M7 21l9-9 9 9" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/><path d="M7 26h18" stroke="#ffcf4d" stroke-width="3" stroke-linecap="round"/></svg>';
  return span;
}

let feedBadge: HTMLElement | null = null;
let liveDot: HTMLElement | null = null;

function renderHeader(): void {
  const user = currentUser();
  if (!user) {
    replace(header, h('a', { class: 'brand', href: '/login' }, brandMark(), 'Chollima'));
    feedBadge = liveDot = null;
    return;
  }
  feedBadge = h('span', { class: 'badge', testid: 'feed-badge', hidden: true });
  liveDot = h('span', { class: 'live-state', testid: 'live-state', role: 'status' });
  const navList = h(
    'ul',
    null,
    NAV.filter((n) => !n.show || n.show()).map((n) =>
      h(
        'li',
        null,
        h('a', { href: n.path, testid: n.testid, 'data-nav': n.path }, n.label, n.path === '/feed' ? feedBadge : null),
      ),
    ),
  );
  const wallBtn = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-quiet',
      testid: 'wall-toggle',
      'aria-pressed': String(isWall()),
      title: 'Large type for wall screens',
      onclick: () => {
        if (isWall()) sessionStorage.removeItem(WALL_KEY);
        else sessionStorage.setItem(WALL_KEY, '1');
        applyWall();
        wallBtn.setAttribute('aria-pressed', String(isWall()));
        window.dispatchEvent(new Event('resize')); // charts follow the new type size
      },
    },
    'Wall screen',
  );
  const logoutBtn = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-quiet',
      testid: 'logout',
      onclick: async () => {
        try {
          await api.logout();
        } catch {
          /* the session is dropped locally anyway */
        }
        setSession(null);
        navigate('/login');
      },
    },
    'Log out',
  );
  replace(
    header,
    h('a', { class: 'brand', href: '/' }, brandMark(), 'Chollima'),
    h('nav', { 'aria-label': 'Main' }, navList),
    h(
      'div',
      { class: 'who' },
      liveDot,
      h(
        'span',
        { class: 'user' },
        h('span', { testid: 'user-name' }, user.name),
        ' ',
        h('span', { class: 'role', testid: 'user-role' }, user.role),
      ),
      wallBtn,
      logoutBtn,
    ),
  );
  updateNav(location.pathname);
  updateLive();
}

function updateNav(path: string): void {
  header.querySelectorAll<HTMLAnchorElement>('a[data-nav]').forEach((a) => {
    if (isActive(a.dataset.nav!, path)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  if (path === '/feed') markSeen();
}

function updateLive(): void {
  if (liveDot) {
    const s = liveState();
    liveDot.textContent = liveLabels[s] ?? s;
    liveDot.dataset.state = s;
  }
  if (feedBadge) {
    const n = location.pathname === '/feed' ? 0 : unseenCount();
    feedBadge.hidden = n === 0;
    feedBadge.textContent = n > 99 ? '99+' : String(n);
    feedBadge.setAttribute('aria-label', `${n} new events`);
  }
}

onLive(updateLive);
onUserChange((u) => {
  renderHeader();
  if (u) startLive();
  else {
    stopLive();
    clearCaches();
  }
});

onUnauthenticated(() => {
  if (!currentUser()) return;
  setSession(null);
  const here = location.pathname + location.search;
  navigate(link('/login', { next: here, expired: '1' }), { replace: true });
});

// ---- routes -------------------------------------------------------------------
route(/^\/login$/, loginPage, { public: true });
route(/^\/$/, overviewPage);
route(/^\/drill(?:\/([^/]+))?((?:\/[^/]+)*)\/?$/, drillPage);
route(/^\/unit\/([^/]+)$/, unitPage);
route(/^\/units$/, unitsPage);
route(/^\/report$/, reportPage);
route(/^\/import$/, importPage);
route(/^\/feed$/, feedPage);
// Emulation pages: one chunk of their own, loaded on first use (the overview stays small).
route(/^\/drives$/, (ctx) => import('./pages/drives').then((m) => m.drivesPage(ctx)));
route(/^\/drives\/([^/]+)$/, (ctx) => import('./pages/drives').then((m) => m.drivePage(ctx)));
route(/^\/board\/([^/]+)$/, (ctx) => import('./pages/board').then((m) => m.boardPage(ctx)));
route(/^\/records$/, (ctx) => import('./pages/records').then((m) => m.recordsPage(ctx)));
route(/^\/standards$/, (ctx) => import('./pages/standards').then((m) => m.standardsPage(ctx)));
// Models and learning: the frontier, a unit's learning page, models, pairs (loaded on first use).
route(/^\/frontier$/, (ctx) => import('./pages/frontier').then((m) => m.frontierPage(ctx)));
route(/^\/units\/([^/]+)\/learning$/, (ctx) => import('./pages/learning').then((m) => m.learningPage(ctx)));
route(/^\/models$/, (ctx) => import('./pages/models').then((m) => m.modelsPage(ctx)));
route(/^\/models\/([^/]+)$/, (ctx) => import('./pages/models').then((m) => m.modelPage(ctx)));
route(/^\/pairs$/, (ctx) => import('./pages/pairs').then((m) => m.pairsPage(ctx)));

function guard(url: string): string | null {
  const path = url.split('?')[0];
  const user = currentUser();
  if (!user && path !== '/login') return link('/login', { next: url === '/' ? null : url });
  if (user && path === '/login') {
    const next = new URLSearchParams(url.split('?')[1] ?? '').get('next');
    return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  }
  return null;
}

// In wall mode the overview, drill-down and drive standings refresh themselves every
// minute (the board refreshes itself, and follows the live events).
setInterval(() => {
  const p = location.pathname;
  if (isWall() && currentUser() && (p === '/' || p.startsWith('/drill') || p.startsWith('/drives/'))) reload();
}, 60_000);

async function boot(): Promise<void> {
  initWall();
  try {
    const s = await api.me();
    setSession(s);
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) {
      replace(
        app,
        h(
          'div',
          { class: 'boot-error', role: 'alert' },
          h('h1', null, 'Chollima is not reachable'),
          h('p', null, e instanceof Error ? e.message : String(e)),
          h('button', { type: 'button', class: 'btn', onclick: () => location.reload() }, 'Try again'),
        ),
      );
      return;
    }
    setSession(null);
  }
  replace(app, header, main);
  renderHeader();
  startRouter(main, guard, updateNav);
}

void boot();
