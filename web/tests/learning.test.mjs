// Models and learning pages: the frontier of a peer group (the scatter with the efficient
// units highlighted, the units' scores), a unit's learning page (peers and targets), an
// admin designating a model and seeing it listed, and proposing and applying learning
// pairs. Nothing is hard-coded: the peer group and the units come from the API's answers
// (a sector branch whose frontier scores several units, some of them inefficient).
// The mock (dev/mock-server.mjs) has no learning routes: the scenarios then skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TEST_TIMEOUT, apiFromPage, login, newPage, settled, shot, skipUnless, tid, withBrowser } from './harness.mjs';

const EPS = 1e-6;
const attrs = (page, sel, name) => page.locator(sel).evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

/**
 * A peer group to test with: the first branch (a group under a top group) of the
 * first hierarchy (sector first) whose frontier scores at least 5 units with at least
 * one efficient and one inefficient. Answers { group, frontier } or null.
 */
async function pickGroup(page) {
  const hs = (await apiFromPage(page, 'GET', '/api/hierarchies')).json.hierarchies;
  const ordered = [...hs].sort((a, b) => (a.code === 'sector' ? -1 : b.code === 'sector' ? 1 : 0));
  for (const hier of ordered) {
    const roots = (await apiFromPage(page, 'GET', `/api/groups?hierarchy=${encodeURIComponent(hier.code)}`)).json.groups;
    for (const root of roots) {
      const kids = (await apiFromPage(page, 'GET', `/api/groups?hierarchy=${encodeURIComponent(hier.code)}&parent=${encodeURIComponent(root.code)}`)).json.groups;
      for (const g of [...kids, root]) {
        const group = `${hier.code}/${g.code}`;
        const r = await apiFromPage(page, 'GET', `/api/frontier?group=${encodeURIComponent(group)}`);
        if (r.status !== 200) continue;
        const scored = r.json.units.filter((u) => u.score !== null);
        if (scored.length >= 5 && scored.some((u) => u.efficient) && scored.some((u) => !u.efficient)) return { group, frontier: r.json };
      }
    }
  }
  return null;
}

async function frontierOrSkip(t, page) {
  const probe = await apiFromPage(page, 'GET', '/api/frontier');
  if (probe.status === 404) {
    t.skip('the server has no /api/frontier (the mock?)');
    return null;
  }
  const picked = await pickGroup(page);
  assert.ok(picked, 'a peer group whose frontier scores efficient and inefficient units');
  return picked;
}

test('the frontier of a peer group: the scatter, the efficient units, the scores; a unit’s learning page', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, (t) =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'admin');
    const picked = await frontierOrSkip(t, page);
    if (!picked) return;
    const { group, frontier } = picked;
    const scored = frontier.units.filter((u) => u.score !== null);

    await page.locator(tid('nav-frontier')).click();
    await page.locator(tid('frontier-group')).selectOption(group);
    await page.waitForURL((u) => u.searchParams.get('group') === group);
    await page.locator(tid('frontier-table')).waitFor();
    await settled(page);
    assert.equal(await page.locator(tid('nav-frontier')).getAttribute('aria-current'), 'page');

    // the scatter: a point per scored unit (those with finite ratios), the efficient ones highlighted
    const points = page.locator(`${tid('frontier-scatter')} ${tid('scatter-point')}`);
    assert.ok((await points.count()) >= 5, 'points in the scatter');
    assert.ok((await points.count()) <= scored.length, 'at most one point per scored unit');
    const effCodes = new Set(scored.filter((u) => u.efficient).map((u) => u.unit.code));
    const shown = await points.evaluateAll((els) => els.map((e) => [e.getAttribute('data-code'), e.getAttribute('data-efficient'), e.getAttribute('r')]));
    const hi = shown.filter(([, e]) => e === 'true');
    assert.ok(hi.length >= 1, 'efficient points highlighted');
    for (const [code, e, r] of shown) {
      assert.equal(e === 'true', effCodes.has(code), `${code}: highlighted iff efficient`);
      if (e === 'true') assert.ok(Number(r) > Number(shown.find(([, x]) => x !== 'true')?.[2] ?? 0), 'a highlighted point is larger');
    }
    assert.match(await page.locator(tid('scatter-x-label')).textContent(), new RegExp(frontier.inputs[0]?.code ?? frontier.outputs[0].code));
    if (hi.length >= 2) assert.equal(await page.locator(tid('scatter-frontier')).count(), 1, 'the frontier line');

    // the table: every scored unit, scores in (0, 1], efficient ones exactly 1, in rank order
    const rows = page.locator(`${tid('frontier-table')} tbody tr`);
    assert.equal(await rows.count(), frontier.units.length);
    const listed = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-code'), e.getAttribute('data-score'), e.getAttribute('data-efficient'), e.getAttribute('data-rank')]));
    const apiScore = new Map(frontier.units.map((u) => [u.unit.code, u.score]));
    let prevRank = 0;
    for (const [code, s, eff, rank] of listed) {
      if (s === '') continue;
      const v = Number(s);
      assert.ok(v > 0 && v <= 1 + EPS, `${code}: score ${v} in (0, 1]`);
      assert.ok(Math.abs(v - apiScore.get(code)) < EPS, `${code}: the API's score`);
      if (eff === 'true') assert.ok(Math.abs(v - 1) < EPS, `${code}: efficient means 1`);
      assert.ok(Number(rank) >= prevRank, 'rank order');
      prevRank = Number(rank);
    }
    assert.equal(await page.locator(`${tid('frontier-excluded-table')} tbody tr[data-testid^="excluded-"]`).count(), frontier.excluded.length);
    await shot(page, 'frontier');

    // an inefficient unit's learning page, from its link in the table
    const learner = scored.filter((u) => !u.efficient).sort((a, b) => a.score - b.score)[0];
    await page.locator(tid(`frontier-link-${learner.unit.code}`)).click();
    await page.waitForURL((u) => u.pathname === `/units/${learner.unit.code}/learning`);
    await page.locator(tid('learning-peers')).waitFor();
    await settled(page);
    const l = (await apiFromPage(page, 'GET', `/api/units/${learner.unit.code}/learning?group=${encodeURIComponent(group)}&period=${frontier.period}`)).json;
    assert.equal(await page.locator(tid('learning-score-value')).textContent(), l.score.toFixed(3));
    assert.equal(await page.locator(tid('learning-rank')).textContent(), String(l.rank));
    assert.ok(l.score < 1, 'the learner is not efficient');
    // peers: most weight first, the shares adding up to 1, each one efficient on the frontier
    const shares = (await attrs(page, `${tid('learning-peers')} tbody tr[data-code]`, 'data-share')).map(Number);
    const peerCodes = await attrs(page, `${tid('learning-peers')} tbody tr[data-code]`, 'data-code');
    assert.ok(peerCodes.length >= 1, 'peers to learn from');
    for (let i = 1; i < shares.length; i += 1) assert.ok(shares[i] <= shares[i - 1] + EPS, 'most weight first');
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-3, 'the shares add up to 1');
    for (const c of peerCodes) assert.ok(effCodes.has(c), `peer ${c} is efficient`);
    // targets: one row per input and output; input-oriented, no input target above the value
    assert.equal(await page.locator(`${tid('learning-inputs')} tbody tr[data-indicator]`).count(), l.inputs.length);
    assert.equal(await page.locator(`${tid('learning-outputs')} tbody tr[data-indicator]`).count(), l.outputs.length);
    const inputChanges = (await attrs(page, `${tid('learning-inputs')} tbody tr[data-indicator]`, 'data-change')).filter((x) => x !== '').map(Number);
    assert.ok(inputChanges.some((c) => c < 0), 'at least one input to cut');
    for (const c of inputChanges) assert.ok(c <= EPS, `an input target is no more than the value (${c} %)`);
    await shot(page, 'learning');
    // the unit page links here
    await page.goto(`${BASE}/unit/${learner.unit.code}`);
    await page.locator(tid('unit-learning-link')).click();
    await page.locator(tid('learning-peers')).waitFor();
    assert.deepEqual(page.errors, []);
  }));

test('an admin designates a suggested model and sees it among the models, with its followers', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, (t) =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'admin');
    const picked = await frontierOrSkip(t, page);
    if (!picked) return;
    const { group } = picked;
    const inForce = new Set((await apiFromPage(page, 'GET', `/api/models?group=${encodeURIComponent(group)}`)).json.models.map((m) => m.unit.code));
    const sugs = (await apiFromPage(page, 'GET', `/api/models/suggestions?group=${encodeURIComponent(group)}`)).json.suggestions;
    const cand = sugs.find((s) => !inForce.has(s.unit.code));
    assert.ok(cand, `a suggested unit of ${group} that is not a model yet`);

    await page.goto(`${BASE}/models?group=${encodeURIComponent(group)}`);
    await page.locator(tid('suggestions-table')).waitFor();
    await settled(page);
    assert.equal(await page.locator(`${tid('models-table')} tbody tr[data-code]`).count(), inForce.size);
    await page.locator(tid(`designate-${cand.unit.code}`)).click();
    await page.locator(tid('designate-reason')).fill('browser test: the highest super-efficiency of the branch');
    await page.locator(tid('designate-submit')).click();
    await page.locator(tid(`model-row-${cand.unit.code}`)).waitFor();
    await settled(page);
    assert.equal(await page.locator(tid(`model-row-${cand.unit.code}`)).getAttribute('data-peer-group'), group);
    await shot(page, 'models');

    // the model's page: its followers with a gap per compared indicator
    await page.locator(tid(`model-link-${cand.unit.code}`)).click();
    await page.locator(tid('followers-table')).waitFor();
    await settled(page);
    const m = (await apiFromPage(page, 'GET', `/api/models/${cand.unit.code}?group=${encodeURIComponent(group)}&limit=50`)).json;
    assert.equal(await page.locator(tid('model-unit')).textContent(), cand.unit.code);
    assert.equal(await page.locator(`${tid('followers-table')} tbody tr[data-code]`).count(), Math.min(50, m.total));
    if (m.followers.length) {
      const f = m.followers[0];
      const g = f.gaps[0];
      const cell = page.locator(tid(`gap-${f.unit.code}-${g.indicator}`));
      assert.equal(await cell.getAttribute('data-overtook'), String(g.overtook));
      if (g.gap_pct !== null) assert.ok(Math.abs(Number(await cell.getAttribute('data-gap-pct')) - g.gap_pct) < EPS);
    }
    await shot(page, 'model');
    assert.deepEqual(page.errors, []);
  }));

test('an admin proposes learning pairs, applies them and sees them in force', { skip: skipUnless('admin'), timeout: TEST_TIMEOUT }, (t) =>
  withBrowser(async (browser) => {
    const page = await newPage(browser);
    await login(page, 'admin');
    const picked = await frontierOrSkip(t, page);
    if (!picked) return;
    const { group } = picked;
    await page.goto(`${BASE}/pairs?group=${encodeURIComponent(group)}`);
    await page.locator(tid('assign-form')).waitFor();
    await settled(page);
    await page.locator(tid('assign-group')).selectOption(group);
    await page.locator(tid('assign-capacity')).fill('2');
    await page.locator(tid('assign-objective')).selectOption('mix');
    await page.locator(tid('assign-propose')).click();
    await page.locator(tid('proposed-table')).waitFor();
    const proposed = await page.locator(`${tid('proposed-table')} tbody tr[data-learner]`).evaluateAll((els) => els.map((e) => [e.getAttribute('data-mentor'), e.getAttribute('data-learner')]));
    assert.ok(proposed.length >= 1, 'pairs proposed');
    // each mentor helps at most 2, each learner has one mentor, nobody mentors itself
    const perMentor = new Map();
    for (const [mt, ln] of proposed) {
      assert.notEqual(mt, ln);
      perMentor.set(mt, (perMentor.get(mt) ?? 0) + 1);
    }
    for (const [mt, n] of perMentor) assert.ok(n <= 2, `${mt} has ${n} learners`);
    assert.equal(new Set(proposed.map(([, ln]) => ln)).size, proposed.length, 'one mentor per learner');
    await shot(page, 'pairs-proposed');

    await page.locator(tid('assign-apply')).click();
    await page.locator(tid('apply-message')).waitFor();
    assert.equal(await page.locator(tid('apply-message')).getAttribute('data-kind'), 'ok', await page.locator(tid('apply-message')).innerText());
    // the page reloads the pairs in force (the message goes with the old page): every
    // proposed pair is among them
    await page.locator(tid('apply-message')).waitFor({ state: 'detached' });
    const [m0, l0] = proposed[0];
    await page.locator(tid(`pair-${m0}-${l0}`)).waitFor();
    await settled(page);
    const inForce = await page.locator(`${tid('pairs-table')} tbody tr[data-learner]`).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-mentor')}>${e.getAttribute('data-learner')}`));
    for (const [mt, ln] of proposed) assert.ok(inForce.includes(`${mt}>${ln}`), `${mt} → ${ln} in force`);
    // each pair's gaps to its mentor, as the API gives them, indicator by indicator
    const listed = await apiFromPage(page, 'GET', `/api/pairs?group=${encodeURIComponent(group)}`);
    assert.equal(listed.status, 200, listed.text);
    const first = listed.json.pairs.find((p) => p.learner.code === l0);
    assert.ok(first && first.gaps.length >= 1, `${l0} has gaps to its mentor`);
    for (const g of first.gaps) {
      const li = page.locator(tid(`pair-gaps-${l0}-${g.indicator.code}`));
      assert.equal(await li.count(), 1, `${l0} ${g.indicator.code} shown`);
      const shown = Number(await li.getAttribute('data-gap-at-pairing'));
      if (g.at_pairing.gap_pct !== null) assert.ok(Math.abs(shown - g.at_pairing.gap_pct) < 1e-9, `${g.indicator.code} gap at pairing ${shown} = ${g.at_pairing.gap_pct}`);
    }
    await shot(page, 'pairs');

    // a learner's page names its mentor
    const [mentor, learner] = proposed[0];
    await page.goto(`${BASE}/units/${learner}/learning?group=${encodeURIComponent(group)}`);
    await page.locator(tid('learning-pair-text')).waitFor();
    assert.equal(await page.locator(tid('learning-pair-text')).getAttribute('data-mentor'), mentor);
    const mine = listed.json.pairs.find((p) => p.learner.code === learner);
    assert.equal(await page.locator(`${tid('learning-pair-gaps')} li`).count(), mine.gaps.length, 'the learner page lists its gaps to the mentor');

    // forbid that pair: it is listed among the rules, and the next proposal avoids it
    await page.goto(`${BASE}/pairs?group=${encodeURIComponent(group)}`);
    await page.locator(tid('rule-form')).waitFor();
    await page.locator(tid('rule-mentor')).fill(mentor);
    await page.locator(tid('rule-learner')).fill(learner);
    await page.locator(tid('rule-kind')).selectOption('forbidden');
    await page.locator(tid('rule-note')).fill('browser test');
    await page.locator(tid('rule-submit')).click();
    await page.locator(`${tid(`rule-${mentor}-${learner}`)}[data-rule="forbidden"]`).waitFor();
    const again = await apiFromPage(page, 'POST', '/api/pairs/assign', { peer_group: group, capacity: 2, objective: 'mix', apply: false });
    assert.equal(again.status, 200, again.text);
    assert.ok(!again.json.pairs.some((p) => p.mentor.code === mentor && p.learner.code === learner), 'a forbidden pair is not proposed');
    await shot(page, 'pairs-rule');
    assert.deepEqual(page.errors, []);
  }));
