// Drill-down: province → county → unit, and the unit's charts and report history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT, login, newPage, settled, shot, skipUnless, tid, withBrowser } from './harness.mjs';

test('the admin drills down province → county → unit and sees the unit chart', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'admin');
    await page.locator(tid('nav-drill')).click();
    await page.locator(tid('page-drill')).waitFor();
    await page.locator(tid('drill-table')).waitFor();
    await settled(page);

    // level 1 (provinces)
    const province = page.locator('[data-testid^="group-link-"]').first();
    const provinceName = (await province.innerText()).trim();
    await province.click();
    await page.locator(tid('crumb-1')).waitFor();
    assert.equal((await page.locator(tid('crumb-1')).innerText()).trim(), provinceName);
    await page.locator(tid('drill-table')).waitFor();
    await settled(page);
    await shot(page, 'drill-province');

    // level 2 (counties)
    const county = page.locator('[data-testid^="group-link-"]').first();
    const countyName = (await county.innerText()).trim();
    await county.click();
    await page.locator(tid('crumb-2')).waitFor();
    assert.equal((await page.locator(tid('crumb-2')).innerText()).trim(), countyName);
    await page.locator('[data-testid^="unit-link-"]').first().waitFor();
    await settled(page);
    await shot(page, 'drill-county');
    // the breadcrumb leads back up
    assert.equal(await page.locator(`${tid('crumb-1')}`).evaluate((a) => a.tagName), 'A');

    // a unit
    const unit = page.locator('[data-testid^="unit-link-"]').first();
    const code = await unit.getAttribute('data-code');
    await unit.click();
    await page.locator(tid('page-unit')).waitFor();
    assert.equal((await page.locator(tid('unit-code')).innerText()).trim(), code);
    await page.locator(tid('unit-fulfilment')).waitFor();
    const dayChart = page.locator(`${tid('unit-day-chart')} canvas`);
    await dayChart.waitFor({ timeout: 30_000 });
    await page.locator(`${tid('unit-month-chart')} canvas`).waitFor({ timeout: 30_000 });

    // click a day in the chart: its report history appears
    const over = page.locator(`${tid('unit-day-chart')} .u-over`);
    const box = await over.boundingBox();
    assert.ok(box, 'the chart has a plotting area');
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.locator(tid('unit-history-title')).waitFor();
    await settled(page);
    await shot(page, 'unit');
    assert.deepEqual(page.errors, []);
  }));
