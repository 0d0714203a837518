// The wall-screen board of a drive (/board/CODE, also #/board/CODE): big type, the top
// of the standings, a live ticker of overtakings and records from /api/events, and a
// celebration (a CSS banner and confetti) for each. An overtaking in this drive
// re-fetches the standings; the board also refreshes itself every minute.

import { api, indicatorMap, type Drive, type Indicator, type StandingRow, type Standings } from '../api';
import { h, replace } from '../dom';
import { day, int, num, period as fmtPeriod, time } from '../format';
import { asOvertaking, asRecord, liveEvents, liveState, onLive, onLiveEvent, type LiveEvent, type OvertakingEvent, type RecordEvent } from '../live';
import { link, type Ctx } from '../router';
import { errorBlock, isAbort, loading } from '../ui';
import { rankChange, score, windowText, zoneMark } from './drives';

const TOP = 10;
const TICKER = 12;
const CELEBRATE_MS = 7000;
// Celebrations come one after another: each for CELEBRATE_MS, or MIN_MS when others
// wait; at most MAX_WAITING wait (the oldest are dropped: a bulk write is not a show).
const MIN_MS = 2500;
const MAX_WAITING = 6;

const GRAINS: Record<string, string> = { day: 'best day', month: 'best month', year: 'best year' };

export async function boardPage(ctx: Ctx): Promise<void> {
  const code = ctx.params[0];
  ctx.title('Board');
  document.documentElement.classList.add('board-on');
  ctx.onCleanup(() => document.documentElement.classList.remove('board-on'));
  const league = ctx.query.get('league') ?? '';
  const root = h('div', { class: 'board', testid: 'page-board' });
  ctx.main.append(root);
  root.append(loading('Loading the board…'));

  let drive: Drive;
  let inds: Map<string, Indicator>;
  try {
    [drive, inds] = await Promise.all([api.drive(code, ctx.signal), indicatorMap().catch(() => new Map<string, Indicator>())]);
  } catch (e) {
    if (!isAbort(e)) replace(root, errorBlock(e), h('p', null, h('a', { href: '/drives' }, '← All drives')));
    return;
  }
  if (ctx.signal.aborted) return;
  ctx.title(`${drive.name} · board`);

  const sub = h('p', { class: 'board-sub', testid: 'board-sub' });
  const clock = h('span', { class: 'board-clock num', testid: 'board-clock' });
  const live = h('span', { class: 'live-state', testid: 'board-live', role: 'status' });
  const title = h('h2', { id: 'board-top-h' }, `Top ${TOP}`);
  const list = h('ol', { class: 'board-rows', testid: 'board-standings', 'aria-labelledby': 'board-top-h' });
  const ticker = h('ol', { class: 'board-ticker', testid: 'board-ticker', 'aria-live': 'polite', 'aria-label': 'Live events, newest first' });
  const tickerEmpty = h('p', { class: 'board-empty', testid: 'board-ticker-empty' }, 'Overtakings and new records appear here as they happen.');
  const stage = h('div', { class: 'board-stage', 'aria-live': 'assertive' });
  replace(
    root,
    h(
      'header',
      { class: 'board-head' },
      h('div', null, h('h1', { testid: 'board-title' }, drive.name), sub),
      h('div', { class: 'board-meta' }, live, clock, h('a', { href: link(`/drives/${encodeURIComponent(drive.code)}`, { league: league || null }), class: 'board-exit', testid: 'board-exit' }, 'Exit board')),
    ),
    h(
      'div',
      { class: 'board-main' },
      h('section', { class: 'board-panel' }, title, list),
      h('section', { class: 'board-panel board-live', 'aria-labelledby': 'board-live-h' }, h('h2', { id: 'board-live-h' }, 'Live'), tickerEmpty, ticker),
    ),
    stage,
  );

  const tick = () => {
    clock.textContent = time(new Date().toISOString());
  };
  const showLive = () => {
    const s = liveState();
    live.dataset.state = s;
    live.textContent = s === 'open' ? 'Live' : s === 'off' ? 'Live: off' : 'Live: reconnecting…';
  };
  tick();
  showLive();
  const clockTimer = setInterval(tick, 1000);
  ctx.onCleanup(() => clearInterval(clockTimer));
  ctx.onCleanup(onLive(showLive));

  let highlight: string | null = null;
  let ctrl: AbortController | null = null;
  async function load(): Promise<void> {
    ctrl?.abort();
    ctrl = new AbortController();
    const signal = AbortSignal.any ? AbortSignal.any([ctx.signal, ctrl.signal]) : ctrl.signal;
    try {
      const st = league === '' ? await overallTop(drive.code, signal) : await api.standings(drive.code, { league, limit: TOP, offset: 0 }, signal);
      const lg = st.leagues.find((l) => String(l.index) === league);
      title.textContent = lg ? `League ${lg.name}: top ${TOP}` : `Top ${TOP} of ${int(st.total)}`;
      sub.textContent = `Season ${st.season.index + 1} · ${windowText(st.season.begin, st.season.end)} · as of ${day(st.as_of)}`;
      const oneTable = !!lg || st.leagues.length < 2;
      const leagueName = new Map(st.leagues.map((l) => [l.index, l.name]));
      replace(list, st.rows.map((r) => boardRow(r, oneTable, leagueName, r.participant.code === highlight, drive.streak_grain)));
      list.dataset.loadedAt = String(Date.now());
      highlight = null;
    } catch (e) {
      if (isAbort(e)) return;
      replace(list, h('li', { class: 'board-error' }, errorBlock(e)));
    }
  }
  await load();
  const refresh = setInterval(() => void load(), 60_000);
  ctx.onCleanup(() => clearInterval(refresh));

  // The ticker starts with what the session already received.
  const known = liveEvents().filter((e) => asOvertaking(e) || asRecord(e)).slice(0, TICKER);
  ticker.append(...known.map((e) => tickerItem(e, inds, drive.code)));
  tickerEmpty.hidden = ticker.children.length > 0;

  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  ctx.onCleanup(() => clearTimeout(reloadTimer));
  const banners = celebrations(stage);
  ctx.onCleanup(banners.stop);
  ctx.onCleanup(
    onLiveEvent((e) => {
      const o = asOvertaking(e);
      const r = asRecord(e);
      if (!o && !r) return;
      ticker.prepend(tickerItem(e, inds, drive.code));
      while (ticker.children.length > TICKER) ticker.lastElementChild!.remove();
      tickerEmpty.hidden = true;
      if (o && o.drive === drive.code) {
        banners.push({
          kind: 'overtaking',
          key: `o:${o.overtaker.code}:${o.overtaken.code}`,
          weight: 0,
          title: 'Overtaking!',
          line1: `${o.overtaker.name} passes ${o.overtaken.name}`,
          line2: `now rank ${int(o.new_rank)}${o.league_name ? ` in ${o.league_name}` : ''} · by ${num(o.margin)} points`,
        });
        highlight = o.overtaker.code;
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(() => void load(), 250);
      } else if (r && r.kind === 'new' && r.record) {
        const ind = inds.get(r.indicator);
        // One value may set the records of several scopes (the unit's own, its groups',
        // all units'): one banner, for the widest scope.
        banners.push({
          kind: 'record',
          key: `r:${r.record.holder.code}:${r.indicator}:${r.grain}:${r.record.period}`,
          weight: SCOPE_WEIGHT[r.scope] ?? 0,
          title: 'New record!',
          line1: `${r.record.holder.name}: ${ind?.name ?? r.indicator}, ${scopeText(r, GRAINS[r.grain] ?? r.grain)}`,
          line2: `${num(r.record.value)}${ind ? ` ${ind.measure}` : ''} on ${fmtPeriod(r.record.period)}${r.previous ? ` · the previous best ${num(r.previous.value)}${ind ? ` ${ind.measure}` : ''} (${r.previous.holder.name})` : ''}`,
        });
      }
    }),
  );
}

/**
 * The overall top ten. The server lists the rows by league, then rank (so its first page
 * is the first league's top): the whole table when it fits in one page of 1000, else
 * each league's top ten (the overall top ten is among them), then by overall rank.
 */
async function overallTop(code: string, signal: AbortSignal): Promise<Standings> {
  const st = await api.standings(code, { limit: 1000, offset: 0 }, signal);
  let rows = st.rows;
  if (st.rows.length < st.total && st.leagues.length) {
    const tops = await Promise.all(st.leagues.map((l) => api.standings(code, { league: l.index, limit: TOP, offset: 0 }, signal)));
    rows = tops.flatMap((t) => t.rows);
  }
  const key = (r: StandingRow) => (r.scored && r.overall_rank ? r.overall_rank : Infinity);
  return { ...st, rows: rows.filter((r) => r.scored).sort((a, b) => key(a) - key(b)).slice(0, TOP) };
}

function boardRow(r: StandingRow, oneTable: boolean, leagues: Map<number, string>, moved: boolean, streakGrain: string): HTMLLIElement {
  const rank = oneTable ? r.rank : r.overall_rank;
  return h(
    'li',
    {
      class: `board-row${moved ? ' board-moved' : ''}${rank === 1 ? ' board-first' : ''}`,
      testid: `board-row-${r.participant.code}`,
      'data-rank': String(rank ?? ''),
    },
    h('span', { class: 'board-rank num' }, int(rank)),
    h(
      'span',
      { class: 'board-name' },
      h('span', { class: 'board-who' }, r.participant.name),
      h('span', { class: 'board-league' }, [!oneTable && r.league !== null ? leagues.get(r.league) : null, r.streak ? `streak ${int(r.streak)} ${streakGrain}${r.streak === 1 ? '' : 's'}` : null].filter(Boolean).join(' · '), zoneMark(r)),
    ),
    h('span', { class: 'board-score num' }, score(r.score, 2)),
    h(
      'span',
      { class: 'board-moves' },
      h('span', null, h('small', { 'aria-hidden': 'true' }, 'day '), rankChange(r.rank_change_day, 'yesterday')),
      h('span', null, h('small', { 'aria-hidden': 'true' }, 'season '), rankChange(r.rank_change_start, 'the season start')),
    ),
  );
}

function tickerItem(e: LiveEvent, inds: Map<string, Indicator>, drive: string): HTMLLIElement {
  const o = asOvertaking(e);
  const r = asRecord(e);
  const at = (o?.at ?? r?.at) || e.received.toISOString();
  const li = h('li', { class: `tick tick-${o ? 'overtaking' : 'record'}`, testid: 'board-ticker-item', 'data-type': e.type }, h('time', { datetime: at }, time(at)));
  if (o) li.append(overtakingText(o, drive));
  else if (r) li.append(recordText(r, inds));
  return li;
}

function overtakingText(o: OvertakingEvent, drive: string): HTMLElement {
  return h(
    'span',
    { class: 'tick-body' },
    h('span', { class: 'tick-kind' }, '⇡ Overtaking'),
    h('strong', null, o.overtaker.name),
    ' passes ',
    h('strong', null, o.overtaken.name),
    h('span', { class: 'tick-more' }, ` → rank ${int(o.new_rank)}${o.league_name ? `, ${o.league_name}` : ''} (+${num(o.margin)})${o.drive === drive ? '' : ` · ${o.drive_name}`}`),
  );
}

function recordText(r: RecordEvent, inds: Map<string, Indicator>): HTMLElement {
  const ind = inds.get(r.indicator);
  const value = (v: { value: number } | null) => h('strong', { class: 'num' }, `${num(v?.value)}${ind ? ` ${ind.measure}` : ''}`);
  if (r.kind === 'withdrawn') {
    // `previous` is the record withdrawn, `record` the one restored (null: none is left).
    return h(
      'span',
      { class: 'tick-body' },
      h('span', { class: 'tick-kind' }, '↺ Record withdrawn'),
      h('strong', null, r.previous?.holder.name ?? '—'),
      ` ${ind?.name ?? r.indicator}, ${GRAINS[r.grain] ?? r.grain}: `,
      value(r.previous),
      h('span', { class: 'tick-more' }, r.record ? ` (restored: ${num(r.record.value)}, ${r.record.holder.name})` : ' (no record left)'),
    );
  }
  return h(
    'span',
    { class: 'tick-body' },
    h('span', { class: 'tick-kind' }, '★ New record'),
    h('strong', null, r.record?.holder.name ?? '—'),
    ` ${ind?.name ?? r.indicator}, ${GRAINS[r.grain] ?? r.grain}: `,
    value(r.record),
    h('span', { class: 'tick-more' }, r.previous ? ` (was ${num(r.previous.value)}, ${r.previous.holder.name})` : ''),
  );
}

const SCOPE_WEIGHT: Record<string, number> = { unit: 1, group: 2, all: 3 };

/** "best day of all units", "best day in region/P01", "its own best day". */
function scopeText(r: RecordEvent, grain: string): string {
  if (r.scope === 'all') return `${grain} of all units`;
  if (r.scope === 'group') return `${grain} in ${r.target ?? 'its group'}`;
  return `its own ${grain}`;
}

interface Banner {
  kind: 'record' | 'overtaking';
  /** Banners with the same key are one (the one of greater weight is kept). */
  key: string;
  weight: number;
  title: string;
  line1: string;
  line2: string;
}

/** The queue of celebrations on the stage, one at a time. */
function celebrations(stage: HTMLElement): { push: (b: Banner) => void; stop: () => void } {
  const waiting: Banner[] = [];
  let current: { banner: Banner; el: HTMLElement; at: number } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = (): void => {
    clearTimeout(timer);
    current?.el.remove();
    current = null;
    const b = waiting.shift();
    if (!b) return;
    current = { banner: b, el: celebration(b), at: Date.now() };
    stage.append(current.el);
    timer = setTimeout(next, waiting.length ? MIN_MS : CELEBRATE_MS);
  };
  const push = (b: Banner): void => {
    if (current?.banner.key === b.key && current.banner.weight >= b.weight) return;
    const same = waiting.findIndex((w) => w.key === b.key);
    if (same >= 0) {
      if (waiting[same].weight < b.weight) waiting[same] = b;
      return;
    }
    waiting.push(b);
    while (waiting.length > MAX_WAITING) waiting.shift();
    if (!current) next();
    else {
      clearTimeout(timer);
      timer = setTimeout(next, Math.max(0, MIN_MS - (Date.now() - current.at)));
    }
  };
  return { push, stop: () => clearTimeout(timer) };
}

/** A banner across the board and confetti falling: CSS animations. */
function celebration(b: Banner): HTMLElement {
  const colors = ['#ffcf4d', '#e53935', '#43a047', '#1e88e5', '#ffffff', '#fb8c00'];
  const confetti = h('div', { class: 'confetti', 'aria-hidden': 'true' });
  for (let i = 0; i < 48; i += 1) {
    confetti.append(
      h('i', {
        style: `--x:${(Math.random() * 100).toFixed(1)}%;--d:${(Math.random() * 0.9).toFixed(2)}s;--t:${(2.4 + Math.random() * 2).toFixed(2)}s;--r:${Math.floor(Math.random() * 720 - 360)}deg;--c:${colors[i % colors.length]};--w:${(0.5 + Math.random() * 0.6).toFixed(2)}rem`,
      }),
    );
  }
  return h(
    'div',
    { class: `celebration celebration-${b.kind}`, testid: 'board-celebration', 'data-kind': b.kind, role: 'status' },
    confetti,
    h('div', { class: 'banner' }, h('div', { class: 'banner-title' }, b.kind === 'record' ? '★ ' : '⇡ ', b.title), h('div', { class: 'banner-line' }, b.line1), h('div', { class: 'banner-sub' }, b.line2)),
  );
}
