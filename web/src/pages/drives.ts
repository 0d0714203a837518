// Drives (socialist emulation): the list of drives and the standings of one drive,
// filtered by league and by level (the participants, or the groups at a level of a
// hierarchy), with rank-change arrows, streaks and the promotion/relegation zones.
// Also the pieces the board, records and standards pages share.

import {
  api,
  indicatorMap,
  type Drive,
  type Group,
  type Hierarchy,
  type Honour,
  type Indicator,
  type League,
  type Participant,
  type Results,
  type SeasonResult,
  type StandingPart,
  type StandingRow,
  type Standings,
} from '../api';
import { h, replace, uid, type Child } from '../dom';
import { day, int, lang, num } from '../format';
import { asOvertaking, onLiveEvent } from '../live';
import { link, navigate, withParams, type Ctx } from '../router';
import { currentUser } from '../session';
import { dataTable, errorBlock, isAbort, loading, messageBox, pageHeader, pager, splitTarget } from '../ui';

const LIMIT = 50;
const nf1 = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A score or a normalized part with fixed decimals, so a column lines up (2 in tables, 1 on the board). */
export function score(v: number | null | undefined, digits: 1 | 2 = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : (digits === 2 ? nf2 : nf1).format(v);
}

// ---- shared pieces ------------------------------------------------------------------

/** Planners and admins set standards, review outliers, finalize seasons (the server decides). */
export function canPlan(): boolean {
  const r = currentUser()?.role;
  return r === 'admin' || r === 'planner';
}

export const NORMALIZATIONS: Record<string, string> = {
  percent_of_plan: '% of plan',
  growth: 'growth',
  per_capacity: 'per capacity',
  zscore: 'z-score in league',
};

export const TITLES: Record<string, string> = {
  winner: '★ Winner',
  league_winner: '☆ League winner',
  promoted: '⇧ Promoted',
  relegated: '⇩ Relegated',
};

/** A unit links to its page, a group ("region/P01") to the drill-down. */
export function participantLink(p: Participant, testid?: string): HTMLElement {
  if (p.kind === 'group') {
    const [hier, code] = splitTarget(p.code);
    return h('a', { href: link(`/drill/${hier}`, { group: code }), testid, 'data-code': p.code }, p.name || p.code);
  }
  return h('a', { href: `/unit/${encodeURIComponent(p.code)}`, testid, 'data-code': p.code }, p.name || p.code);
}

export function participantCell(p: Participant, testid?: string): HTMLElement {
  return h('span', { class: 'name-cell' }, participantLink(p, testid), h('span', { class: 'code' }, p.code));
}

/**
 * A rank change as an arrow and the number of places (positive = up), never by
 * colour alone: ▲ 3, ▼ 2, or – for no change.
 */
export function rankChange(n: number | null | undefined, since: string, testid?: string): HTMLElement {
  if (n === null || n === undefined) return h('span', { class: 'rchg rchg-none', testid, 'data-change': '' }, '—');
  const dir = n > 0 ? 'up' : n < 0 ? 'down' : 'same';
  const words =
    n > 0 ? `up ${n} place${n === 1 ? '' : 's'} since ${since}` : n < 0 ? `down ${-n} place${n === -1 ? '' : 's'} since ${since}` : `no change since ${since}`;
  return h(
    'span',
    { class: `rchg rchg-${dir}`, testid, 'data-change': String(n), title: words },
    h('span', { 'aria-hidden': 'true' }, n > 0 ? `▲ ${int(n)}` : n < 0 ? `▼ ${int(-n)}` : '–'),
    h('span', { class: 'sr-only' }, words),
  );
}

/** "2026-01-01" … "2026-12-31" for humans. */
export function windowText(begin: string, end: string): string {
  return `${day(begin)} – ${day(end)}`;
}

/** What a level value ("region:1") means in words. */
export function levelLabel(level: string): string {
  const [hier, lv] = level.split(':');
  return `${hier}, level ${lv || 1}`;
}

function participantsText(d: Drive): string {
  const p = d.participants;
  const within = p.within ? ` within ${p.within}` : '';
  if (p.kind === 'groups') return `the groups of ${p.hierarchy ?? '?'} level ${p.level}${within}`;
  return p.within ? `the units in ${p.within}` : 'all units';
}

function leaguesText(d: Drive): string {
  const l = d.leagues;
  if (!l.hierarchy && !l.size_attribute) return 'one table';
  const parts = [l.hierarchy ? `by ${l.hierarchy} (level ${l.level})` : '', l.size_attribute ? `${l.size_bounds.length + 1} tiers by ${l.size_attribute}` : ''];
  const moves = l.promote || l.relegate ? `; top ${l.promote} up, bottom ${l.relegate} down each season` : '';
  return parts.filter(Boolean).join(', ') + moves;
}

function termText(t: Drive['terms'][number], inds: Map<string, Indicator>): string {
  const name = inds.get(t.indicator)?.name ?? t.indicator;
  return `${name}: ${NORMALIZATIONS[t.normalization] ?? t.normalization}${t.capacity ? ` (per ${inds.get(t.capacity)?.name.toLowerCase() ?? t.capacity})` : ''} × ${num(t.weight)}`;
}

const SHORT_NORM: Record<string, string> = { percent_of_plan: '%', growth: 'growth', per_capacity: 'per cap.', zscore: 'z' };

/** The parts' header: the terms in short (indicator code, normalization). */
function partsLabel(parts: StandingPart[]): string {
  return parts.length ? `Parts: ${parts.map((p) => `${p.indicator} ${SHORT_NORM[p.normalization] ?? p.normalization}`).join(' · ')}` : 'Parts';
}

/** The normalized value of each part on one line; the title tells raw, weight and share. */
function partsList(parts: StandingPart[], inds: Map<string, Indicator>): HTMLElement {
  return h(
    'span',
    { class: 'parts-inline' },
    parts.map((p, i) => [
      i ? h('span', { class: 'muted', 'aria-hidden': 'true' }, ' · ') : null,
      h(
        'span',
        {
          class: 'part num',
          title: `${inds.get(p.indicator)?.name ?? p.indicator}, ${NORMALIZATIONS[p.normalization] ?? p.normalization}: raw ${num(p.raw)}, normalized ${num(p.normalized)}, × ${num(p.weight)} = ${num(p.weighted)}`,
        },
        score(p.normalized),
      ),
    ]),
  );
}

export function zoneMark(r: StandingRow): HTMLElement | null {
  if (r.promotion) return h('span', { class: 'zone zone-up', title: 'In the promotion zone' }, '⇧ Promotion');
  if (r.relegation) return h('span', { class: 'zone zone-down', title: 'In the relegation zone' }, '⇩ Relegation');
  return null;
}

// ---- the list of drives --------------------------------------------------------------

export async function drivesPage(ctx: Ctx): Promise<void> {
  ctx.title('Drives');
  const root = h('div', { class: 'page page-drives', testid: 'page-drives' });
  ctx.main.append(root);
  const status = loading('Loading the drives…');
  root.append(
    pageHeader('Drives', h('p', { class: 'as-of' }, 'Socialist emulation: units and groups compete openly; the advanced are overtaken.')),
    status,
  );
  try {
    const [drives, inds] = await Promise.all([api.drives(ctx.signal), indicatorMap().catch(() => new Map<string, Indicator>())]);
    if (ctx.signal.aborted) return;
    status.replaceWith(
      dataTable<Drive>({
        testid: 'drives-table',
        rows: drives,
        rowTestid: (d) => `drive-row-${d.code}`,
        empty: 'No drives yet (a planner creates one with `chollima drive create`).',
        columns: [
          {
            key: 'name',
            label: 'Drive',
            cell: (d) => h('span', { class: 'name-cell' }, h('a', { href: `/drives/${encodeURIComponent(d.code)}`, testid: `drive-link-${d.code}` }, d.name), h('span', { class: 'code' }, d.code)),
          },
          { key: 'window', label: 'Window', cell: (d) => windowText(d.start, d.end) },
          {
            key: 'season',
            label: 'Season',
            cell: (d) => {
              const s = d.current_season === null ? null : d.seasons[d.current_season];
              return s ? `${d.current_season! + 1} of ${d.seasons.length} (${windowText(s.begin, s.end)})` : d.seasons.length ? 'finished' : '—';
            },
          },
          { key: 'participants', label: 'Participants', cell: (d) => participantsText(d) },
          { key: 'leagues', label: 'Leagues', cell: (d) => leaguesText(d) },
          { key: 'rule', label: 'Scoring', cell: (d) => h('ul', { class: 'parts' }, d.terms.map((t) => h('li', null, termText(t, inds)))) },
          {
            key: 'board',
            label: 'Board',
            cell: (d) => h('a', { href: `/board/${encodeURIComponent(d.code)}`, testid: `drive-board-${d.code}` }, 'Wall board'),
          },
        ],
      }),
    );
  } catch (e) {
    if (isAbort(e)) return;
    status.replaceWith(errorBlock(e));
  }
}

// ---- the standings of one drive --------------------------------------------------------

export async function drivePage(ctx: Ctx): Promise<void> {
  const code = ctx.params[0];
  ctx.title('Drive');
  const root = h('div', { class: 'page page-drive', testid: 'page-drive' });
  ctx.main.append(root);
  const status = loading('Loading the drive…');
  const head = pageHeader('Drive');
  root.append(h('p', { class: 'crumbs' }, h('a', { href: '/drives', testid: 'drives-back' }, '← All drives')), head, status);
  const state = {
    league: ctx.query.get('league') ?? '',
    level: ctx.query.get('level') ?? '',
    within: ctx.query.get('within') ?? '',
    asOf: ctx.query.get('as_of') ?? '',
    offset: Math.max(0, Number(ctx.query.get('offset')) || 0),
  };

  let drive: Drive;
  let hierarchies: Hierarchy[];
  let inds: Map<string, Indicator>;
  try {
    [drive, hierarchies, inds] = await Promise.all([
      api.drive(code, ctx.signal),
      api.hierarchies().catch(() => [] as Hierarchy[]),
      indicatorMap().catch(() => new Map<string, Indicator>()),
    ]);
  } catch (e) {
    if (!isAbort(e)) status.replaceWith(errorBlock(e));
    return;
  }
  if (ctx.signal.aborted) return;
  ctx.title(drive.name);
  head.querySelector('h1')!.textContent = drive.name;
  head.querySelector('h1')!.setAttribute('data-testid', 'drive-name');
  const asOfLine = h('p', { class: 'as-of', testid: 'as-of' });
  head.append(
    h('p', { class: 'as-of' }, `${windowText(drive.start, drive.end)} · ${participantsText(drive)} · leagues ${leaguesText(drive)}`),
    asOfLine,
    h(
      'p',
      { class: 'drive-actions' },
      h('a', { class: 'btn', href: link(`/board/${encodeURIComponent(drive.code)}`, { league: state.league || null }), testid: 'drive-board-link' }, '▶ Wall board'),
    ),
  );
  const rule = h(
    'details',
    { class: 'rule card', testid: 'drive-rule' },
    h('summary', null, 'Scoring rule'),
    h('p', null, h('code', null, drive.rule)),
    h('ul', { class: 'parts' }, drive.terms.map((t) => h('li', null, termText(t, inds)))),
    h('p', { class: 'muted' }, `Growth is measured against the ${drive.growth_base.replace(/_/g, ' ')}; streaks count ${drive.streak_grain}s at or above plan.`),
  );

  // Controls: league (from the standings), level (participants or hierarchy levels)
  const leagueSel = h('select', { id: uid('league'), testid: 'league-select' });
  const levelSel = h('select', { id: uid('level'), testid: 'level-select' });
  levelSel.append(h('option', { value: '', selected: !state.level }, drive.participants.kind === 'groups' ? 'The participants (groups)' : 'The participants (units)'));
  for (const hi of hierarchies) {
    for (let lv = 1; lv <= hi.levels; lv += 1) {
      const v = `${hi.code}:${lv}`;
      levelSel.append(h('option', { value: v, selected: state.level === v }, `Groups: ${levelLabel(v)}`));
    }
  }
  if (state.level && ![...levelSel.options].some((o) => o.value === state.level)) levelSel.append(h('option', { value: state.level, selected: true }, state.level));
  leagueSel.addEventListener('change', () => navigate(withParams({ league: leagueSel.value || null, offset: null })));
  levelSel.addEventListener('change', () => navigate(withParams({ level: levelSel.value || null, league: null, offset: null })));
  // Within: the top groups of each hierarchy (e.g. the counties within one province).
  const withinSel = h('select', { id: uid('within'), testid: 'within-select' }, h('option', { value: '', selected: !state.within }, 'Everywhere'));
  const roots = await Promise.all(hierarchies.map((hi) => api.groups(hi.code).catch(() => [] as Group[])));
  if (ctx.signal.aborted) return;
  hierarchies.forEach((hi, i) => {
    if (!roots[i].length) return;
    const og = h('optgroup', { label: hi.code });
    for (const g of roots[i]) og.append(h('option', { value: `${hi.code}/${g.code}`, selected: state.within === `${hi.code}/${g.code}` }, g.name));
    withinSel.append(og);
  });
  if (state.within && ![...withinSel.options].some((o) => o.value === state.within)) withinSel.append(h('option', { value: state.within, selected: true }, state.within));
  withinSel.addEventListener('change', () => navigate(withParams({ within: withinSel.value || null, offset: null })));
  const asOfIn = h('input', { type: 'date', id: uid('asof'), testid: 'standings-as-of', value: state.asOf, min: drive.start, max: drive.end });
  asOfIn.addEventListener('change', () => navigate(withParams({ as_of: asOfIn.value || null, offset: null })));
  const controls = h(
    'div',
    { class: 'controls', role: 'group', 'aria-label': 'Which standings' },
    h('div', { class: 'control' }, h('label', { for: levelSel.id }, 'Level'), levelSel),
    h('div', { class: 'control' }, h('label', { for: withinSel.id }, 'Within'), withinSel),
    h('div', { class: 'control' }, h('label', { for: leagueSel.id }, 'League'), leagueSel),
    h('div', { class: 'control' }, h('label', { for: asOfIn.id }, 'As of (empty: latest)'), asOfIn),
  );
  const body = h('div', { 'aria-busy': 'true' }, loading('Loading the standings…'));
  const honoursBox = h('section', { class: 'card', testid: 'honours', 'aria-labelledby': 'honours-h', hidden: true });
  const resultsBox = h('section', { class: 'card', testid: 'results', 'aria-labelledby': 'results-h' });
  status.replaceWith(controls, body, resultsBox, honoursBox, rule);

  // A group table (level) is one league "all", as is a drive without leagues: nothing to choose.
  function fillLeagues(st: Standings): void {
    const leagues = realLeagues(st);
    replace(
      leagueSel,
      h('option', { value: '', selected: !state.league }, leagues.length ? 'All leagues' : st.level ? 'No leagues at this level' : 'One table'),
      leagues.map((l) => h('option', { value: String(l.index), selected: state.league === String(l.index) }, l.name)),
    );
    leagueSel.disabled = !leagues.length;
  }

  let ctrl: AbortController | null = null;
  async function load(): Promise<void> {
    ctrl?.abort();
    ctrl = new AbortController();
    const signal = AbortSignal.any ? AbortSignal.any([ctx.signal, ctrl.signal]) : ctrl.signal;
    body.setAttribute('aria-busy', 'true');
    try {
      const st = await api.standings(
        drive.code,
        {
          league: state.league === '' ? undefined : state.league,
          level: state.level || undefined,
          within: state.within || undefined,
          as_of: state.asOf || undefined,
          offset: state.offset,
          limit: LIMIT,
        },
        signal,
      );
      fillLeagues(st);
      asOfLine.textContent = `Season ${st.season.index + 1}: ${windowText(st.season.begin, st.season.end)} · standings as of ${day(st.as_of)}${st.level ? ` · groups: ${levelLabel(st.level)}` : ''}`;
      replace(body, standingsTable(st, inds, state.league !== '', drive.streak_grain), pager({
        offset: state.offset,
        limit: LIMIT,
        total: st.total,
        testid: 'standings-pager',
        onPage: (o) => navigate(withParams({ offset: o ? String(o) : null })),
      }));
    } catch (e) {
      if (isAbort(e)) return;
      replace(body, errorBlock(e));
    } finally {
      body.setAttribute('aria-busy', 'false');
    }
  }
  await load();
  void showResults(ctx, resultsBox, drive);
  void api.honours(drive.code, ctx.signal).then(
    (hs) => showHonours(honoursBox, hs, drive),
    () => {},
  );

  // An overtaking in this drive: the standings follow (once per burst of events).
  let timer: ReturnType<typeof setTimeout> | undefined;
  ctx.onCleanup(
    onLiveEvent((e) => {
      const o = asOvertaking(e);
      if (!o || o.drive !== drive.code || state.asOf) return;
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 400);
    }),
  );
  ctx.onCleanup(() => clearTimeout(timer));
}

/** The leagues worth showing: none for a group table or a single league. */
function realLeagues(st: Standings): League[] {
  return st.level || st.leagues.length < 2 ? [] : st.leagues;
}

function standingsTable(st: Standings, inds: Map<string, Indicator>, oneLeague: boolean, streakGrain: string): HTMLElement {
  const leagues = new Map(st.leagues.map((l) => [l.index, l]));
  const hasLeagues = realLeagues(st).length > 0;
  // All leagues: the server lists the rows by league, then rank; each league starts a
  // block (a rule above its first row), the rank shown is the one in the league.
  const byLeague = hasLeagues && !oneLeague;
  const starts = new Set(st.rows.filter((r, i) => byLeague && i > 0 && r.league !== st.rows[i - 1].league));
  const caption = oneLeague && hasLeagues
    ? `League ${leagues.get(st.rows[0]?.league ?? -1)?.name ?? ''}: ${int(st.total)} participants`
    : `${int(st.total)} ${st.level ? 'groups' : 'participants'}${byLeague ? ', league by league' : ''}`;
  return dataTable<StandingRow>({
    testid: 'standings-table',
    caption,
    rows: st.rows,
    rowTestid: (r) => `standing-${r.participant.code}`,
    rowAttrs: (r) => ({
      'data-rank': String(r.rank ?? ''),
      'data-overall': String(r.overall_rank ?? ''),
      'data-league': r.league === null ? '' : String(r.league),
      'data-zone': r.promotion ? 'promotion' : r.relegation ? 'relegation' : '',
      class: [r.promotion ? 'row-promotion' : r.relegation ? 'row-relegation' : '', starts.has(r) ? 'league-start' : ''].filter(Boolean).join(' '),
    }),
    empty: 'No participant matches.',
    columns: [
      {
        key: 'rank',
        label: byLeague ? 'Rank in league' : 'Rank',
        num: true,
        cell: (r) => h('span', { class: 'rank', testid: `rank-${r.participant.code}` }, r.scored ? int(r.rank) : '—'),
      },
      {
        key: 'participant',
        label: st.level ? 'Group' : 'Participant',
        className: 'col-name',
        cell: (r) => participantCell(r.participant, `standing-link-${r.participant.code}`),
      },
      ...(hasLeagues
        ? [
            {
              key: 'league',
              label: oneLeague ? 'Overall' : 'League · overall',
              cell: (r: StandingRow): Child =>
                oneLeague
                  ? h('span', { class: 'num' }, r.scored ? int(r.overall_rank) : '—')
                  : h('span', { class: 'league-cell' }, leagues.get(r.league ?? -1)?.name ?? '—', r.scored ? h('small', { class: 'muted num' }, `#${int(r.overall_rank)} overall`) : null),
            },
          ]
        : []),
      {
        key: 'score',
        label: 'Score',
        num: true,
        cell: (r) => (r.scored ? h('strong', { class: 'num', testid: `score-${r.participant.code}` }, score(r.score, 2)) : h('span', { class: 'muted', title: r.unscored_reason ?? '' }, r.unscored_reason ?? 'not scored')),
      },
      { key: 'parts', label: partsLabel(st.rows[0]?.parts ?? []), className: 'col-parts', cell: (r) => partsList(r.parts, inds) },
      { key: 'day', label: 'Since yesterday', num: true, cell: (r) => rankChange(r.rank_change_day, 'yesterday', `rank-day-${r.participant.code}`) },
      { key: 'start', label: 'Since start', num: true, cell: (r) => rankChange(r.rank_change_start, 'the season start', `rank-start-${r.participant.code}`) },
      {
        key: 'streak',
        label: 'Streak',
        num: true,
        cell: (r) =>
          r.streak
            ? h('span', { class: 'streak', title: `${r.streak} consecutive ${streakGrain}s at or above plan` }, `${int(r.streak)}`, h('span', { class: 'muted' }, ` ${streakGrain === 'month' ? 'mo' : 'd'}`))
            : h('span', { class: 'muted' }, '0'),
      },
      ...(hasLeagues ? [{ key: 'zone', label: 'Zone', cell: (r: StandingRow): Child => zoneMark(r) }] : []),
    ],
  });
}

function showHonours(box: HTMLElement, hs: Honour[], drive: Drive): void {
  if (!hs.length) return;
  box.hidden = false;
  replace(
    box,
    h('h2', { id: 'honours-h' }, 'Honours'),
    dataTable<Honour>({
      testid: 'honours-table',
      rows: [...hs].sort((a, b) => b.season - a.season), // the latest season first (stable: the server's order within one)
      columns: [
        { key: 'season', label: 'Season', cell: (x) => { const s = drive.seasons[x.season]; return s ? `${x.season + 1} (${windowText(s.begin, s.end)})` : String(x.season + 1); } },
        { key: 'title', label: 'Title', cell: (x) => h('span', { class: `title title-${x.title}` }, TITLES[x.title] ?? x.title) },
        { key: 'who', label: 'Participant', cell: (x) => participantCell(x.participant) },
        { key: 'league', label: 'League', cell: (x) => x.league ?? '—' },
        { key: 'score', label: 'Score', num: true, cell: (x) => num(x.score) },
      ],
    }),
  );
}

/** A season's results: final when finalized, else the provisional order; planners finalize an ended season. */
async function showResults(ctx: Ctx, box: HTMLElement, drive: Drive): Promise<void> {
  if (!drive.seasons.length) {
    box.hidden = true;
    return;
  }
  // A season has ended once reports reach its last day (the server finalizes it then),
  // or when a later one is running.
  const lastDay = await api
    .standings(drive.code, { limit: 1 }, ctx.signal)
    .then((st) => st.as_of)
    .catch(() => null);
  if (ctx.signal.aborted) return;
  const hasEnded = (s: { index: number; end: string }) => (drive.current_season !== null && s.index < drive.current_season) || (lastDay !== null && s.end <= lastDay);
  const ended = drive.seasons.filter(hasEnded);
  let season = Number(ctx.query.get('season') ?? (ended.length ? ended[ended.length - 1].index : drive.current_season ?? 0));
  if (!drive.seasons[season]) season = 0;
  const sel = h('select', { id: uid('season'), testid: 'results-season' });
  for (const s of drive.seasons) sel.append(h('option', { value: String(s.index), selected: s.index === season }, `Season ${s.index + 1} (${windowText(s.begin, s.end)})`));
  const content = h('div', null, loading());
  const msg = messageBox('results-message');
  replace(box, h('div', { class: 'card-head' }, h('h2', { id: 'results-h' }, 'Results'), h('div', { class: 'control' }, h('label', { for: sel.id }, 'Season'), sel)), msg, content);

  async function draw(): Promise<void> {
    replace(content, loading());
    msg.hide();
    try {
      const r = await api.results(drive.code, season, ctx.signal);
      replace(content, resultsView(r, hasEnded(r.season), async () => {
        try {
          const f = await api.finalize(drive.code, season);
          await draw();
          msg.show('ok', `Season ${season + 1} is final: ${int(f.results.filter((x) => x.title).length)} titles awarded.`);
        } catch (e) {
          msg.showError(e);
        }
      }));
    } catch (e) {
      if (!isAbort(e)) replace(content, errorBlock(e, 'results-error'));
    }
  }
  sel.addEventListener('change', () => {
    season = Number(sel.value);
    history.replaceState(null, '', withParams({ season: sel.value }));
    void draw();
  });
  await draw();
}

function resultsView(r: Results, ended: boolean, finalize: () => Promise<void>): HTMLElement {
  const state = r.finalized
    ? 'Final results'
    : ended
      ? 'Not finalized yet: the order as it stands, and the titles it would give'
      : 'The season is running: provisional order, and the titles it would give';
  const btn =
    !r.finalized && ended && canPlan()
      ? h('button', { type: 'button', class: 'btn', testid: 'results-finalize', onclick: (ev: Event) => { (ev.target as HTMLButtonElement).disabled = true; void finalize(); } }, `Finalize season ${r.season.index + 1}`)
      : null;
  return h(
    'div',
    null,
    h('p', { class: 'muted', testid: 'results-state', 'data-finalized': String(r.finalized) }, state, btn ? ' ' : null, btn),
    h('div', { class: 'results-scroll' }, dataTable<SeasonResult>({
      testid: 'results-table',
      rows: r.results,
      rowTestid: (x) => `result-${x.participant.code}`,
      // Titles are awarded only when the season is finalized; before, the server tells the
      // ones the order would give (shown as such, not as titles).
      rowAttrs: (x) => ({ 'data-title': r.finalized ? (x.title ?? '') : '', 'data-would-be': r.finalized ? '' : (x.title ?? '') }),
      empty: 'No results.',
      columns: [
        { key: 'overall', label: 'Overall', num: true, sort: (x) => x.overall, cell: (x) => h('span', { class: 'rank' }, int(x.overall)) },
        { key: 'who', label: 'Participant', className: 'col-name', cell: (x) => participantCell(x.participant) },
        { key: 'league', label: 'League (rank)', cell: (x) => (x.league ? h('span', null, x.league, h('span', { class: 'muted num' }, ` #${int(x.rank)}`)) : '—') },
        { key: 'score', label: 'Score', num: true, sort: (x) => x.score, cell: (x) => h('strong', { class: 'num' }, score(x.score, 2)) },
        {
          key: 'title',
          label: r.finalized ? 'Title' : 'Title it would get',
          cell: (x) => (!x.title ? '' : r.finalized ? h('span', { class: `title title-${x.title}` }, TITLES[x.title] ?? x.title) : h('span', { class: 'muted title' }, `(${TITLES[x.title] ?? x.title})`)),
        },
      ],
    })),
  );
}
