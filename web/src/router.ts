// A History API router: real paths (the server answers index.html for any
// non-/api path), page state in the query string so every view is bookmarkable.

export interface Ctx {
  path: string;
  params: string[];
  query: URLSearchParams;
  /** Aborted when the user leaves the page: pass it to every request. */
  signal: AbortSignal;
  main: HTMLElement;
  onCleanup(fn: () => void): void;
  title(text: string): void;
}

export type Page = (ctx: Ctx) => void | Promise<void>;

interface Route {
  re: RegExp;
  page: Page;
  public?: boolean;
}

const routes: Route[] = [];
let current: { ctrl: AbortController; cleanups: (() => void)[] } | null = null;
let guard: (path: string) => string | null = () => null;
let mainEl: HTMLElement;
let onRendered: (path: string) => void = () => {};

export function route(re: RegExp, page: Page, opts: { public?: boolean } = {}): void {
  routes.push({ re, page, public: opts.public });
}

/** guard(path) returns a URL to go to instead (e.g. the login page), or null. */
export function startRouter(main: HTMLElement, g: typeof guard, rendered: typeof onRendered): void {
  mainEl = main;
  guard = g;
  onRendered = rendered;
  window.addEventListener('popstate', () => void render(false));
  // "#/board/demo" (a link a wall screen may have bookmarked) is the path /board/demo.
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/')) void render(false);
  });
  document.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element).closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
  });
  void render(true);
}

export function navigate(url: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render(false);
}

/** Re-renders the current page (after login, or a periodic refresh). */
export function reload(): void {
  void render(false, true);
}

/** Builds a path with a query string, leaving out empty values. */
export function link(path: string, query: Record<string, string | number | null | undefined> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** Current query with some values changed (null removes). */
export function withParams(changes: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return s ? `${location.pathname}?${s}` : location.pathname;
}

async function render(initial: boolean, keepScroll = false): Promise<void> {
  if (location.hash.startsWith('#/')) history.replaceState(null, '', location.hash.slice(1));
  const path = location.pathname;
  const redirect = guard(path + location.search);
  if (redirect) {
    history.replaceState(null, '', redirect);
    return render(initial);
  }
  if (current) {
    current.ctrl.abort();
    for (const fn of current.cleanups) {
      try {
        fn();
      } catch {
        /* a cleanup must not stop navigation */
      }
    }
  }
  const ctrl = new AbortController();
  const cleanups: (() => void)[] = [];
  current = { ctrl, cleanups };

  let match: RegExpExecArray | null = null;
  let page: Page = notFound;
  for (const r of routes) {
    match = r.re.exec(path);
    if (match) {
      page = r.page;
      break;
    }
  }
  const params = match ? match.slice(1).map((p) => (p === undefined ? '' : decodeURIComponent(p))) : [];
  const scrollY = window.scrollY;
  mainEl.replaceChildren();
  const ctx: Ctx = {
    path,
    params,
    query: new URLSearchParams(location.search),
    signal: ctrl.signal,
    main: mainEl,
    onCleanup: (fn) => cleanups.push(fn),
    title: (t) => {
      document.title = t ? `${t} · Chollima` : 'Chollima';
    },
  };
  onRendered(path);
  try {
    await page(ctx);
  } catch (e) {
    if ((e as Error).name !== 'AbortError') console.error(e);
  }
  if (keepScroll) window.scrollTo(0, scrollY);
  else if (!initial) {
    window.scrollTo(0, 0);
    // Move focus to the new page's heading so keyboard and screen reader users follow.
    const h1 = mainEl.querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
  }
}

const notFound: Page = (ctx) => {
  ctx.title('Not found');
  const h1 = document.createElement('h1');
  h1.textContent = 'Page not found';
  const p = document.createElement('p');
  const a = document.createElement('a');
  a.href = '/';
  a.textContent = 'Go to the overview';
  p.append(a);
  ctx.main.append(h1, p);
};
