// Browser test harness: Chromium through playwright-core against a running
// chollima server (or dev/mock-server.mjs).
//
// Environment:
//   CHOLLIMA_URL                 the server, e.g. http://127.0.0.1:8080 (tests skip when unset)
//   CHOLLIMA_ADMIN, CHOLLIMA_ADMIN_PASSWORD
//   CHOLLIMA_REPORTER, CHOLLIMA_REPORTER_PASSWORD, CHOLLIMA_REPORTER_UNIT
//   CHOLLIMA_VIEWER, CHOLLIMA_VIEWER_PASSWORD
//   CHOLLIMA_SCREENSHOTS         where PNGs go (default web/test-results/)
//   CHROMIUM                     the browser (default /usr/bin/chromium)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;

export const BASE = (env.CHOLLIMA_URL ?? '').replace(/\/+$/, '');
export const SCREENSHOTS = path.resolve(env.CHOLLIMA_SCREENSHOTS || path.join(here, '..', 'test-results'));
export const TIMEOUT = 15_000; // any single wait
export const TEST_TIMEOUT = 120_000; // a whole scenario

export const users = {
  admin: { name: env.CHOLLIMA_ADMIN, password: env.CHOLLIMA_ADMIN_PASSWORD },
  reporter: { name: env.CHOLLIMA_REPORTER, password: env.CHOLLIMA_REPORTER_PASSWORD, unit: env.CHOLLIMA_REPORTER_UNIT },
  viewer: { name: env.CHOLLIMA_VIEWER, password: env.CHOLLIMA_VIEWER_PASSWORD },
};

/** A skip reason (string) when the scenario cannot run, else false. */
export function skipUnless(...roles) {
  if (!BASE) {
    return 'CHOLLIMA_URL is not set: start `chollima serve` (or `node dev/mock-server.mjs`) and set CHOLLIMA_URL=http://HOST:PORT plus the CHOLLIMA_* credentials (see web/README.md)';
  }
  for (const r of roles) {
    const u = users[r];
    if (!u?.name || !u?.password) return `set CHOLLIMA_${r.toUpperCase()} and CHOLLIMA_${r.toUpperCase()}_PASSWORD to run this scenario`;
    if (r === 'reporter' && !u.unit) return 'set CHOLLIMA_REPORTER_UNIT (a unit the reporter reports for)';
  }
  return false;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium (playwright gives it a fresh user-data-dir). */
export async function launch() {
  return chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/** A new page in its own context; page errors are collected in page.errors. */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1366, height: 900 },
    locale: opts.locale ?? 'en-GB',
    timezoneId: 'UTC',
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(`console: ${m.text()}`);
  });
  return page;
}

export const tid = (id) => `[data-testid="${id}"]`;

/** Logs in through the login page; waits for the overview (or `next`). */
export async function login(page, who, next = '/') {
  const u = users[who];
  await page.goto(`${BASE}/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.locator(tid('login-name')).fill(u.name);
  await page.locator(tid('login-password')).fill(u.password);
  await page.locator(tid('login-submit')).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: TIMEOUT });
  await page.locator(tid('user-name')).waitFor();
}

/** Saves a full-page screenshot as NAME.png; returns its path. */
export async function shot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: TIMEOUT });
  return file;
}

/** Waits until the page has no "Loading…" placeholder left. */
export async function settled(page, timeout = TIMEOUT) {
  await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout });
}

/** Calls the API from inside the page (same cookies; CSRF from /api/me). */
export async function apiFromPage(page, method, url, body) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const headers = { Accept: 'application/json' };
      if (method !== 'GET') {
        const me = await fetch('/api/me', { credentials: 'same-origin' }).then((r) => r.json());
        headers['X-CSRF-Token'] = me.csrf;
        headers['Content-Type'] = 'application/json';
      }
      const r = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, json, text };
    },
    { method, url, body },
  );
}

/** Runs fn with a browser that is always closed afterwards. */
export async function withBrowser(fn) {
  const browser = await launch();
  try {
    return await fn(browser);
  } finally {
    await browser.close().catch(() => {});
  }
}

/** The latest reported day (the as_of /api/fulfilment answers without as_of). */
export async function latestDay(page) {
  const hs = await apiFromPage(page, 'GET', '/api/hierarchies');
  const by = hs.json.hierarchies[0].code;
  const f = await apiFromPage(page, 'GET', `/api/fulfilment?period=${new Date().getFullYear()}&by=${encodeURIComponent(by)}`);
  return f.json.as_of;
}
