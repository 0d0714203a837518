// Emulation pages: a drive's standings (league and level filters, rank arrows, zones,
// paging), the wall board receiving live events with a celebration, the records book's
// filters and outlier review, standards with their history, a planner's re-base and
// new standard, and a viewer without any of the write buttons.
//
// The board's events: against the mock (`npm run test:mock`) they come from its test
// hook POST /api/_mock/emit. The real server has no such hook (404): the test then makes
// the server itself emit them, with a report (as the admin) that lifts one unit of a
// league clearly past the one just above it, within the unit's usual range so that it
// is no outlier (engine/records.h), and above its best day when that is still usual, so
// that it is a new record too; afterwards the original value is reported again, which
// withdraws the record and lets the other unit overtake back. Planner scenarios need
// CHOLLIMA_PLANNER and CHOLLIMA_PLANNER_PASSWORD; CHOLLIMA_DRIVE names the drive
// (default demo-drive, the mock's; the real demo's is coal-2026).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TEST_TIMEOUT, apiFromPage, login, newPage, settled, shot, skipUnless, tid, users, withBrowser } from './harness.mjs';

const env = process.env;
users.planner = { name: env.CHOLLIMA_PLANNER, password: env.CHOLLIMA_PLANNER_PASSWORD };
const DRIVE = env.CHOLLIMA_DRIVE || 'demo-drive';

/** Attribute values of every row matching sel. */
const attrs = (page, sel, name) => page.locator(sel).evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

/** Text as a literal part of a regular expression. */
const esc = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/**
 * Whether x reported on a day would be flagged as an outlier of the unit's history
 * (its reports before that day, oldest first), by the rule of engine/records.h with a
 * safety margin: the robust z over the last 90 reports above 6 (the server: 8) while
 * outside their range. Also the z itself.
 */
function outlierOf(history, x) {
  const hs = history.slice(-90);
  if (hs.length < 20) return { flagged: false, z: 0 };
  const m = median(hs);
  const scale = Math.max(1.4826 * median(hs.map((v) => Math.abs(v - m))), 0.05 * Math.abs(m));
  const z = scale === 0 ? (x === m ? 0 : Infinity) : Math.abs(x - m) / scale;
  return { flagged: (x < Math.min(...hs) || x > Math.max(...hs)) && z > 6, z };
}

/** Every row of a standings query (pages of 1000). */
async function allStandings(page, query = '') {
  const first = await apiFromPage(page, 'GET', `/api/drives/${DRIVE}/standings?limit=1000${query}`);
  assert.equal(first.status, 200, first.text);
  const st = first.json;
  while (st.rows.length < st.total) {
    const more = await apiFromPage(page, 'GET', `/api/drives/${DRIVE}/standings?limit=1000&offset=${st.rows.length}${query}`);
    assert.equal(more.status, 200, more.text);
    if (!more.json.rows.length) break;
    st.rows.push(...more.json.rows);
  }
  return st;
}

/**
 * A report that makes the real server emit an overtaking (and, when the unit's usual
 * range allows, a new record): two adjacent scored rows of one league, both in its top
 * ten, the lower one lifted 0.3 points past the upper one by more output on the
 * standings' as-of day. Its coal term gives plan to date = raw * 100 / normalized, so
 * the score moves by weight * 100 * extra / plan. Candidates are tried by the smallest
 * extra output relative to the unit's usual day; the value must not be an outlier.
 * Answers { league, upper, lower, date, original, value, record } or null.
 */
async function planOvertaking(page) {
  const st = await allStandings(page);
  const date = st.as_of;
  const year = date.slice(0, 4);
  const candidates = [];
  const byLeague = new Map();
  for (const r of st.rows) {
    if (!r.scored || r.participant.kind !== 'unit') continue;
    if (!byLeague.has(r.league)) byLeague.set(r.league, []);
    byLeague.get(r.league).push(r);
  }
  for (const [league, rows] of byLeague) {
    rows.sort((a, b) => a.rank - b.rank);
    for (let i = 0; i + 1 < rows.length && rows[i + 1].rank <= 10; i += 1) {
      const [upper, lower] = [rows[i], rows[i + 1]];
      if (upper.rank === lower.rank) continue; // a tie: no clear order to pass
      const part = lower.parts.find((p) => p.indicator === 'coal_output' && p.normalization === 'percent_of_plan');
      if (!part || !(part.raw > 0) || !(part.normalized > 0) || !(part.weight > 0)) continue;
      const plan = (part.raw * 100) / part.normalized;
      const extra = ((upper.score - lower.score + 0.3) * plan) / (part.weight * 100);
      const days = (Date.parse(date) - Date.parse(st.season.begin)) / 86400000 + 1;
      candidates.push({ league, upper, lower, extra, relative: extra / (part.raw / days) });
    }
  }
  candidates.sort((a, b) => a.relative - b.relative);
  for (const c of candidates.slice(0, 12)) {
    const code = c.lower.participant.code;
    const series = await apiFromPage(page, 'GET', `/api/units/${encodeURIComponent(code)}/series?indicator=coal_output&grain=day&from=${year}-01-01&to=${date}`);
    if (series.status !== 200) continue;
    const points = series.json.points.filter((p) => p.actual !== null && p.actual !== undefined);
    const today = points.find((p) => p.period === date);
    if (!today) continue; // no report that day: nothing to put back afterwards
    const history = points.filter((p) => p.period < date).map((p) => p.actual);
    const unit = await apiFromPage(page, 'GET', `/api/units/${encodeURIComponent(code)}`);
    const capacity = Number(unit.json?.attributes?.capacity_coal_output ?? Infinity);
    let value = today.actual + c.extra;
    if (value > capacity || outlierOf(history, value).flagged) continue;
    // Above its best day as well, when that is still a usual value: a record.
    const rec = await apiFromPage(page, 'GET', `/api/records?indicator=coal_output&grain=day&scope=unit&target=${encodeURIComponent(code)}`);
    const best = rec.json?.records?.[0]?.value;
    let record = best !== undefined && value > best;
    if (best !== undefined && !record) {
      const above = Math.ceil(best * 1.002 + 1);
      if (above <= capacity && !outlierOf(history, above).flagged) {
        value = above;
        record = true;
      }
    }
    return { ...c, date, original: today.actual, value: Math.round(value * 1000) / 1000, record };
  }
  return null;
}

const report = (page, unit, date, value) => apiFromPage(page, 'POST', '/api/reports', { unit, indicator: 'coal_output', date, value });

test('the standings of a drive: league and level filters, rank arrows, zones, paging', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'admin');
    await page.locator(tid('nav-drives')).click();
    await page.locator(tid('drives-table')).waitFor();
    await settled(page);
    await shot(page, 'drives');
    await page.locator(tid(`drive-link-${DRIVE}`)).click();
    await page.locator(tid('standings-table')).waitFor();
    await settled(page);
    assert.equal(await page.locator(tid('nav-drives')).getAttribute('aria-current'), 'page');

    // the participants' table, league by league (docs/openapi.yaml): in each league ranks
    // 1, 2, 3… (competition ranks, unscored last), and an arrow for each row
    const rows = page.locator(`${tid('standings-table')} tbody tr`);
    assert.ok((await rows.count()) >= 10, 'a page of participants');
    const listing = async () =>
      page.locator(`${tid('standings-table')} tbody tr`).evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-league')), Number(e.getAttribute('data-rank')) || Infinity]));
    const inOrder = (list, prev = null) => {
      for (const [i, [lg, rank]] of list.entries()) {
        const before = i ? list[i - 1] : prev;
        if (!before) continue;
        assert.ok(lg > before[0] || (lg === before[0] && rank >= before[1]), `row ${i + 1}: league ${lg} rank ${rank} after league ${before[0]} rank ${before[1]}`);
      }
    };
    const first = await listing();
    inOrder(first);
    assert.equal(first[0][1], 1, 'a league starts with its leader');
    const changes = await attrs(page, '[data-testid^="rank-day-"]', 'data-change');
    assert.equal(changes.length, await rows.count(), 'one day arrow per row');
    const moved = await page.locator('[data-testid^="rank-start-"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-change'), e.querySelector('[aria-hidden]')?.textContent ?? e.textContent]));
    for (const [n, shown] of moved) {
      const v = Number(n);
      const text = shown.replace(/[\s,.\u00a0\u202f]/g, ''); // the locale's digit grouping
      if (v > 0) assert.equal(text, `▲${v}`);
      else if (v < 0) assert.equal(text, `▼${-v}`);
      else assert.equal(text, '–');
    }
    assert.ok(moved.some(([n]) => Number(n) !== 0), 'some participants moved since the season start');
    await shot(page, 'drive-standings');

    // paging (when the drive has more than a page)
    const pagerText = await page.locator(tid('standings-pager-text')).innerText();
    assert.match(pagerText, /^1–\d+ of /);
    if (!(await page.locator(tid('standings-pager-next')).isDisabled())) {
      await page.locator(tid('standings-pager-next')).click();
      await page.waitForURL(/offset=50/);
      await page.locator(tid('standings-pager-text')).filter({ hasText: /^51–/ }).waitFor();
      inOrder(await listing(), first[first.length - 1]); // page 2 goes on where page 1 ended
    }

    // one league: its ranks 1..n, every row of that league, the promotion zone on top of a lower tier
    const leagueSel = page.locator(tid('league-select'));
    const options = await leagueSel.locator('option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    const tier2 = options.find(([v, t]) => v !== '' && /tier 2/.test(t)) ?? options.find(([v]) => v !== '');
    assert.ok(tier2, 'the drive has leagues');
    await leagueSel.selectOption(tier2[0]);
    await page.waitForURL(new RegExp(`league=${tier2[0]}`));
    await page.waitForFunction((v) => {
      const rs = [...document.querySelectorAll('[data-testid="standings-table"] tbody tr')];
      return rs.length > 0 && rs.every((r) => r.getAttribute('data-league') === v);
    }, tier2[0]);
    assert.doesNotMatch(page.url(), /offset=/, 'a new filter starts at the first page');
    const ranks = (await attrs(page, `${tid('standings-table')} tbody tr`, 'data-rank')).map(Number);
    assert.deepEqual(ranks.slice(0, 5), [1, 2, 3, 4, 5]);
    const zones = await attrs(page, `${tid('standings-table')} tbody tr`, 'data-zone');
    if (/tier 2/.test(tier2[1])) {
      assert.deepEqual(zones.slice(0, 2), ['promotion', 'promotion'], 'top two of a lower tier go up');
      assert.match(await page.locator(`${tid('standings-table')} tbody tr`).first().innerText(), /Promotion/);
    }
    await shot(page, 'drive-standings-league');

    // the groups at one level of a hierarchy: group rows, no leagues
    const levelSel = page.locator(tid('level-select'));
    const levels = await levelSel.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    const level = levels.find((v) => v === 'region:1') ?? levels[0];
    await levelSel.selectOption(level);
    await page.waitForURL(new RegExp(`level=${level.replace(':', '(:|%3A)')}`));
    assert.doesNotMatch(page.url(), /league=/);
    const hier = level.split(':')[0];
    await page.locator(`[data-testid^="standing-${hier}/"]`).first().waitFor();
    const codes = await page.locator(`${tid('standings-table')} tbody tr`).evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    assert.ok(codes.every((c) => c.startsWith(`standing-${hier}/`)), 'only groups');
    assert.equal(await page.locator(tid('league-select')).isDisabled(), true);
    assert.ok((await page.locator('[data-testid^="rank-day-"]').count()) > 0, 'groups have arrows too');
    await shot(page, 'drive-standings-level');

    // the groups at level 2 within one top group (e.g. the counties of one province)
    const within = page.locator(tid('within-select'));
    const groupsOf = await within.locator(`optgroup[label="${hier}"] option`).evaluateAll((os) => os.map((o) => o.value));
    if (groupsOf.length && levels.includes(`${hier}:2`)) {
      await levelSel.selectOption(`${hier}:2`);
      await page.waitForURL(/level=/);
      await page.locator(tid('within-select')).selectOption(groupsOf[0]);
      await page.waitForURL(/within=/);
      const top = groupsOf[0].split('/')[1];
      await page.waitForFunction((t) => {
        const rs = [...document.querySelectorAll('[data-testid="standings-table"] tbody tr[data-testid^="standing-"]')];
        return rs.length > 0 && rs.every((r) => r.getAttribute('data-testid').includes(`/${t}-`) || r.getAttribute('data-testid').includes(`/${t}`));
      }, top);
    }
    assert.deepEqual(page.errors, []);
  }));

test('a planner finalizes an ended season: the titles are awarded and kept as honours', { skip: skipUnless('planner'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'planner');
    await page.goto(`${BASE}/drives/${DRIVE}`);
    await page.locator(tid('results-state')).waitFor();
    const seasons = await page.locator(`${tid('results-season')} option`).evaluateAll((os) => os.map((o) => o.value));
    // the latest ended season that is not final yet (the mock: season 3)
    let found = false;
    for (const v of [...seasons].reverse()) {
      await page.locator(tid('results-season')).selectOption(v);
      await page.locator(tid('results-table')).waitFor();
      await page.waitForFunction(() => !document.querySelector('[data-testid="results"] .loading'));
      if (await page.locator(tid('results-finalize')).count()) {
        found = true;
        break;
      }
    }
    if (!found) return; // every ended season is final already
    assert.equal(await page.locator(`${tid('results-state')}`).getAttribute('data-finalized'), 'false');
    assert.equal(await page.locator(`${tid('results-table')} tr[data-title="winner"]`).count(), 0, 'no titles before the season is final');
    await page.locator(tid('results-finalize')).click();
    await page.locator(`${tid('results-state')}[data-finalized="true"]`).waitFor();
    await page.locator(`${tid('results-message')}[data-kind="ok"]`).waitFor();
    assert.equal(await page.locator(`${tid('results-table')} tr[data-title="winner"]`).count(), 1, 'one winner');
    assert.ok((await page.locator(`${tid('results-table')} tr[data-title="league_winner"]`).count()) >= 1, 'league winners');
    await page.reload();
    await page.locator(`${tid('honours-table')}`).waitFor();
    await page.locator(tid('results')).scrollIntoViewIfNeeded();
    await settled(page);
    await shot(page, 'drive-results');
    assert.deepEqual(page.errors, []);
  }));

test('the wall board shows the top and celebrates a live overtaking and a new record', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
    await login(page, 'admin');
    await page.goto(`${BASE}/#/board/${DRIVE}`);
    await page.waitForURL(new RegExp(`/board/${DRIVE}$`));
    await page.locator(tid('page-board')).waitFor();
    await page.locator('[data-testid^="board-row-"]').first().waitFor();
    assert.equal(await page.locator('[data-testid^="board-row-"]').count(), 10);
    assert.equal(await page.locator('header.top').isVisible(), false, 'the board fills the screen');
    await page.locator(`${tid('board-live')}[data-state="open"]`).waitFor();
    const rankSize = await page.locator('.board-who').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(rankSize >= 28, `names are readable across a room (${rankSize}px)`);
    await shot(page, 'board');

    const hook = await apiFromPage(page, 'POST', '/api/_mock/emit', { type: 'overtaking', drive: DRIVE });
    const withRecord = hook.status === 404 ? await realServerEvents(page) : await mockEvents(page, hook);

    // the same events in the live feed, as sentences linking to the units
    await page.locator(tid('board-exit')).click();
    await page.locator(tid('nav-feed')).click();
    const ovItem = page.locator(`${tid('feed-item')}[data-type="overtaking"]`).first();
    await ovItem.waitFor();
    assert.match(await ovItem.innerText(), /overtook .+ by [\d.,]+ points?, now \d+(st|nd|rd|th)\./);
    assert.ok((await ovItem.locator('a[href^="/unit/"]').count()) >= 2, 'both units link to their pages');
    if (withRecord) {
      const recItem = page.locator(`${tid('feed-item')}[data-type="record"]`).filter({ hasText: /New record/ }).first();
      await recItem.waitFor();
      assert.match(await recItem.innerText(), /New record \(.+\): .+ \(previous: .+\)\./);
    }
    assert.doesNotMatch(await page.locator(tid('feed-list')).innerText(), /\{"/, 'no raw JSON');
    await shot(page, 'feed-emulation');

    // the existing wall mode: the drive page in large type leads to the board
    await page.goto(`${BASE}/drives/${DRIVE}?wall=1`);
    await page.locator(tid('standings-table')).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('wall')), true);
    await settled(page);
    await shot(page, 'drive-wall');
    await page.locator(tid('drive-board-link')).click();
    await page.locator(tid('page-board')).waitFor();
    await page.locator(tid('board-exit')).click();
    await page.locator(tid('page-drive')).waitFor();
    assert.equal(await page.locator('header.top').isVisible(), true, 'the header is back after the board');
    assert.deepEqual(page.errors, []);
  }));

/** The mock: its hook emits an overtaking (done), a record and its withdrawal. Answers true (a record). */
async function mockEvents(page, hook) {
  assert.equal(hook.status, 200, hook.text);
  const ov = hook.json;
  const loadedBefore = await page.locator(tid('board-standings')).getAttribute('data-loaded-at');
  const cel = page.locator(`${tid('board-celebration')}[data-kind="overtaking"]`);
  await cel.waitFor();
  assert.match(await cel.innerText(), new RegExp(ov.overtaker.name.replace(/[()]/g, '.')));
  await page.locator(`${tid('board-ticker-item')}[data-type="overtaking"]`).first().waitFor();
  // the standings were fetched again and show the overtaker at (about) its new rank
  await page.waitForFunction((before) => document.querySelector('[data-testid="board-standings"]').getAttribute('data-loaded-at') !== before, loadedBefore);
  const row = page.locator(tid(`board-row-${ov.overtaker.code}`));
  await row.waitFor();
  const r = Number(await row.getAttribute('data-rank'));
  assert.ok(Math.abs(r - ov.new_rank) <= 1, `rank ${r}, event said ${ov.new_rank}`);
  await page.waitForTimeout(700); // the banner's pop-in
  await shot(page, 'board-overtaking');

  const rec = await apiFromPage(page, 'POST', '/api/_mock/emit', { type: 'record' });
  assert.equal(rec.status, 200, rec.text);
  const cr = page.locator(`${tid('board-celebration')}[data-kind="record"]`);
  await cr.waitFor();
  assert.match(await cr.innerText(), /New record/);
  await page.locator(`${tid('board-ticker-item')}[data-type="record"]`).first().waitFor();
  await page.waitForTimeout(700);
  await shot(page, 'board-record');
  // a correction withdraws it: the ticker says so (no celebration for that)
  const w = await apiFromPage(page, 'POST', '/api/_mock/emit', { type: 'withdrawn' });
  assert.equal(w.status, 200, w.text);
  await page.locator(`${tid('board-ticker-item')}[data-type="record"]`).filter({ hasText: /withdrawn/i }).first().waitFor();
  return true;
}

/**
 * The real server: a report lifts a unit past the one above it in its league (the board
 * shows that league), the server emits the overtaking (and the record), the board
 * celebrates and fetches the standings again; the original value put back withdraws
 * the record. Answers whether a record was set.
 */
async function realServerEvents(page) {
  const plan = await planOvertaking(page);
  assert.ok(plan, 'a pair of units one report can reorder without an outlier');
  const { league, upper, lower, date, original, value } = plan;
  const code = lower.participant.code;
  console.log(`# ${code} (${lower.rank}.) passes ${upper.participant.code} (${upper.rank}.) in league ${league}: coal_output on ${date} ${original} -> ${value}${plan.record ? ', a new best day' : ''}`);
  await page.goto(`${BASE}/board/${DRIVE}?league=${league}`);
  await page.locator(tid(`board-row-${code}`)).waitFor();
  await page.locator(`${tid('board-live')}[data-state="open"]`).waitFor();
  assert.equal(await page.locator(tid(`board-row-${code}`)).getAttribute('data-rank'), String(lower.rank));
  const loadedBefore = await page.locator(tid('board-standings')).getAttribute('data-loaded-at');
  let restored = false;
  try {
    const r = await report(page, code, date, value);
    assert.equal(r.status, 200, r.text);
    const cel = page.locator(`${tid('board-celebration')}[data-kind="overtaking"]`);
    await cel.waitFor();
    const celText = await cel.innerText();
    assert.match(celText, new RegExp(`${esc(lower.participant.name)} passes`));
    assert.match(celText, new RegExp(esc(upper.participant.name)));
    await page.locator(`${tid('board-ticker-item')}[data-type="overtaking"]`).filter({ hasText: lower.participant.name }).first().waitFor();
    await page.waitForFunction((before) => document.querySelector('[data-testid="board-standings"]').getAttribute('data-loaded-at') !== before, loadedBefore);
    const row = page.locator(tid(`board-row-${code}`));
    await page.waitForFunction(
      ([c, rank]) => Number(document.querySelector(`[data-testid="board-row-${c}"]`)?.getAttribute('data-rank')) <= rank,
      [code, upper.rank],
    );
    assert.ok(Number(await row.getAttribute('data-rank')) <= upper.rank, 'the overtaker is above its old place');
    await page.waitForTimeout(700); // the banner's pop-in
    await shot(page, 'board-overtaking');

    if (plan.record) {
      const cr = page.locator(`${tid('board-celebration')}[data-kind="record"]`);
      await cr.waitFor();
      assert.match(await cr.innerText(), /New record/);
      assert.match(await cr.innerText(), new RegExp(esc(lower.participant.name)));
      await page.locator(`${tid('board-ticker-item')}[data-type="record"]`).filter({ hasText: /New record/ }).first().waitFor();
      await page.waitForTimeout(700);
      await shot(page, 'board-record');
    } else console.log('# no usual value of that unit beats its best day: the record celebration is not exercised');

    // the original value again: the record is withdrawn, the other unit is back ahead
    const back = await report(page, code, date, original);
    assert.equal(back.status, 200, back.text);
    restored = true;
    if (plan.record) await page.locator(`${tid('board-ticker-item')}[data-type="record"]`).filter({ hasText: /withdrawn/i }).first().waitFor();
    await page.locator(`${tid('board-ticker-item')}[data-type="overtaking"]`).filter({ hasText: new RegExp(`${esc(upper.participant.name)}\\s*passes`) }).first().waitFor();
  } finally {
    if (!restored) await report(page, code, date, original).catch(() => {});
  }
  return plan.record;
}

test('the records book filters by indicator, grain, scope and target; an admin reviews an outlier', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'admin');
    await page.locator(tid('nav-records')).click();
    await page.locator(tid('records-table')).waitFor();
    await settled(page);
    const all = await attrs(page, tid('record-row'), 'data-scope');
    assert.ok(all.length >= 3 && all.every((s) => s === 'all'), 'all-time records by default');
    assert.deepEqual([...new Set(await attrs(page, tid('record-row'), 'data-grain'))].sort(), ['day', 'month', 'year']);
    await shot(page, 'records');

    await page.locator(tid('records-grain')).selectOption('month');
    await page.waitForURL(/grain=month/);
    await page.waitForFunction(() => {
      const rs = [...document.querySelectorAll('[data-testid="record-row"]')];
      return rs.length > 0 && rs.every((r) => r.getAttribute('data-grain') === 'month');
    });
    const ind = (await attrs(page, tid('record-row'), 'data-indicator'))[0];
    await page.locator(tid('records-indicator')).selectOption(ind);
    await page.waitForURL(new RegExp(`indicator=${ind}`));
    await page.waitForFunction((i) => {
      const rs = [...document.querySelectorAll('[data-testid="record-row"]')];
      return rs.length === 1 && rs[0].getAttribute('data-indicator') === i && rs[0].getAttribute('data-grain') === 'month';
    }, ind);

    // one group's records: the holder and the record it beat
    await page.locator(tid('records-scope')).selectOption('group');
    await page.locator(tid('records-target')).fill('region/P01');
    await page.locator(tid('records-apply')).click();
    await page.waitForURL(/scope=group/);
    await page.waitForFunction(() => {
      const rs = [...document.querySelectorAll('[data-testid="record-row"]')];
      return rs.length > 0 && rs.every((r) => r.getAttribute('data-scope') === 'group' && r.getAttribute('data-target') === 'region/P01');
    });
    assert.match(page.url(), /target=region%2FP01|target=region\/P01/);
    assert.match(await page.locator(tid('record-row')).first().innerText(), /\d/);
    await settled(page);
    await shot(page, 'records-group');

    // outliers: confirm one awaiting review
    await page.goto(`${BASE}/records`);
    await page.locator(tid('outliers-table')).waitFor();
    await settled(page);
    const pending = page.locator(`${tid('outliers-table')} tbody tr[data-state="pending"]`).first();
    if (await pending.count()) {
      const id = await pending.getAttribute('data-testid');
      await pending.locator(tid('outlier-confirm')).click();
      await page.locator(`${tid(id)}[data-state="confirmed"]`).waitFor();
      await page.locator(`${tid('outlier-message')}[data-kind="ok"]`).waitFor();
      assert.equal(await page.locator(`${tid(id)} ${tid('outlier-confirm')}`).isDisabled(), true, 'confirmed once');
      assert.equal(await page.locator(`${tid(id)} ${tid('outlier-reject')}`).isDisabled(), false, 'may still be rejected');
      await page.reload();
      await page.locator(`${tid(id)}[data-state="confirmed"]`).waitFor(); // the server kept it
      await settled(page);
    } else console.log('# no outlier awaits review: the review step is not exercised');
    await shot(page, 'records-outliers');
    assert.deepEqual(page.errors, []);
  }));

test('a planner sees a standard’s history, applies a proposed re-base and sets a standard', { skip: skipUnless('planner'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'planner');
    await page.locator(tid('nav-standards')).click();
    await page.locator(tid('standards-table')).waitFor();
    await settled(page);
    const inds = await attrs(page, tid('standard-row'), 'data-indicator');
    assert.ok(inds.length >= 1);
    // find one the rule proposes to re-base
    let chosen = null;
    for (const ind of inds) {
      await page.locator(tid(`standard-link-${ind}`)).first().click();
      await page.locator(`${tid('standard-detail')} ${tid('standard-history')}`).waitFor();
      await page.locator(tid('standard-rebase')).click();
      const prop = page.locator(`${tid('rebase-proposal')}[data-rebase]`);
      await prop.waitFor();
      assert.ok((await page.locator(tid('rebase-reason')).innerText()).length > 20, 'the proposal says why');
      if ((await prop.getAttribute('data-rebase')) === 'true') {
        chosen = ind;
        break;
      }
    }
    if (chosen) {
      await page.locator(`${tid('standard-chart')} canvas`).waitFor();
      const before = await page.locator(tid('standard-revision')).count();
      const proposed = await page.locator(tid('rebase-value')).innerText();
      await shot(page, 'standards-rebase');
      await page.locator(tid('rebase-apply')).click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="standard-revision"]').length === n + 1, before);
      assert.equal((await page.locator(tid('standard-revision')).first().locator('td').nth(1).innerText()).replace(/\s.*$/, ''), proposed.trim());
    } else {
      console.log('# no standard is proposed for a re-base: applying one is not exercised');
      chosen = inds[inds.length - 1];
    }

    // a standard set by hand
    const form = page.locator(tid('standard-form'));
    await form.waitFor();
    assert.equal(await page.locator(tid('standard-indicator')).inputValue(), chosen);
    await page.locator(tid('standard-value-input')).fill('-1');
    await page.locator(tid('standard-submit')).click();
    assert.match(await page.locator(tid('standard-value-error')).innerText(), /positive/);
    await page.locator(tid('standard-from')).fill('2026-12-01');
    await page.locator(tid('standard-value-input')).fill('1.75');
    await page.locator(tid('standard-note')).fill('set by the test');
    await page.locator(tid('standard-submit')).click();
    await page.locator(`${tid('standard-revision')}[data-from="2026-12-01"][data-value="1.75"]`).waitFor();
    assert.match(await page.locator(`${tid('standard-revision')}[data-from="2026-12-01"]`).innerText(), /set by the test/);
    await page.locator(`${tid('standard-chart')} canvas`).waitFor();
    await settled(page);
    await shot(page, 'standards');
    assert.deepEqual(page.errors, []);
  }));

test('a viewer sees the standings, records and standards but no write buttons', { skip: skipUnless('viewer'), timeout: TEST_TIMEOUT }, () =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'viewer');
    await page.goto(`${BASE}/drives/${DRIVE}`);
    await page.locator(tid('standings-table')).waitFor();
    await page.locator(tid('results-state')).waitFor();
    assert.equal(await page.locator(tid('results-finalize')).count(), 0, 'no finalize button');

    await page.locator(tid('nav-records')).click();
    await page.locator(tid('outliers-table')).waitFor();
    assert.equal(await page.locator(tid('outlier-confirm')).count(), 0, 'no confirm button');
    assert.equal(await page.locator(tid('outlier-reject')).count(), 0, 'no reject button');
    assert.match(await page.locator(tid('outliers-note')).innerText(), /planners/i);

    await page.locator(tid('nav-standards')).click();
    await page.locator(tid('standards-readonly')).waitFor();
    assert.equal(await page.locator(tid('standard-form')).count(), 0, 'no form');
    assert.equal(await page.locator(tid('standard-rebase')).count(), 0, 'no re-base button');
    await settled(page);
    await shot(page, 'standards-viewer');

    // the server is the authority: a review forced anyway is refused
    const r = await apiFromPage(page, 'POST', '/api/outliers/review', { unit: 'U00001', indicator: 'coal_output', date: '2026-11-01', confirmed: true, note: '' });
    assert.equal(r.status, 403);
    assert.deepEqual(page.errors, []);
  }));
