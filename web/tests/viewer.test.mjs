// A viewer has no forms; when it tries an import anyway, the server's 403 is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TEST_TIMEOUT, login, newPage, shot, skipUnless, tid, withBrowser } from './harness.mjs';

test('a viewer sees no forms, and an import it tries anyway is refused (403)', { skip: skipUnless('viewer'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'viewer');
    assert.equal(await page.locator(tid('user-role')).innerText(), 'viewer');
    assert.equal(await page.locator(tid('nav-import')).count(), 0, 'no import link for a viewer');
    assert.equal(await page.locator(tid('nav-report')).count(), 0, 'no report link for a viewer');

    await page.goto(`${BASE}/import`);
    await page.locator(tid('role-notice')).waitFor();
    assert.equal(await page.locator(tid('import-form')).count(), 0, 'the form is hidden');
    await page.locator(tid('role-override')).click();
    await page.locator(tid('import-kind')).selectOption('calendar');
    await page.locator(tid('import-text')).fill('date,kind\n2026-05-01,holiday\n');
    await page.locator(tid('import-dry-run')).click();
    const msg = page.locator(`${tid('import-message')}[data-status="403"]`);
    await msg.waitFor();
    assert.match(await msg.innerText(), /not allowed/i);
    await shot(page, 'import-forbidden');
    assert.deepEqual(page.errors, []);
  }));
