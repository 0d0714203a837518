// Import page: a wrong CSV lists its errors by line; a valid one is counted (dry run only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT, apiFromPage, latestDay, login, newPage, shot, skipUnless, tid, withBrowser } from './harness.mjs';

test('the admin dry-runs a CSV import: errors per line, then counts', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'admin');
    await page.locator(tid('nav-import')).click();
    await page.locator(tid('import-form')).waitFor();
    await page.locator(tid('import-kind')).selectOption('reports');

    // a valid row to start from: some unit's first assignment, on the latest day
    const units = await apiFromPage(page, 'GET', '/api/units?limit=1');
    assert.equal(units.status, 200);
    const unit = units.json.units[0].code;
    const asOf = await latestDay(page);
    const uf = await apiFromPage(page, 'GET', `/api/units/${encodeURIComponent(unit)}/fulfilment?period=${asOf.slice(0, 4)}`);
    const indicator = uf.json.rows[0].indicator;

    await page.locator(tid('import-text')).fill(
      `unit,indicator,date,value\nNO-SUCH-UNIT-X,${indicator},${asOf},12\n${unit},${indicator},${asOf},not-a-number\n`,
    );
    await page.locator(tid('import-dry-run')).click();
    await page.locator(tid('import-errors')).waitFor();
    const errs = page.locator(tid('import-error'));
    assert.ok((await errs.count()) >= 2, 'both wrong lines are listed');
    assert.match(await page.locator(tid('import-errors')).innerText(), /\b2\b/);
    assert.equal(await page.locator(tid('import-message')).getAttribute('data-status'), '422');
    await shot(page, 'import');

    await page.locator(tid('import-text')).fill(`unit,indicator,date,value\n${unit},${indicator},${asOf},1\n`);
    await page.locator(tid('import-dry-run')).click();
    await page.locator(tid('import-count-rows')).waitFor();
    assert.equal((await page.locator(tid('import-count-rows')).innerText()).trim(), '1');
    assert.equal(await page.locator(tid('import-message')).getAttribute('data-kind'), 'ok');
    await shot(page, 'import-dry-run');
    assert.deepEqual(page.errors, []);
  }));
