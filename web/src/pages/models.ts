// Models: the units designated as examples for a peer group (the models in force, with
// the reason and their followers), candidates for a chosen peer group with a
// "designate" form for planners and admins; and one model's followers with their gap
// on each compared indicator, how it closes month by month, and who overtook it.

import { timeChart, toSec, PALETTE, sparkline } from '../charts';
import { field, h, replace, setFieldError, uid, type Child } from '../dom';
import { day, int, num, pct, period as fmtPeriod } from '../format';
import { latest } from '../fulfil';
import { link, navigate, reload, withParams, type Ctx } from '../router';
import { dataTable, errorBlock, isAbort, loading, messageBox, pageHeader, pager } from '../ui';
import { canPlan } from './drives';
import {
  codeOf,
  defaultGroup,
  groupSelect,
  groupText,
  learningApi,
  listOf,
  nameOf,
  peerGroups,
  scoreText,
  unitCell,
  type IndicatorRef,
  type Model,
  type Named,
} from './frontier';

interface Suggestion {
  unit: Named;
  reason?: string | null;
  basis?: string | null;
  source?: string | null;
  kind?: string | null;
  score?: number | null;
  super_score?: number | null;
  unbounded?: boolean;
  drive?: string | null;
  top_seasons?: number | null;
  mean_rank?: number | null;
  note?: string | null;
}

interface Gap {
  indicator: string;
  model: number | null;
  follower: number | null;
  gap: number | null;
  gap_pct: number | null;
  slope: number | null;
  overtook: boolean;
}

interface Follower {
  unit: Named;
  chosen: boolean;
  gaps: Gap[];
  trend: (number | null)[][];
}

interface ModelFollowers {
  model: Model;
  as_of: string;
  indicators: IndicatorRef[];
  months: string[];
  total: number;
  followers: Follower[];
}

const LIMIT = 50;

function followersOf(m: Model): number | null {
  const r = m as unknown as Record<string, unknown>;
  for (const k of ['followers', 'followers_count', 'follower_count']) if (typeof r[k] === 'number') return r[k] as number;
  if (Array.isArray(r.followers)) return (r.followers as unknown[]).length;
  return null;
}

// ---- the list, the suggestions, the designate form ------------------------------------

export async function modelsPage(ctx: Ctx): Promise<void> {
  ctx.title('Models');
  const root = h('div', { class: 'page page-models', testid: 'page-models' });
  ctx.main.append(root);
  const status = loading('Loading the models…');
  root.append(pageHeader('Models', h('p', { class: 'as-of' }, 'Create a model and generalize it: the planners designate the advanced units as models for their peers; every other unit measures itself against its model and closes the gap.')), status);
  const group = ctx.query.get('group') ?? '';
  let groups: Awaited<ReturnType<typeof peerGroups>> = [];
  let answer: Record<string, unknown>;
  try {
    [answer, groups] = await Promise.all([learningApi.models({ group: group || undefined }, ctx.signal), peerGroups().catch(() => [])]);
  } catch (e) {
    if (!isAbort(e)) status.replaceWith(errorBlock(e));
    return;
  }
  if (ctx.signal.aborted) return;
  const models = listOf<Model>(answer, 'models');
  const sel = groupSelect(groups, group, (g) => navigate(withParams({ group: g || null })), { testid: 'models-group', allowAll: true, allLabel: 'Every peer group' });
  const list = h(
    'section',
    { class: 'card', 'aria-labelledby': 'models-h' },
    h('h2', { id: 'models-h' }, `Models in force${group ? ` in ${group}` : ''}`),
    typeof answer.as_of === 'string' ? h('p', { class: 'muted' }, `As of ${day(answer.as_of)}.`) : null,
    dataTable<Model>({
      testid: 'models-table',
      rows: models,
      rowTestid: (m) => `model-row-${m.unit.code}`,
      rowAttrs: (m) => ({ 'data-code': m.unit.code, 'data-peer-group': m.peer_group?.code ?? '' }),
      empty: 'No model designated yet.',
      columns: [
        { key: 'unit', label: 'Model', sort: (m) => m.unit.name, cell: (m) => h('span', { class: 'name-cell' }, h('a', { href: link(`/models/${encodeURIComponent(m.unit.code)}`, { group: m.peer_group?.code }), testid: `model-link-${m.unit.code}` }, m.unit.name || m.unit.code), h('span', { class: 'code' }, m.unit.code)) },
        { key: 'group', label: 'Peer group', sort: (m) => m.peer_group?.code ?? '', cell: (m) => groupText(m.peer_group) },
        { key: 'from', label: 'Since', sort: (m) => m.from, cell: (m) => day(m.from) },
        { key: 'reason', label: 'Why', cell: (m) => m.reason || '—' },
        { key: 'author', label: 'By', cell: (m) => m.author ?? '—' },
        { key: 'followers', label: 'Followers', num: true, sort: (m) => followersOf(m), cell: (m) => h('span', { class: 'num', testid: `model-followers-${m.unit.code}` }, int(followersOf(m))) },
      ],
    }),
  );
  const sugGroup = group || defaultGroup(groups);
  const sugBox = h('section', { class: 'card', 'aria-labelledby': 'suggest-h', testid: 'models-suggestions' }, h('h2', { id: 'suggest-h' }, `Candidates in ${sugGroup || 'all units'}`), loading('Looking for candidates…'));
  status.replaceWith(h('div', { class: 'controls' }, sel.wrap), list, sugBox);

  let asOf = '';
  try {
    asOf = (await latest()).asOf ?? '';
  } catch {
    /* the date field starts empty then */
  }
  try {
    const s = await learningApi.suggestions({ group: sugGroup || undefined }, ctx.signal);
    if (ctx.signal.aborted) return;
    const sugs = mergeByUnit(listOf<Suggestion>(s, 'suggestions', 'candidates'));
    showSuggestions(sugBox, sugs, sugGroup, asOf, models);
  } catch (e) {
    if (!isAbort(e)) replace(sugBox, h('h2', { id: 'suggest-h' }, 'Candidates'), errorBlock(e));
  }
}

function suggestionWhy(s: Suggestion): string {
  const parts: string[] = [];
  const basis = s.basis ?? s.source ?? s.kind;
  if (basis) parts.push(basis.replace(/_/g, ' '));
  if (s.unbounded) parts.push('super-efficiency unbounded');
  else if (typeof s.super_score === 'number') parts.push(`super-efficiency ${scoreText(s.super_score)}`);
  if (s.drive) parts.push(`${s.drive}: ${int(s.top_seasons ?? 0)} season${s.top_seasons === 1 ? '' : 's'} on top${typeof s.mean_rank === 'number' ? `, mean rank ${num(s.mean_rank)}` : ''}`);
  if (s.note) parts.push(s.note);
  if (s.reason) parts.push(s.reason);
  return parts.join(' · ') || '—';
}

/** One row a unit: a unit suggested on several grounds (the frontier, a drive) keeps them all. */
function mergeByUnit(list: Suggestion[]): (Suggestion & { why: string })[] {
  const out = new Map<string, Suggestion & { why: string }>();
  for (const s of list) {
    const code = codeOf(s.unit);
    const prev = out.get(code);
    if (prev) prev.why = `${prev.why}; ${suggestionWhy(s)}`;
    else out.set(code, { ...s, why: suggestionWhy(s) });
  }
  return [...out.values()];
}

function showSuggestions(box: HTMLElement, sugs: (Suggestion & { why: string })[], group: string, asOf: string, models: Model[]): void {
  const plan = canPlan();
  const form = h('div', { class: 'designate', testid: 'designate-box', hidden: true });
  const inForce = new Set(models.map((m) => `${m.unit.code}|${m.peer_group?.code ?? ''}`));
  replace(
    box,
    h('h2', { id: 'suggest-h' }, `Candidates in ${group || 'all units'}`),
    h('p', { class: 'muted' }, 'Efficient units by super-efficiency, and units that stayed at the top of a drive.'),
    dataTable<Suggestion & { why: string }>({
      testid: 'suggestions-table',
      rows: sugs,
      rowTestid: (s) => `suggestion-${codeOf(s.unit)}`,
      rowAttrs: (s) => ({ 'data-code': codeOf(s.unit) }),
      empty: 'No candidate: no unit of the group is efficient in the period.',
      columns: [
        { key: 'unit', label: 'Unit', cell: (s) => unitCell({ code: codeOf(s.unit), name: nameOf(s.unit) }, { group: group || undefined }) },
        { key: 'super', label: 'Super-efficiency', num: true, cell: (s) => (s.unbounded ? '∞' : scoreText(s.super_score ?? s.score ?? null)) },
        { key: 'why', label: 'Why', cell: (s) => s.why },
        {
          key: 'act',
          label: '',
          cell: (s) =>
            inForce.has(`${codeOf(s.unit)}|${group}`)
              ? h('span', { class: 'muted' }, 'a model already')
              : plan
                ? h('button', { type: 'button', class: 'btn btn-quiet', testid: `designate-${codeOf(s.unit)}`, onclick: () => openDesignate(form, s, group, asOf, s.why) }, 'Designate')
                : null,
        },
      ],
    }),
    form,
    plan ? null : h('p', { class: 'muted', testid: 'models-readonly' }, 'Planners and admins designate models.'),
  );
}

function openDesignate(box: HTMLElement, s: Suggestion, group: string, asOf: string, why: string): void {
  const code = codeOf(s.unit);
  const from = h('input', { type: 'date', id: uid('from'), testid: 'designate-from', required: true, value: asOf || new Date().toISOString().slice(0, 10) });
  const reason = h('input', { type: 'text', id: uid('reason'), testid: 'designate-reason', required: true, autocomplete: 'off', value: why === '—' ? '' : why });
  const fFrom = field('From (the first day it is the model)', from, { testid: 'designate-from' });
  const fReason = field('Reason (shown to every follower)', reason, { testid: 'designate-reason' });
  const msg = messageBox('designate-message');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'designate-submit' }, `Designate ${code} as the model`);
  const form = h(
    'form',
    { class: 'form', novalidate: true, testid: 'designate-form', 'data-code': code },
    h('h3', null, `${nameOf(s.unit)} (${code}) as the model of ${group || 'all units'}`),
    fFrom.wrap,
    fReason.wrap,
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'btn', onclick: () => (box.hidden = true) }, 'Cancel')),
    msg,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setFieldError(fFrom, null);
    setFieldError(fReason, null);
    msg.hide();
    let bad = false;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from.value)) {
      setFieldError(fFrom, 'A day (YYYY-MM-DD).');
      bad = true;
    }
    if (!reason.value.trim()) {
      setFieldError(fReason, 'Say why: the followers read it.');
      bad = true;
    }
    if (bad) return;
    submit.disabled = true;
    try {
      await learningApi.designate({ unit: code, peer_group: group || 'all', from: from.value, reason: reason.value.trim() });
      msg.show('ok', `${code} is the model of ${group || 'all units'} from ${day(from.value)}.`);
      reload();
    } catch (e) {
      msg.showError(e);
      submit.disabled = false;
    }
  });
  replace(box, form);
  box.hidden = false;
  reason.focus();
}

// ---- one model and its followers ---------------------------------------------------------

export async function modelPage(ctx: Ctx): Promise<void> {
  const code = ctx.params[0];
  ctx.title(`Model ${code}`);
  const root = h('div', { class: 'page page-model', testid: 'page-model' });
  ctx.main.append(root);
  const status = loading('Loading the followers…');
  root.append(pageHeader(`Model ${code}`), status);
  const group = ctx.query.get('group') ?? '';
  const offset = Math.max(0, Number(ctx.query.get('offset')) || 0);
  let m: ModelFollowers;
  try {
    m = (await learningApi.model(code, { group: group || undefined, as_of: ctx.query.get('as_of') || undefined, offset, limit: LIMIT }, ctx.signal)) as unknown as ModelFollowers;
  } catch (e) {
    if (!isAbort(e)) status.replaceWith(errorBlock(e));
    return;
  }
  if (ctx.signal.aborted) return;
  const model = m.model;
  ctx.title(`Model ${model.unit.name}`);
  const pgCode = model.peer_group?.code ?? group;
  const head = pageHeader(
    `${model.unit.name}, the model of ${groupText(model.peer_group)}`,
    h(
      'p',
      { class: 'as-of' },
      h('span', { class: 'code', testid: 'model-unit' }, model.unit.code),
      ` · since ${day(model.from)}${model.author ? ` (designated by ${model.author})` : ''} · as of ${day(m.as_of)} · `,
      h('a', { href: link(`/units/${encodeURIComponent(model.unit.code)}/learning`, { group: pgCode || undefined }) }, 'its place on the frontier'),
      ' · ',
      h('a', { href: link('/models', { group: pgCode || undefined }), testid: 'models-back' }, 'all models'),
    ),
    model.reason ? h('p', { class: 'model-reason', testid: 'model-reason' }, `“${model.reason}”`) : null,
  );
  root.querySelector('.page-head')?.replaceWith(head);
  const inds = m.indicators;
  const months = m.months;

  // The trend: the median % gap of the shown followers per indicator, month by month.
  const chartBox = h('section', { class: 'card', 'aria-labelledby': 'model-trend-h' }, h('h2', { id: 'model-trend-h' }, 'The gap closing, month by month'));
  if (months.length && m.followers.length) {
    const series = inds.map((ind, k) => ({
      label: `${ind.code} (median gap %)`,
      color: PALETTE[k % PALETTE.length],
      values: months.map((_, i) => median(m.followers.map((f) => f.trend[i]?.[k] ?? null))),
    }));
    const chart = timeChart({ x: months.map(toSec), months: true, series, yFormat: 'number', height: 220, title: 'Median gap to the model in percent, month by month', testid: 'model-trend-chart' });
    ctx.onCleanup(chart.destroy);
    chartBox.append(chart.el, h('p', { class: 'muted chart-note' }, `The median gap in percent of the model’s value among the followers shown; 0 is level with the model, below 0 ahead of it.`));
  } else chartBox.append(h('p', { class: 'muted' }, 'No follower with data yet.'));

  const columns = [
    {
      key: 'unit',
      label: 'Follower',
      sort: (f: Follower) => f.unit.name,
      cell: (f: Follower): Child => h('span', null, unitCell(f.unit, { group: pgCode || undefined }), f.chosen ? h('span', { class: 'chosen', title: 'Chose this model itself' }, ' ✓ chose it') : null),
    },
    ...inds.map((ind, k) => ({
      key: `gap-${ind.code}`,
      label: `${ind.code} gap`,
      num: true,
      sort: (f: Follower) => f.gaps.find((g) => g.indicator === ind.code)?.gap_pct ?? null,
      cell: (f: Follower): Child => gapCell(f, ind, k, months),
    })),
  ];
  const overtook = m.followers.filter((f) => f.gaps.some((g) => g.overtook)).length;
  const table = h(
    'section',
    { class: 'card', 'aria-labelledby': 'followers-h' },
    h('h2', { id: 'followers-h' }, `Followers (${int(m.total)})`),
    h('p', { class: 'muted', testid: 'followers-note' }, `The gap to the model in ${fmtPeriod(m.as_of.slice(0, 7))}: the model’s value minus the follower’s (absolute, and in % of the model’s), turned so that a positive gap is behind; the line is the % gap month by month, the slope in points a month (▼ closing). ${overtook ? `${int(overtook)} of those shown overtook the model on at least one indicator (★).` : ''}`),
    dataTable<Follower>({
      testid: 'followers-table',
      rows: m.followers,
      rowTestid: (f) => `follower-${f.unit.code}`,
      rowAttrs: (f) => ({ 'data-code': f.unit.code, 'data-overtook': String(f.gaps.some((g) => g.overtook)), 'data-chosen': String(f.chosen) }),
      empty: 'No follower.',
      columns,
    }),
    m.total > LIMIT ? pager({ offset, limit: LIMIT, total: m.total, testid: 'followers-pager', onPage: (o) => navigate(withParams({ offset: o ? String(o) : null })) }) : null,
  );
  status.replaceWith(chartBox, table);
}

function gapCell(f: Follower, ind: IndicatorRef, k: number, months: string[]): Child {
  const g = f.gaps.find((x) => x.indicator === ind.code);
  if (!g) return h('span', { class: 'muted' }, '—');
  const slope = g.slope;
  const closing = slope !== null && slope < 0;
  // trend: one row a month, one value an indicator
  const trend = f.trend.map((row) => row[k] ?? null);
  return h(
    'span',
    { class: `gap${g.overtook ? ' gap-overtook' : ''}`, testid: `gap-${f.unit.code}-${ind.code}`, 'data-gap': g.gap === null ? '' : String(g.gap), 'data-gap-pct': g.gap_pct === null ? '' : String(g.gap_pct), 'data-overtook': String(g.overtook) },
    g.overtook ? h('span', { class: 'overtook', title: 'Overtook the model', testid: `overtook-${f.unit.code}-${ind.code}` }, '★ overtook ') : null,
    h('span', { class: 'num', title: `model ${num(g.model)}, follower ${num(g.follower)} ${ind.measure}` }, num(g.gap)),
    ' ',
    h('span', { class: 'muted num' }, g.gap_pct === null ? '' : `(${pct(g.gap_pct)})`),
    trend.length > 1 ? sparkline(trend, { title: `${ind.code} gap % ${months[0] ?? ''}…${months[months.length - 1] ?? ''}: ${trend.map((v) => (v === null ? '–' : num(v))).join(', ')}` }) : null,
    slope !== null ? h('span', { class: `slope ${closing ? 'chg-up' : 'chg-down'}`, title: `${num(slope)} points a month` }, closing ? ` ▼${num(-slope)}` : ` ▲${num(slope)}`) : null,
  );
}

function median(xs: (number | null)[]): number | null {
  const s = xs.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return null;
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
