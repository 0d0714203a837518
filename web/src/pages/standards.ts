// Standards: a norm per indicator and peer group, its revisions (a step chart and a
// table), how many units meet it and the advanced level; planners set a standard by
// hand or ask for a re-base proposal (with its reason) and apply it.

import { api, ApiError, indicatorMap, type Group, type Indicator, type Rebase, type Standard } from '../api';
import { timeChart, toSec } from '../charts';
import { field, h, replace, setFieldError, uid } from '../dom';
import { day, int, num, parseNumber, pct } from '../format';
import { link, navigate, reload, withParams, type Ctx } from '../router';
import { dataTable, errorBlock, isAbort, loading, messageBox, pageHeader } from '../ui';
import { canPlan } from './drives';

const SEASONS: [string, string][] = [
  ['month', 'Months'],
  ['quarter', 'Quarters'],
  ['half', 'Half-years'],
  ['year', 'Years'],
];
const DEFAULT_SEASON = 'quarter';

const keyOf = (s: { indicator: string; peer_group: string | null }) => `${s.indicator}|${s.peer_group ?? ''}`;

export async function standardsPage(ctx: Ctx): Promise<void> {
  ctx.title('Standards');
  const root = h('div', { class: 'page page-standards', testid: 'page-standards' });
  ctx.main.append(root);
  const status = loading('Loading the standards…');
  root.append(
    pageHeader('Standards', h('p', { class: 'as-of' }, 'Norms per indicator and peer group. Re-based when the advanced exceed them, halfway and with a documented rule, so one good year does not set the norm.')),
    status,
  );
  // The seasons the counts and the re-base rule look at (the last complete one before
  // the latest reported day): quarters by default, as the demo's standards are derived.
  const season = SEASONS.some(([v]) => v === ctx.query.get('season')) ? ctx.query.get('season')! : DEFAULT_SEASON;
  let list: Standard[];
  let inds: Map<string, Indicator>;
  try {
    [list, inds] = await Promise.all([api.standards(undefined, ctx.signal, season), indicatorMap()]);
  } catch (e) {
    if (!isAbort(e)) status.replaceWith(errorBlock(e));
    return;
  }
  if (ctx.signal.aborted) return;
  const wanted = `${ctx.query.get('indicator') ?? ''}|${ctx.query.get('peer_group') ?? ''}`;
  const selected = list.find((s) => keyOf(s) === wanted) ?? (ctx.query.get('indicator') ? null : list[0] ?? null);
  const name = (code: string) => inds.get(code)?.name ?? code;
  const measure = (code: string) => inds.get(code)?.measure ?? '';

  const table = dataTable<Standard>({
    testid: 'standards-table',
    rows: list,
    rowTestid: () => 'standard-row',
    rowAttrs: (s) => ({ 'data-indicator': s.indicator, 'data-peer-group': s.peer_group ?? '', 'aria-current': String(selected !== null && keyOf(s) === keyOf(selected)) }),
    empty: 'No standards yet.',
    columns: [
      {
        key: 'indicator',
        label: 'Indicator',
        sort: (s) => name(s.indicator),
        cell: (s) => h('a', { href: link('/standards', { indicator: s.indicator, peer_group: s.peer_group, season: season === DEFAULT_SEASON ? null : season }), testid: `standard-link-${s.indicator}` }, name(s.indicator)),
      },
      { key: 'peer', label: 'Peer group', sort: (s) => s.peer_group ?? '', cell: (s) => s.peer_group ?? 'all units' },
      { key: 'value', label: 'Standard', num: true, cell: (s) => (s.current ? h('span', null, h('strong', { class: 'num', testid: 'standard-value' }, num(s.current.value)), ' ', h('span', { class: 'measure' }, measure(s.indicator))) : '—') },
      { key: 'from', label: 'Since', cell: (s) => (s.current ? day(s.current.from) : '—') },
      { key: 'source', label: 'Source', cell: (s) => (s.current ? sourceLabel(s.current.source) : '—') },
      {
        key: 'meeting',
        label: 'Meeting it',
        num: true,
        sort: (s) => (s.units ? (s.meeting ?? 0) / s.units : null),
        cell: (s) => (s.units ? h('span', null, `${int(s.meeting)} of ${int(s.units)}`, h('span', { class: 'muted' }, ` (${pct((100 * (s.meeting ?? 0)) / s.units, 0)})`)) : h('span', { class: 'muted' }, 'no unit with data')),
      },
      {
        key: 'advanced',
        label: 'Advanced level',
        num: true,
        cell: (s) =>
          s.advanced_level === null
            ? '—'
            : h('span', null, num(s.advanced_level), s.current?.value ? h('span', { class: 'muted' }, ` (${s.advanced_level >= s.current.value ? '+' : ''}${pct((100 * (s.advanced_level - s.current.value)) / s.current.value, 0)})`) : null),
      },
      { key: 'season', label: 'Season', cell: (s) => s.season ?? '—' },
    ],
  });

  const detail = h('section', { class: 'card', testid: 'standard-detail', 'aria-labelledby': 'standard-h' });
  const formBox = h('section', { class: 'card', 'aria-labelledby': 'set-h' });
  const missing = !selected && ctx.query.get('indicator')
    ? h('div', { class: 'msg msg-info', role: 'status', testid: 'standard-missing' }, `No standard for ${name(ctx.query.get('indicator')!)} in ${ctx.query.get('peer_group') || 'all units'} yet.`)
    : null;
  const seasonSel = h(
    'select',
    { id: uid('season'), testid: 'standards-season', onchange: () => navigate(withParams({ season: seasonSel.value === DEFAULT_SEASON ? null : seasonSel.value })) },
    SEASONS.map(([v, l]) => h('option', { value: v, selected: v === season }, l)),
  );
  const seasonCtl = h(
    'div',
    { class: 'controls' },
    h('div', { class: 'control' }, h('label', { for: seasonSel.id }, 'Seasons judged (the last complete one)'), seasonSel),
  );
  status.replaceWith(seasonCtl, ...(missing ? [missing] : []), h('section', { class: 'card' }, table), ...(selected ? [detail] : []), formBox);
  if (selected) showDetail(ctx, detail, selected, name, measure, season);

  if (!canPlan()) {
    replace(formBox, h('h2', { id: 'set-h' }, 'Set a standard'), h('p', { class: 'muted', testid: 'standards-readonly' }, 'Planners and admins set standards and apply re-bases.'));
    return;
  }
  let peerGroups: Group[] = [];
  try {
    const roots = await api.groups('sector');
    const kids = await Promise.all(roots.map((g) => api.groups('sector', g.code).catch(() => [] as Group[])));
    peerGroups = roots.flatMap((g, i) => [g, ...kids[i]]);
  } catch {
    /* the peer group stays free text then */
  }
  if (ctx.signal.aborted) return;
  buildForm(formBox, selected, [...inds.values()], peerGroups);
}

function sourceLabel(s: string): string {
  return s === 'manual' ? 'set by hand' : s === 'derived' ? 'derived from the data' : s;
}

function showDetail(ctx: Ctx, box: HTMLElement, s: Standard, name: (c: string) => string, measure: (c: string) => string, season: string): void {
  const hist = [...s.history].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const title = `${name(s.indicator)} — ${s.peer_group ?? 'all units'}`;
  box.append(h('h2', { id: 'standard-h', testid: 'standard-title' }, title));
  if (hist.length) {
    // The step chart holds each value until the next revision (and up to today).
    const today = new Date().toISOString().slice(0, 10);
    const last = hist[hist.length - 1].from > today ? hist[hist.length - 1].from : today;
    const x = [...hist.map((r) => toSec(r.from)), toSec(last)];
    const values = [...hist.map((r) => r.value), hist[hist.length - 1].value];
    const chart = timeChart({
      x,
      series: [
        { label: 'Standard', values, color: '#c62828', kind: 'step', width: 3 },
        ...(s.advanced_level !== null
          ? [{ label: `Advanced level${s.season ? ` (season ${s.season})` : ''}`, values: x.map(() => s.advanced_level), color: '#1f77b4', dash: [6, 4], width: 2 }]
          : []),
      ],
      height: 220,
      title: `${title}: revisions over time`,
      testid: 'standard-chart',
    });
    ctx.onCleanup(chart.destroy);
    box.append(chart.el, h('p', { class: 'muted chart-note' }, `From ${day(hist[0].from)} to ${day(last)}; each value holds until the next revision.`));
  }
  box.append(
    dataTable({
      testid: 'standard-history',
      caption: `${int(hist.length)} revision${hist.length === 1 ? '' : 's'}, newest first`,
      rows: [...hist].reverse(),
      rowTestid: () => 'standard-revision',
      rowAttrs: (r) => ({ 'data-from': r.from, 'data-value': String(r.value) }),
      columns: [
        { key: 'from', label: 'From', cell: (r) => day(r.from) },
        { key: 'value', label: 'Value', num: true, cell: (r) => h('span', null, h('strong', { class: 'num' }, num(r.value)), ' ', h('span', { class: 'measure' }, measure(s.indicator))) },
        { key: 'source', label: 'Source', cell: (r) => sourceLabel(r.source) },
        { key: 'note', label: 'Note', cell: (r) => r.note || '—' },
      ],
    }),
  );
  if (!canPlan()) return;
  const out = h('div', { testid: 'rebase-proposal', 'aria-live': 'polite', hidden: true });
  const msg = messageBox('rebase-message');
  const btn = h('button', { type: 'button', class: 'btn', testid: 'standard-rebase' }, 'Propose a re-base');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    msg.hide();
    try {
      const r = await api.rebase({ indicator: s.indicator, peer_group: s.peer_group, season, apply: false });
      showProposal(out, r, s, msg, measure, season);
    } catch (e) {
      msg.showError(e);
    } finally {
      btn.disabled = false;
    }
  });
  box.append(h('div', { class: 'actions' }, btn), msg, out);
}

function showProposal(out: HTMLElement, r: Rebase, s: Standard, msg: ReturnType<typeof messageBox>, measure: (c: string) => string, season: string): void {
  out.hidden = false;
  out.className = `proposal ${r.rebase ? 'proposal-yes' : 'proposal-no'}`;
  out.dataset.rebase = String(r.rebase);
  const apply = h('button', { type: 'button', class: 'btn btn-primary', testid: 'rebase-apply' }, 'Apply the new standard');
  apply.addEventListener('click', async () => {
    apply.disabled = true;
    try {
      await api.rebase({ indicator: s.indicator, peer_group: s.peer_group, season, apply: true });
      msg.show('ok', 'The new standard is stored.');
      reload();
    } catch (e) {
      msg.showError(e);
      apply.disabled = false;
    }
  });
  replace(
    out,
    h('h3', null, r.rebase ? 'Re-base proposed' : 'No re-base'),
    r.rebase && r.standard
      ? h('p', { class: 'proposal-value' }, 'New standard ', h('strong', { class: 'num', testid: 'rebase-value' }, num(r.standard.value)), ` ${measure(s.indicator)} from ${day(r.standard.from)}`, s.current ? ` (now ${num(s.current.value)})` : '')
      : null,
    h('p', { testid: 'rebase-reason' }, r.reason),
    r.rebase ? apply : null,
  );
}

function buildForm(box: HTMLElement, selected: Standard | null, indicators: Indicator[], peers: Group[]): void {
  const indSel = h('select', { id: uid('ind'), testid: 'standard-indicator' });
  for (const i of indicators) indSel.append(h('option', { value: i.code, selected: selected?.indicator === i.code }, `${i.name} (${i.measure})`));
  const peerSel = h('select', { id: uid('peer'), testid: 'standard-peer' }, h('option', { value: '' }, 'All units'));
  for (const g of peers) peerSel.append(h('option', { value: `sector/${g.code}`, selected: selected?.peer_group === `sector/${g.code}` }, `${g.parent ? '— ' : ''}${g.name} (sector/${g.code})`));
  if (selected?.peer_group && ![...peerSel.options].some((o) => o.value === selected.peer_group)) peerSel.append(h('option', { value: selected.peer_group, selected: true }, selected.peer_group));
  const from = h('input', { type: 'date', id: uid('from'), testid: 'standard-from', required: true, value: new Date().toISOString().slice(0, 10) });
  const value = h('input', { type: 'text', inputmode: 'decimal', id: uid('value'), testid: 'standard-value-input', required: true, autocomplete: 'off' });
  const note = h('input', { type: 'text', id: uid('note'), testid: 'standard-note', autocomplete: 'off', placeholder: 'Why (shown in the history)' });
  const fInd = field('Indicator', indSel, { testid: 'standard-indicator' });
  const fPeer = field('Peer group', peerSel, { testid: 'standard-peer' });
  const fFrom = field('From (first day it applies)', from, { testid: 'standard-from' });
  const fValue = field('Value', value, { testid: 'standard-value' });
  const fNote = field('Note', note, { testid: 'standard-note' });
  const fields: Record<string, ReturnType<typeof field>> = { indicator: fInd, peer_group: fPeer, from: fFrom, value: fValue, note: fNote };
  const msg = messageBox('standard-message');
  const form = h(
    'form',
    { class: 'form', novalidate: true, testid: 'standard-form' },
    fInd.wrap,
    fPeer.wrap,
    fFrom.wrap,
    fValue.wrap,
    fNote.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', testid: 'standard-submit' }, 'Set the standard')),
    msg,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    Object.values(fields).forEach((f) => setFieldError(f, null));
    msg.hide();
    const v = parseNumber(value.value);
    let bad = false;
    if (v === null || v <= 0) {
      setFieldError(fValue, 'A positive number.');
      bad = true;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from.value)) {
      setFieldError(fFrom, 'A day (YYYY-MM-DD).');
      bad = true;
    }
    if (bad) return;
    try {
      await api.setStandard({ indicator: indSel.value, peer_group: peerSel.value || null, from: from.value, value: v!, note: note.value.trim() });
      msg.show('ok', `Standard set: ${num(v)} from ${day(from.value)}.`);
      navigate(withParams({ indicator: indSel.value, peer_group: peerSel.value || null }), { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.errors.length) {
        for (const fe of e.errors) {
          const k = fe.field ?? fe.path?.replace(/^\$\./, '') ?? '';
          if (fields[k]) setFieldError(fields[k], fe.message ?? fe.reason ?? 'invalid');
        }
      }
      msg.showError(e);
    }
  });
  replace(box, h('h2', { id: 'set-h' }, 'Set a standard'), form);
}
