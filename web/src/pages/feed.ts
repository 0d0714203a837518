// The live feed: events from /api/events, newest first, at most 200.

import { indicatorMap, unitName, type Indicator } from '../api';
import { h, replace } from '../dom';
import { day, int, num, pct, period as fmtPeriod, statusBadge, time, dateTime } from '../format';
import { CAP, liveEvents, liveState, markSeen, onLive, onLiveEvent, type LiveEvent } from '../live';
import type { Ctx } from '../router';
import { pageHeader } from '../ui';

const TYPE_LABELS: Record<string, string> = {
  status: 'Status',
  record: 'New record',
  records: 'New record',
  overtaking: 'Overtaking',
  overtake: 'Overtaking',
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
