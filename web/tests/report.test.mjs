// A reporter enters a report for its unit: the fulfilment shown changes, and the
// status change arrives in the live feed. The original value is put back after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT, apiFromPage, login, newPage, settled, shot, skipUnless, tid, users, withBrowser } from './harness.mjs';

/**
 * Picks an indicator of the unit and a value for `date` that changes its month's
 * status: raises a summed higher-is-better output above plan, or lowers it below.
 */
async function chooseReport(page, unit, date) {
  const month = date.slice(0, 7);
  const inds = (await apiFromPage(page, 'GET', '/api/indicators')).json.indicators;
  const byCode = new Map(inds.map((i) => [i.code, i]));
  const f = await apiFromPage(page, 'GET', `/api/units/${encodeURIComponent(unit)}/fulfilment?period=${month}`);
  assert.equal(f.status, 200, `fulfilment of ${unit}: ${f.text}`);
  for (const r of f.json.rows) {
    const ind = byCode.get(r.indicator);
    if (!ind || ind.numerator || ind.direction !== 'higher' || ind.aggregation !== 'sum' || !r.plan) continue;
    const s = await apiFromPage(page, 'GET', `/api/units/${encodeURIComponent(unit)}/series?indicator=${r.indicator}&from=${date}&to=${date}&grain=day`);
    const old = s.json.points?.[0]?.actual ?? null;
    const dayValue = old ?? 0;
    const actual = r.actual ?? 0;
    let value;
    if (r.status === 'overfulfilled' || r.status === 'fulfilled') {
      value = dayValue - (actual - r.plan) - 0.03 * r.plan; // below plan
      if (value < 0) continue;
    } else {
      value = dayValue + (r.plan - actual) + 0.03 * r.plan; // above plan
    }
    return { indicator: r.indicator, value: Math.round(value * 10) / 10, old, before: r };
  }
  throw new Error(`no summed output indicator of ${unit} whose status a report on ${date} can change`);
}

test('a reporter enters a report: the fulfilment changes and an event reaches the feed', { skip: skipUnless('reporter'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    const unit = users.reporter.unit;
    await login(page, 'reporter');
    await page.locator(`${tid('live-state')}[data-state="open"]`).waitFor();
    await page.locator(tid('nav-report')).click();
    await page.locator(tid('report-form')).waitFor();
    await settled(page);

    // client-side validation first: an empty value is refused before any request
    await page.locator(tid('report-unit')).selectOption(unit);
    await page.locator(tid('report-value')).fill('');
    await page.locator(tid('report-submit')).click();
    await page.locator(tid('report-value-error')).filter({ hasText: /value/i }).waitFor();
    await page.locator(tid('report-value')).fill('-5');
    await page.locator(tid('report-submit')).click();
    await page.locator(tid('report-value-error')).filter({ hasText: /negative/i }).waitFor();

    const date = await page.locator(tid('report-date')).inputValue();
    assert.match(date, /^\d{4}-\d{2}-\d{2}$/, 'the day defaults to the latest reported day');
    const choice = await chooseReport(page, unit, date);
    await page.locator(tid('report-indicator')).selectOption(choice.indicator);
    await page.locator(tid('report-value')).fill(String(choice.value));
    await shot(page, 'report-form');
    await page.locator(tid('report-submit')).click();

    try {
      const msg = page.locator(`${tid('report-message')}[data-kind="ok"]`);
      await msg.waitFor();
      await page.locator(tid('report-fulfilment-percent')).waitFor();
      const before = (await page.locator(tid('report-fulfilment-before')).innerText()).trim();
      const after = (await page.locator(tid('report-fulfilment-percent')).innerText()).trim();
      assert.notEqual(after, before, `the percent changed (${before} → ${after})`);
      const status = await page.locator(tid('report-fulfilment-status')).getAttribute('data-status');
      assert.notEqual(status, choice.before.status, `the status changed from ${choice.before.status}`);
      await shot(page, 'report');

      // the status change arrives through /api/events
      await page.locator(tid('nav-feed')).click();
      await page.locator(tid('page-feed')).waitFor();
      const item = page.locator(`${tid('feed-item')}[data-unit="${unit}"]`).first();
      await item.waitFor({ timeout: 20_000 });
      assert.match(await item.innerText(), new RegExp(unit));
      await settled(page);
      await shot(page, 'feed');
      assert.deepEqual(page.errors, []);
    } finally {
      // put the day's value back (a correction, so the demo data stays as it was)
      if (choice.old !== null) {
        await apiFromPage(page, 'POST', '/api/reports', { unit, indicator: choice.indicator, date, value: choice.old }).catch(() => {});
      }
    }
  }));

test('the server refuses a report for a unit the reporter does not report for', { skip: skipUnless('reporter'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'reporter');
    // not through the form (its unit list only holds the reporter's units): straight to the API
    const units = await apiFromPage(page, 'GET', '/api/units?limit=50');
    const other = units.json.units.find((u) => u.code !== users.reporter.unit);
    const r = await apiFromPage(page, 'POST', '/api/reports', { unit: other.code, indicator: 'quality', date: '2026-01-05', value: 1 });
    assert.ok(r.status === 403 || r.status === 422, `refused, got ${r.status}: ${r.text}`);
  }));
