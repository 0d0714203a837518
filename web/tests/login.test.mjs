// Login: a wrong password is refused with a message; the admin sees the overview
// (also on a phone and in wall-screen mode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TEST_TIMEOUT, login, newPage, settled, shot, skipUnless, tid, users, withBrowser } from './harness.mjs';

test('a wrong password shows an error and stays on the login page', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await page.goto(`${BASE}/`);
    await page.waitForURL(/\/login/);
    await page.locator(tid('login-name')).fill(users.admin.name);
    await page.locator(tid('login-password')).fill(`wrong-${Date.now()}`);
    await page.locator(tid('login-submit')).click();
    const err = page.locator(tid('login-error'));
    await err.waitFor({ state: 'visible' });
    assert.match(await err.innerText(), /wrong name or password|too many attempts/i);
    assert.match(new URL(page.url()).pathname, /^\/login/);
    assert.equal(await page.locator(tid('user-name')).count(), 0);
    await shot(page, 'login-error');
    assert.deepEqual(page.errors, []);
  }));

test('the admin logs in and sees the national overview', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    const t0 = Date.now();
    await login(page, 'admin');
    await page.locator(tid('page-overview')).waitFor();
    assert.equal(await page.locator(tid('user-role')).innerText(), 'admin');
    await page.locator(tid('kpi-units-over')).waitFor();
    const tables = page.locator('[data-testid^="table-"]');
    await tables.first().waitFor();
    assert.ok((await tables.count()) >= 1, 'at least one hierarchy table');
    assert.ok((await page.locator('[data-testid^="table-"] tbody tr').count()) >= 2, 'the tables have rows');
    // every status is written out, not shown by colour only
    const firstStatus = page.locator('[data-testid^="table-"] .status, [data-testid^="table-"] .mcell').first();
    assert.ok((await firstStatus.innerText()).trim().length > 1);
    await page.locator(`${tid('trend-chart')} canvas`).waitFor({ timeout: 30_000 });
    await settled(page, 30_000);
    console.log(`# overview complete in ${Date.now() - t0} ms (login included)`);
    await shot(page, 'overview');

    // choose one indicator: KPIs and tables follow, the URL keeps it
    const sel = page.locator(tid('indicator-select'));
    const values = await sel.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    await sel.selectOption(values[0]);
    await page.waitForURL(/indicator=/);
    await page.locator(`${tid('trend-chart')} canvas`).waitFor({ timeout: 30_000 });
    await settled(page, 30_000);
    await shot(page, 'overview-indicator');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE}/`);
    await page.locator(`${tid('trend-chart')} canvas`).waitFor({ timeout: 30_000 });
    await settled(page, 30_000);
    await shot(page, 'overview-phone');

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${BASE}/?wall=1`);
    await page.locator(`${tid('trend-chart')} canvas`).waitFor({ timeout: 30_000 });
    await settled(page, 30_000);
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('wall')), true);
    await shot(page, 'overview-wall');
    assert.deepEqual(page.errors, []);
  }));
