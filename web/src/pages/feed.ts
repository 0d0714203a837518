// The live feed: events from /api/events, newest first, at most 200.

import { indicatorMap, unitName, type Indicator } from '../api';
import { h, replace } from '../dom';
import { day, int, num, pct, period as fmtPeriod, statusBadge, time, dateTime } from '../format';
import { asModelOvertaken, asOvertaking, asRecord, CAP, liveEvents, liveState, markSeen, onLive, onLiveEvent, type EventParticipant, type LiveEvent, type ModelOvertakenEvent, type OvertakingEvent, type RecordEvent } from '../live';
import type { Ctx } from '../router';
import { pageHeader } from '../ui';

const TYPE_LABELS: Record<string, string> = {
  status: 'Status',
  record: 'Record',
  records: 'Records',
  overtaking: 'Overtaking',
  overtake: 'Overtaking',
  overtakings: 'Overtakings',
  model_overtaken: 'Model overtaken',
  models_overtaken: 'Models overtaken',
  join: 'Joined',
  message: 'Message',
};

const STATE_TEXT: Record<string, string> = {
  off: 'Not connected.',
  connecting: 'Connecting to the live stream…',
  open: 'Connected: new events appear at the top.',
  reconnecting: 'Connection lost: reconnecting…',
};

export async function feedPage(ctx: Ctx): Promise<void> {
  ctx.title('Live feed');
  const root = h('div', { class: 'page page-feed', testid: 'page-feed' });
  ctx.main.append(root);
  const stateEl = h('p', { class: 'feed-state', testid: 'feed-state', role: 'status' });
  const count = h('span', { testid: 'feed-count' });
  const list = h('ol', { class: 'feed', testid: 'feed-list', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Events, newest first' });
  const empty = h('p', { class: 'muted', testid: 'feed-empty' }, 'No events yet. They appear here as they happen (for example when a unit’s fulfilment status changes).');
  root.append(pageHeader('Live feed', stateEl), h('p', { class: 'muted' }, count, ` events shown (at most ${CAP}).`), empty, list);

  let inds = new Map<string, Indicator>();
  try {
    inds = await indicatorMap();
  } catch {
    /* names are optional */
  }

  function updateState(): void {
    const s = liveState();
    stateEl.textContent = STATE_TEXT[s] ?? s;
    stateEl.dataset.state = s;
    const n = liveEvents().length;
    count.textContent = int(n);
    empty.hidden = n > 0;
  }

  const f = document.createDocumentFragment();
  for (const e of liveEvents()) f.append(item(e, inds));
  list.append(f);
  updateState();
  markSeen();

  ctx.onCleanup(onLive(updateState));
  ctx.onCleanup(
    onLiveEvent((e) => {
      list.prepend(item(e, inds));
      while (list.children.length > CAP) list.lastElementChild!.remove();
      markSeen();
    }),
  );
}

function item(e: LiveEvent, inds: Map<string, Indicator>): HTMLLIElement {
  const d = (e.data && typeof e.data === 'object' ? e.data : {}) as Record<string, unknown>;
  const at = typeof d.at === 'string' ? d.at : e.received.toISOString();
  const label = TYPE_LABELS[e.type] ?? e.type.replace(/[_-]+/g, ' ');
  const li = h('li', { class: `feed-item feed-${e.type}`, testid: 'feed-item', 'data-type': e.type, 'data-id': e.id });
  const timeEl = h('time', { datetime: at, title: dateTime(at) }, time(at));
  const typeEl = h('span', { class: 'feed-type' }, label);

  if (e.type === 'status' && typeof d.unit === 'string') {
    const unit = d.unit;
    const ind = typeof d.indicator === 'string' ? d.indicator : '';
    const unitLink = unitLinkFor(unit, ind);
    li.dataset.unit = unit;
    replace(
      li,
      timeEl,
      typeEl,
      h(
        'span',
        { class: 'feed-body' },
        unitLink,
        ' — ',
        inds.get(ind)?.name ?? ind,
        typeof d.period === 'string' ? `, ${fmtPeriod(d.period)}` : '',
        ': ',
        d.from ? statusBadge(String(d.from)) : 'new',
        h('span', { 'aria-hidden': 'true' }, ' → '),
        h('span', { class: 'sr-only' }, ' became '),
        statusBadge(typeof d.to === 'string' ? d.to : null),
        typeof d.percent === 'number' ? h('span', { class: 'num' }, ` ${pct(d.percent)}`) : null,
      ),
    );
    return li;
  }

  const o = asOvertaking(e);
  if (o) {
    li.dataset.unit = o.overtaker.code;
    replace(li, timeEl, typeEl, overtakingSentence(o));
    return li;
  }
  const mo = asModelOvertaken(e);
  if (mo) {
    li.dataset.unit = mo.follower.code;
    replace(li, timeEl, typeEl, modelOvertakenSentence(mo, inds));
    return li;
  }
  const r = asRecord(e);
  if (r) {
    const holder = (r.kind === 'withdrawn' ? r.previous : r.record)?.holder;
    if (holder) li.dataset.unit = holder.code;
    replace(li, timeEl, typeEl, recordSentence(r, inds));
    return li;
  }
  const SUMMARY: Record<string, [string, string]> = {
    overtakings: ['overtakings', 'see the standings'],
    records: ['record changes', 'see the records book'],
    models_overtaken: ['followers passed their models', 'see the models'],
  };
  const summary = SUMMARY[e.type];
  if (summary && typeof d.count === 'number') {
    // One summary instead of many events (a bulk write).
    replace(li, timeEl, typeEl, h('span', { class: 'feed-body' }, `${int(d.count)} ${summary[0]} at once`, typeof d.author === 'string' ? ` (a write by ${d.author})` : '', `: ${summary[1]}.`));
    return li;
  }

  // Any other event: the unit and indicator when it names them, then its other fields.
  const head: (Node | string)[] = [];
  if (typeof d.unit === 'string') {
    head.push(unitLinkFor(d.unit, typeof d.indicator === 'string' ? d.indicator : ''));
    li.dataset.unit = d.unit;
    if (typeof d.indicator === 'string') head.push(` — ${inds.get(d.indicator)?.name ?? d.indicator}`);
  }
  const skip = new Set(['at', ...(typeof d.unit === 'string' ? ['unit'] : []), ...(typeof d.indicator === 'string' ? ['indicator'] : [])]);
  const parts =
    e.data && typeof e.data === 'object'
      ? Object.entries(d)
          .filter(([k]) => !skip.has(k))
          .map(([k, v]) => h('span', { class: 'kv' }, h('span', { class: 'k' }, k.replace(/_/g, ' ')), ' ', fmtValue(k, v)))
      : [String(e.raw)];
  replace(li, timeEl, typeEl, h('span', { class: 'feed-body' }, head.length ? h('span', null, ...head) : null, parts));
  return li;
}

function fmtValue(key: string, v: unknown): string {
  if (typeof v === 'number') return /percent/.test(key) ? pct(v) : num(v);
  if (typeof v === 'string' && key === 'period') return fmtPeriod(v);
  if (typeof v === 'string' && key === 'date') return day(v);
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function unitLinkFor(unit: string, ind: string): HTMLAnchorElement {
  const a = h('a', { href: `/unit/${encodeURIComponent(unit)}${ind ? `?indicator=${encodeURIComponent(ind)}` : ''}`, class: 'feed-unit', 'data-unit': unit }, unit);
  void unitName(unit).then((n) => {
    if (n) a.textContent = `${n} (${unit})`;
  });
  return a;
}

// ---- emulation events as sentences ------------------------------------------------

const GRAINS: Record<string, string> = { day: 'best day', month: 'best month', year: 'best year' };
const ordinals = new Intl.PluralRules('en', { type: 'ordinal' });
const SUFFIX: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };

/** 1 → "1st", 22 → "22nd", 13 → "13th" (the sentences are English). */
export function ordinal(n: number): string {
  return `${int(n)}${SUFFIX[ordinals.select(n)] ?? 'th'}`;
}

/** A unit links to its page, a group ("region/P01") to its drill-down. */
function participantLink(p: EventParticipant, ind = ''): HTMLAnchorElement {
  const text = p.name && p.name !== p.code ? `${p.name} (${p.code})` : p.code;
  if (p.kind === 'group') {
    const i = p.code.indexOf('/');
    const href = i > 0 ? `/drill/${encodeURIComponent(p.code.slice(0, i))}?group=${encodeURIComponent(p.code.slice(i + 1))}` : '/drill';
    return h('a', { href, class: 'feed-unit', 'data-code': p.code }, text);
  }
  return h('a', { href: `/unit/${encodeURIComponent(p.code)}${ind ? `?indicator=${encodeURIComponent(ind)}` : ''}`, class: 'feed-unit', 'data-unit': p.code }, text);
}

/** "Unit X overtook Unit Y in <league> of <drive> by 0.42 points, now 3rd". */
function overtakingSentence(o: OvertakingEvent): HTMLElement {
  const where = o.league_name ? ['in ', h('strong', null, o.league_name), ' of '] : o.level ? [`among the groups (${o.level}) of `] : ['in '];
  return h(
    'span',
    { class: 'feed-body feed-sentence' },
    participantLink(o.overtaker),
    ' overtook ',
    participantLink(o.overtaken),
    ' ',
    ...where,
    h('a', { href: `/drives/${encodeURIComponent(o.drive)}${o.league !== null && o.league >= 0 && o.league_name ? `?league=${o.league}` : ''}` }, o.drive_name || o.drive),
    ' by ',
    h('span', { class: 'num' }, `${num(o.margin)} point${o.margin === 1 ? '' : 's'}`),
    Number.isFinite(o.new_rank) && o.new_rank > 0 ? `, now ${ordinal(o.new_rank)}` : '',
    '.',
  );
}

function recordScope(r: RecordEvent): string {
  if (r.scope === 'all') return 'all units';
  if (r.scope === 'group') return r.target ?? 'a group';
  return r.target ? `unit ${r.target}` : 'a unit';
}

function recordValue(v: { value: number; period: string }, measure: string): string {
  return `${num(v.value)}${measure ? ` ${measure}` : ''} (${fmtPeriod(v.period)})`;
}

/**
 * "New record: <holder> <indicator> <grain> <value> (previous: <holder> <value>)", in
 * a scope; a withdrawn one names the withdrawn value and the one restored.
 */
function recordSentence(r: RecordEvent, inds: Map<string, Indicator>): HTMLElement {
  const ind = inds.get(r.indicator);
  const name = ind?.name ?? r.indicator;
  const measure = ind?.measure ?? '';
  const grain = GRAINS[r.grain] ?? r.grain;
  const body = h('span', { class: 'feed-body feed-sentence' });
  if (r.kind === 'withdrawn') {
    const gone = r.previous;
    body.append(
      'Record withdrawn',
      ` (${recordScope(r)}): `,
      gone ? participantLink(gone.holder, r.indicator) : 'a record',
      ` ${name}, ${grain}`,
      gone ? ` ${recordValue(gone, measure)}` : '',
      '; ',
      ...(r.record ? ['restored: ', participantLink(r.record.holder, r.indicator), ` ${recordValue(r.record, measure)}`] : ['no record remains']),
      '.',
    );
    return body;
  }
  body.append(
    'New record',
    ` (${recordScope(r)}): `,
    r.record ? participantLink(r.record.holder, r.indicator) : '—',
    ` ${name}, ${grain}`,
    r.record ? h('strong', { class: 'num' }, ` ${recordValue(r.record, measure)}`) : '',
    ' (previous: ',
    ...(r.previous ? [participantLink(r.previous.holder, r.indicator), ` ${recordValue(r.previous, measure)}`] : ['none']),
    ').',
  );
  return body;
}

/** "U00230 overtook its model U00017 on coal_per_worker in November 2026 (82.1 against 80.4 t/person)". */
function modelOvertakenSentence(m: ModelOvertakenEvent, inds: Map<string, Indicator>): HTMLElement {
  const ind = inds.get(m.indicator);
  const measure = ind?.measure ? ` ${ind.measure}` : '';
  const group = m.peer_group && m.peer_group.kind === 'group' && m.peer_group.code ? m.peer_group.code : '';
  const q = group ? `?group=${encodeURIComponent(group)}` : '';
  return h(
    'span',
    { class: 'feed-body feed-sentence' },
    h('a', { href: `/units/${encodeURIComponent(m.follower.code)}/learning${q}`, class: 'feed-unit', 'data-unit': m.follower.code }, m.follower.name ? `${m.follower.name} (${m.follower.code})` : m.follower.code),
    ' overtook its model ',
    h('a', { href: `/models/${encodeURIComponent(m.model.code)}${q}`, class: 'feed-unit', 'data-unit': m.model.code }, m.model.name ? `${m.model.name} (${m.model.code})` : m.model.code),
    ' on ',
    h('strong', { title: ind?.name ?? m.indicator }, m.indicator),
    m.month ? ` in ${fmtPeriod(m.month)}` : '',
    typeof m.follower_value === 'number' && typeof m.model_value === 'number' ? h('span', { class: 'num' }, ` (${num(m.follower_value)} against ${num(m.model_value)}${measure})`) : '',
    '.',
  );
}
