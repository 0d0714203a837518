// The efficiency frontier of a peer group (data envelopment analysis): each unit's
// score of its inputs against its outputs over a period, drawn as a scatter of two
// ratios with the efficient units and the frontier through them; below, the units'
// scores, super-efficiency, peers and targets, and the units left out with the reason.
// Also the pieces the learning, models and pairs pages share: the answers' types, the
// requests, and the peer group and period controls.

import { api, request, type Group, type Participant } from '../api';
import { lowerLeftHull, scatterChart, sparkline, upperLeftHull, upperRightHull, type ScatterPoint } from '../charts';
import { h, uid, type Child } from '../dom';
import { int, num, pct, period as fmtPeriod } from '../format';
import { latest } from '../fulfil';
import { link, navigate, withParams, type Ctx } from '../router';
import { dataTable, errorBlock, isAbort, loading, pageHeader } from '../ui';

// ---- the answers (docs/http-api.md, "Models and learning") ---------------------------

export interface Named {
  code: string;
  name: string;
}

export interface IndicatorRef {
  code: string;
  name: string;
  measure: string;
  direction?: string;
}

/** A peer group as the server names it: all units, a group, or a league of a drive. */
export interface PeerGroupRef {
  kind: 'all' | 'group' | 'league' | string;
  code?: string;
  name?: string;
  drive?: string;
  league?: string;
}

export interface FrontierOptions {
  rts: string;
  orientation: string;
  slacks: boolean;
  super: boolean;
}

export interface FrontierUnit {
  unit: Named;
  rank: number | null;
  score: number | null;
  super_score: number | null;
  super_unbounded: boolean;
  efficient: boolean;
  inputs: (number | null)[];
  outputs: (number | null)[];
  input_slacks: number[];
  output_slacks: number[];
  input_targets: number[];
  output_targets: number[];
  peers: { unit: Named; lambda: number }[];
}

export interface Frontier {
  peer_group: PeerGroupRef | null;
  filter: string[];
  period: string;
  options: FrontierOptions;
  inputs: IndicatorRef[];
  outputs: IndicatorRef[];
  units: FrontierUnit[];
  excluded: { unit: Named; reason: string }[];
  frame: Named[];
  stats: { units: number; excluded: number; frame: number; dominated: number; lps: number; seconds: number };
}

export interface Target extends IndicatorRef {
  value: number | null;
  target: number | null;
  slack: number | null;
  change_pct: number | null;
}

export interface Model {
  unit: Named;
  peer_group: PeerGroupRef | null;
  from: string;
  reason: string;
  author?: string | null;
  /** How many units follow it (the list of models). */
  followers?: number | null;
}

/** The mentor's and learner's figures of one indicator and the learner's gap. */
export interface PairGapFigure {
  mentor: number | null;
  learner: number | null;
  gap: number | null;
  gap_pct: number | null;
}

export interface PairGap {
  indicator: IndicatorRef;
  at_pairing: PairGapFigure;
  now: PairGapFigure;
  closed_pct: number | null;
  slope: number | null;
  overtook: boolean;
}

export interface PairInForce {
  mentor: Named;
  learner?: Named;
  from: string;
  basis: string;
  period: string | null;
  /** Returns to scale and orientation of the frontier it was made on, `vrs in`. */
  frontier?: string;
  score_at_pairing: number | null;
  score_now?: number | null;
  gap_at_pairing?: number | null;
  gap_now?: number | null;
  peer_group?: Participant | null;
  pairing_period: string;
  months: string[];
  gaps: PairGap[];
  /** Per month of `months`, the % gap per indicator of `gaps`. */
  trend: (number | null)[][];
}

/**
 * The learner's gap to its mentor on each indicator: in % of the mentor's figure at
 * pairing → now (positive: behind), a line of it month by month since the pair began,
 * and how much of the gap at pairing is closed.
 */
export function pairGaps(p: PairInForce, testid: string): Child {
  if (!p.gaps.length) return h('span', { class: 'muted' }, '—');
  const months = p.months;
  return h(
    'ul',
    { class: 'pair-gaps', testid },
    p.gaps.map((g, k) => {
      const line = p.trend.map((row) => row[k] ?? null);
      const then = g.at_pairing.gap_pct;
      const now = g.now.gap_pct;
      return h(
        'li',
        { testid: `${testid}-${g.indicator.code}`, 'data-gap-at-pairing': then === null ? '' : String(then), 'data-gap-now': now === null ? '' : String(now), 'data-closed': g.closed_pct === null ? '' : String(g.closed_pct) },
        h('span', { class: 'ind', title: g.indicator.name }, g.indicator.code),
        ' ',
        h('span', { class: 'num', title: `mentor ${num(g.at_pairing.mentor)}, learner ${num(g.at_pairing.learner)} ${g.indicator.measure} in ${fmtPeriod(p.pairing_period)}; now mentor ${num(g.now.mentor)}, learner ${num(g.now.learner)}` }, `${pct(then)} → ${pct(now)}`),
        g.overtook ? h('span', { class: 'overtook', title: 'Ahead of its mentor now' }, ' ★') : null,
        line.length > 1 ? sparkline(line, { title: `${g.indicator.code} gap % ${months[0] ?? ''}…${months[months.length - 1] ?? ''}: ${line.map((v) => (v === null ? '–' : num(v))).join(', ')}`, width: 80, height: 20 }) : null,
        g.closed_pct !== null ? h('span', { class: `muted num ${g.closed_pct > 0 ? 'chg-up' : g.closed_pct < 0 ? 'chg-down' : ''}` }, ` ${int(g.closed_pct)} % closed`) : null,
      );
    }),
  );
}

export interface Learning {
  unit: Named;
  peer_group: PeerGroupRef | null;
  period: string;
  options: FrontierOptions;
  scored: boolean;
  excluded_reason: string | null;
  score: number | null;
  efficient: boolean;
  rank: number | null;
  of: number | null;
  peers: { unit: Named; lambda: number; share: number; score: number | null }[];
  inputs: Target[];
  outputs: Target[];
  models: Model[];
  pair: PairInForce | null;
}

/** The peer group and frontier options every route takes. */
export interface PeerQuery {
  group?: string;
  drive?: string;
  league?: string;
  filter?: string;
  period?: string;
  rts?: string;
  orientation?: string;
  inputs?: string;
  outputs?: string;
}

const enc = encodeURIComponent;
export const learningApi = {
  frontier: (q: PeerQuery, signal?: AbortSignal) => request<Frontier>('/api/frontier', { query: { ...q }, signal }),
  learning: (unit: string, q: PeerQuery & { hierarchy?: string; level?: string }, signal?: AbortSignal) =>
    request<Learning>(`/api/units/${enc(unit)}/learning`, { query: { ...q }, signal }),
  models: (q: { group?: string; as_of?: string }, signal?: AbortSignal) => request<Record<string, unknown>>('/api/models', { query: q, signal }),
  suggestions: (q: PeerQuery, signal?: AbortSignal) => request<Record<string, unknown>>('/api/models/suggestions', { query: { ...q }, signal }),
  model: (unit: string, q: { group?: string; as_of?: string; offset?: number; limit?: number }, signal?: AbortSignal) =>
    request<Record<string, unknown>>(`/api/models/${enc(unit)}`, { query: q, signal }),
  designate: (body: { unit: string; peer_group: string; from: string; reason: string; active?: boolean }) =>
    request<unknown>('/api/models', { method: 'POST', json: body }),
  pairs: (q: { group?: string; as_of?: string }, signal?: AbortSignal) => request<Record<string, unknown>>('/api/pairs', { query: q, signal }),
  assign: (body: { peer_group: string; period?: string; capacity: number; objective: string; apply: boolean; from?: string }) =>
    request<Record<string, unknown>>('/api/pairs/assign', { method: 'POST', json: body }),
  rule: (body: { mentor: string; learner: string; rule: 'fixed' | 'forbidden' | 'none'; note?: string; peer_group?: string }) =>
    request<unknown>('/api/pairs/rules', { method: 'POST', json: body }),
};

/** The first array among an answer's fields (the list routes' shapes are loose). */
export function listOf<T>(answer: Record<string, unknown> | null | undefined, ...keys: string[]): T[] {
  if (!answer) return [];
  for (const k of keys) if (Array.isArray(answer[k])) return answer[k] as T[];
  return [];
}

/** A participant, a bare code or a {code,name}: its code. */
export function codeOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Named).code === 'string') return (v as Named).code;
  return '';
}

export function nameOf(v: unknown): string {
  if (v && typeof v === 'object' && typeof (v as Named).name === 'string') return (v as Named).name;
  return codeOf(v);
}

// ---- shared pieces -------------------------------------------------------------------

/** A score in (0, 1] as three decimals (1 is efficient). */
export function scoreText(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toFixed(3);
}

/** A change in percent with its sign: "−19 %", "+4.2 %". */
export function changeText(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Math.abs(v) < 0.05) return '0 %';
  return `${v > 0 ? '+' : '−'}${pct(Math.abs(v))}`;
}

/** The learning page of a unit within the same peer group and options. */
export function learningLink(unit: string, q: PeerQuery = {}): string {
  return link(`/units/${enc(unit)}/learning`, { ...q });
}

/** A unit's name linking to its learning page, its code below. */
export function unitCell(u: Named, q: PeerQuery, testid?: string): HTMLElement {
  return h(
    'span',
    { class: 'name-cell' },
    h('a', { href: learningLink(u.code, q), testid, 'data-code': u.code }, u.name || u.code),
    h('span', { class: 'code' }, u.code),
  );
}

export function groupText(g: Named | Participant | PeerGroupRef | string | null | undefined): string {
  if (!g) return 'all units';
  if (typeof g === 'string') return g === 'all' ? 'all units' : g;
  const r = g as PeerGroupRef;
  if (r.kind === 'all') return 'all units';
  if (r.kind === 'league') return `${r.league ?? 'a league'} of ${r.drive ?? 'a drive'}`;
  return r.name && r.name !== r.code ? `${r.name} (${r.code})` : (r.code ?? 'all units');
}

/** The peer groups offered: every hierarchy's top groups and the groups one level below. */
export async function peerGroups(): Promise<{ code: string; label: string; depth: number }[]> {
  const out: { code: string; label: string; depth: number }[] = [];
  const hs = await api.hierarchies();
  // sector first: branches of one industry are the natural peers
  const ordered = [...hs].sort((a, b) => (a.code === 'sector' ? -1 : b.code === 'sector' ? 1 : 0));
  for (const hier of ordered) {
    let roots: Group[] = [];
    try {
      roots = await api.groups(hier.code);
    } catch {
      continue;
    }
    const kids = await Promise.all(roots.map((g) => api.groups(hier.code, g.code).catch(() => [] as Group[])));
    roots.forEach((g, i) => {
      out.push({ code: `${hier.code}/${g.code}`, label: `${g.name} (${hier.code}/${g.code})`, depth: 0 });
      for (const k of kids[i]) out.push({ code: `${hier.code}/${k.code}`, label: `${k.name} (${hier.code}/${k.code})`, depth: 1 });
    });
  }
  return out;
}

/** The default peer group: the first branch of the first hierarchy (sector when there is one). */
export function defaultGroup(groups: { code: string; depth: number }[]): string {
  return (groups.find((g) => g.depth === 1) ?? groups[0])?.code ?? '';
}

export function groupSelect(
  groups: { code: string; label: string; depth: number }[],
  selected: string,
  onChange: (code: string) => void,
  opts: { testid: string; label?: string; allowAll?: boolean; allLabel?: string } = { testid: 'peer-group-select' },
): { wrap: HTMLElement; select: HTMLSelectElement } {
  const sel = h('select', { id: uid('group'), testid: opts.testid, onchange: () => onChange(sel.value) });
  if (opts.allowAll) sel.append(h('option', { value: '', selected: !selected }, opts.allLabel ?? 'All units'));
  for (const g of groups) sel.append(h('option', { value: g.code, selected: g.code === selected }, `${g.depth ? '— ' : ''}${g.label}`));
  if (selected && !groups.some((g) => g.code === selected)) sel.append(h('option', { value: selected, selected: true }, selected));
  return { wrap: h('div', { class: 'control' }, h('label', { for: sel.id }, opts.label ?? 'Peer group'), sel), select: sel };
}

/** Months of the latest reported year (and of the one before), newest first, plus the year. */
export async function periodChoices(): Promise<{ value: string; label: string }[]> {
  const lt = await latest();
  const out: { value: string; label: string }[] = [];
  const y = Number(lt.year);
  for (let m = lt.lastMonth; m >= 1; m -= 1) {
    const v = `${y}-${String(m).padStart(2, '0')}`;
    out.push({ value: v, label: fmtPeriod(v) });
  }
  out.push({ value: String(y), label: `Year ${y}` });
  return out;
}

export function choiceSelect(
  label: string,
  testid: string,
  choices: { value: string; label: string }[],
  selected: string,
  onChange: (v: string) => void,
): HTMLElement {
  const sel = h('select', { id: uid(testid), testid, onchange: () => onChange(sel.value) });
  for (const c of choices) sel.append(h('option', { value: c.value, selected: c.value === selected }, c.label));
  if (selected && !choices.some((c) => c.value === selected)) sel.append(h('option', { value: selected, selected: true }, selected));
  return h('div', { class: 'control' }, h('label', { for: sel.id }, label), sel);
}

export const RTS: { value: string; label: string }[] = [
  { value: 'vrs', label: 'Variable returns (VRS)' },
  { value: 'crs', label: 'Constant returns (CRS)' },
  { value: 'drs', label: 'Decreasing returns (DRS)' },
  { value: 'irs', label: 'Increasing returns (IRS)' },
  { value: 'fdh', label: 'Free disposal hull (FDH)' },
];
export const ORIENTATIONS: { value: string; label: string }[] = [
  { value: 'in', label: 'Input: less for the same' },
  { value: 'out', label: 'Output: more from the same' },
];

/** The period, returns to scale and orientation controls, written to the query string. */
export async function frontierControls(q: PeerQuery, shownPeriod: string): Promise<HTMLElement[]> {
  let periods: { value: string; label: string }[] = [];
  try {
    periods = await periodChoices();
  } catch {
    /* the period shown stays the only choice */
  }
  return [
    choiceSelect('Period', 'period-select', periods, q.period || shownPeriod, (v) => navigate(withParams({ period: v }))),
    choiceSelect('Returns to scale', 'rts-select', RTS, q.rts || 'vrs', (v) => navigate(withParams({ rts: v === 'vrs' ? null : v }))),
    choiceSelect('Orientation', 'orientation-select', ORIENTATIONS, q.orientation || 'in', (v) => navigate(withParams({ orientation: v === 'in' ? null : v }))),
  ];
}

/** The peer query of the page's query string. */
export function peerQuery(query: URLSearchParams): PeerQuery {
  const q: PeerQuery = {};
  for (const k of ['group', 'drive', 'league', 'filter', 'period', 'rts', 'orientation', 'inputs', 'outputs'] as const) {
    const v = query.get(k);
    if (v) q[k] = v;
  }
  return q;
}

// ---- the scatter's projection ----------------------------------------------------------

interface Projection {
  xLabel: string;
  yLabel: string;
  x: (u: FrontierUnit) => number;
  y: (u: FrontierUnit) => number;
  hull: (pts: [number, number][]) => [number, number][];
  /** Which way the frontier's ends run on to the plot's edges. */
  ends: 'up-right' | 'none';
  note: string;
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a !== null && a !== undefined && b ? a / b : NaN);

/**
 * Two inputs or more: input per unit of the first output on both axes (the isoquant:
 * the efficient are lower left). One input and two outputs or more: outputs per input
 * (the efficient are upper right). One of each: input against output.
 */
export function projection(f: Frontier): Projection | null {
  const I = f.inputs.map((i) => i.code);
  const O = f.outputs.map((o) => o.code);
  if (I.length >= 2 && O.length >= 1) {
    return {
      xLabel: `${I[0]} / ${O[0]}`,
      yLabel: `${I[1]} / ${O[0]}`,
      x: (u) => ratio(u.inputs[0], u.outputs[0]),
      y: (u) => ratio(u.inputs[1], u.outputs[0]),
      hull: lowerLeftHull,
      ends: 'up-right',
      note: `Each unit’s ${I[0]} and ${I[1]} per unit of ${O[0]}: less is better, so the efficient units are lower left.`,
    };
  }
  if (I.length === 1 && O.length >= 2) {
    return {
      xLabel: `${O[0]} / ${I[0]}`,
      yLabel: `${O[1]} / ${I[0]}`,
      x: (u) => ratio(u.outputs[0], u.inputs[0]),
      y: (u) => ratio(u.outputs[1], u.inputs[0]),
      hull: upperRightHull,
      ends: 'none',
      note: `Each unit’s ${O[0]} and ${O[1]} per unit of ${I[0]}: more is better, so the efficient units are upper right.`,
    };
  }
  if (I.length === 1 && O.length === 1) {
    return {
      xLabel: I[0],
      yLabel: O[0],
      x: (u) => u.inputs[0] ?? NaN,
      y: (u) => u.outputs[0] ?? NaN,
      hull: upperLeftHull,
      ends: 'none',
      note: `Each unit’s ${O[0]} against its ${I[0]}: the efficient units bound the cloud from the upper left.`,
    };
  }
  return null;
}

// ---- the page ---------------------------------------------------------------------------

export async function frontierPage(ctx: Ctx): Promise<void> {
  ctx.title('Frontier');
  const root = h('div', { class: 'page page-frontier', testid: 'page-frontier' });
  ctx.main.append(root);
  const status = loading('Loading the peer groups…');
  root.append(
    pageHeader('Efficiency frontier', h('p', { class: 'as-of' }, 'Who turns inputs into outputs best among peers: the efficient units are the examples; every other unit learns from the peers that make up its point on the frontier.')),
    status,
  );
  let groups: Awaited<ReturnType<typeof peerGroups>> = [];
  try {
    groups = await peerGroups();
  } catch (e) {
    if (isAbort(e)) return;
  }
  if (ctx.signal.aborted) return;
  const q = peerQuery(ctx.query);
  if (!q.group && !q.drive) q.group = defaultGroup(groups);
  status.textContent = 'Computing the frontier…';
  let f: Frontier;
  try {
    f = await learningApi.frontier(q, ctx.signal);
  } catch (e) {
    if (!isAbort(e)) {
      status.replaceWith(h('div', { class: 'controls' }, groupSelect(groups, q.group ?? '', (g) => navigate(withParams({ group: g || null })), { testid: 'frontier-group', allowAll: true }).wrap), errorBlock(e));
    }
    return;
  }
  if (ctx.signal.aborted) return;
  const controls = h(
    'div',
    { class: 'controls', testid: 'frontier-controls' },
    groupSelect(groups, q.group ?? '', (g) => navigate(withParams({ group: g || null })), { testid: 'frontier-group', allowAll: true }).wrap,
    ...(await frontierControls(q, f.period)),
  );
  if (ctx.signal.aborted) return;
  const scored = f.units.filter((u) => u.score !== null);
  const efficient = scored.filter((u) => u.efficient);
  // Links keep the peer group and options (the period the server chose too).
  const lq: PeerQuery = { ...q, period: f.period };
  const summary = h(
    'p',
    { class: 'as-of', testid: 'frontier-summary' },
    `${groupText(f.peer_group)} · ${fmtPeriod(f.period)} · ${RTS.find((r) => r.value === f.options.rts)?.label ?? f.options.rts}, ${f.options.orientation === 'out' ? 'output' : 'input'} oriented · `,
    h('strong', null, `${int(efficient.length)} efficient`),
    ` of ${int(scored.length)} scored`,
    f.excluded.length ? `, ${int(f.excluded.length)} left out` : '',
    ` · inputs ${f.inputs.map((i) => i.code).join(', ') || '—'}; outputs ${f.outputs.map((o) => o.code).join(', ') || '—'}`,
  );
  const chartBox = h('section', { class: 'card', 'aria-labelledby': 'frontier-chart-h' }, h('h2', { id: 'frontier-chart-h' }, 'The peer group in the plane of two ratios'));
  const proj = projection(f);
  if (proj && scored.length) {
    const pts: ScatterPoint[] = scored.map((u) => ({
      x: proj.x(u),
      y: proj.y(u),
      code: u.unit.code,
      highlight: u.efficient,
      href: learningLink(u.unit.code, lq),
      title: `${u.unit.name} (${u.unit.code}): score ${scoreText(u.score)}${u.rank ? `, rank ${int(u.rank)}` : ''}${u.efficient ? ', efficient' : ''}`,
    }));
    const effPts = pts.filter((p) => p.highlight && Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => [p.x, p.y] as [number, number]);
    const line = proj.hull(effPts);
    const big = 1e12;
    const ext = proj.ends === 'up-right' && line.length ? [[line[0], [line[0][0], big] as [number, number]], [line[line.length - 1], [big, line[line.length - 1][1]] as [number, number]]] : [];
    const chart = scatterChart({ points: pts, line, lineExtensions: ext, xLabel: proj.xLabel, yLabel: proj.yLabel, title: `Frontier of ${groupText(f.peer_group)}, ${fmtPeriod(f.period)}`, testid: 'frontier-scatter' });
    ctx.onCleanup(chart.destroy);
    chartBox.append(
      chart.el,
      h('p', { class: 'muted chart-note' }, proj.note, ' ', h('span', { class: 'legend-eff' }, '● efficient'), ' ', h('span', { class: 'legend-other' }, '● others'), '. The line joins the efficient units that bound the cloud in this plane (with more than two indicators some efficient units lie off it). Click a point for the unit’s learning page.'),
    );
  } else {
    chartBox.append(h('p', { class: 'muted', testid: 'frontier-no-chart' }, scored.length ? 'The frontier has too few inputs and outputs to draw.' : 'No unit could be scored.'));
  }
  const table = unitsTable(f, lq);
  const tableBox = h('section', { class: 'card', 'aria-labelledby': 'frontier-units-h' }, h('h2', { id: 'frontier-units-h' }, 'Units by score'), table);
  const excludedBox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'frontier-excluded-h', testid: 'frontier-excluded' },
    h('h2', { id: 'frontier-excluded-h' }, `Left out (${int(f.excluded.length)})`),
    dataTable({
      testid: 'frontier-excluded-table',
      rows: f.excluded,
      rowTestid: (r) => `excluded-${r.unit.code}`,
      empty: 'Every unit of the peer group has the data the frontier needs.',
      columns: [
        { key: 'unit', label: 'Unit', sort: (r) => r.unit.name, cell: (r) => h('span', { class: 'name-cell' }, h('a', { href: `/unit/${enc(r.unit.code)}` }, r.unit.name || r.unit.code), h('span', { class: 'code' }, r.unit.code)) },
        { key: 'reason', label: 'Reason', cell: (r) => r.reason },
      ],
    }),
  );
  const stats = h('p', { class: 'muted', testid: 'frontier-stats' }, `${int(f.stats.units)} units, ${int(f.stats.frame)} in the frame (extreme efficient), ${int(f.stats.dominated)} dominated outright, ${int(f.stats.lps)} linear programs in ${num(f.stats.seconds * 1000)} ms.`);
  status.replaceWith(controls, summary, chartBox, tableBox, excludedBox, stats);
}

function unitsTable(f: Frontier, lq: PeerQuery): HTMLElement {
  const rows = [...f.units].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
  const targets = (u: FrontierUnit): Child => {
    const parts: Child[] = [];
    f.inputs.forEach((ind, i) => {
      const v = u.inputs[i];
      const t = u.input_targets[i];
      if (v === null || v === undefined || t === undefined || Math.abs(t - v) <= 1e-9 * Math.max(1, Math.abs(v))) return;
      parts.push(h('span', { class: 'target', title: `${ind.name}: ${num(v)} → ${num(t)} ${ind.measure}` }, `${ind.code} ${num(v)} → ${num(t)} (${changeText(v ? (100 * (t - v)) / v : null)})`));
    });
    f.outputs.forEach((ind, i) => {
      const v = u.outputs[i];
      const t = u.output_targets[i];
      if (v === null || v === undefined || t === undefined || Math.abs(t - v) <= 1e-9 * Math.max(1, Math.abs(v))) return;
      parts.push(h('span', { class: 'target', title: `${ind.name}: ${num(v)} → ${num(t)} ${ind.measure}` }, `${ind.code} ${num(v)} → ${num(t)} (${changeText(v ? (100 * (t - v)) / v : null)})`));
    });
    return parts.length ? h('span', { class: 'targets' }, parts) : h('span', { class: 'muted' }, u.efficient ? 'on the frontier' : '—');
  };
  return dataTable<FrontierUnit>({
    testid: 'frontier-table',
    rows,
    rowTestid: (u) => `frontier-row-${u.unit.code}`,
    rowAttrs: (u) => ({ 'data-code': u.unit.code, 'data-score': u.score === null ? '' : String(u.score), 'data-efficient': String(u.efficient), 'data-rank': u.rank === null ? '' : String(u.rank), class: u.efficient ? 'row-efficient' : '' }),
    empty: 'No unit scored.',
    columns: [
      { key: 'rank', label: 'Rank', num: true, sort: (u) => u.rank, cell: (u) => (u.rank === null ? '—' : int(u.rank)) },
      { key: 'unit', label: 'Unit', sort: (u) => u.unit.name, cell: (u) => unitCell(u.unit, lq, `frontier-link-${u.unit.code}`) },
      {
        key: 'score',
        label: 'Score',
        num: true,
        sort: (u) => u.score,
        cell: (u) => h('span', { class: 'num', testid: `frontier-score-${u.unit.code}` }, scoreText(u.score), u.efficient ? h('span', { class: 'eff-mark', title: 'Efficient' }, ' ★') : null),
      },
      { key: 'super', label: 'Super-efficiency', num: true, sort: (u) => (u.super_unbounded ? Infinity : u.super_score), cell: (u) => (u.super_unbounded ? h('span', { title: 'No other unit bounds it: an outlier of the frontier' }, '∞ unbounded') : scoreText(u.super_score)) },
      {
        key: 'peers',
        label: 'Peers (weight)',
        cell: (u) =>
          u.efficient && u.peers.every((p) => p.unit.code === u.unit.code)
            ? h('span', { class: 'muted' }, 'itself')
            : h(
                'span',
                { class: 'peers' },
                [...u.peers]
                  .sort((a, b) => b.lambda - a.lambda)
                  .map((p, i) => [i ? ', ' : '', h('a', { href: learningLink(p.unit.code, lq), 'data-code': p.unit.code }, p.unit.code), h('span', { class: 'muted' }, ` ${num(p.lambda)}`)]),
              ),
      },
      { key: 'targets', label: 'Targets (value → target)', cell: targets },
    ],
  });
}

/** A table of targets: each indicator's value, target and change. */
export function targetsTable(rows: Target[], testid: string, kind: 'input' | 'output'): HTMLElement {
  return dataTable<Target>({
    testid,
    rows,
    rowTestid: (t) => `target-${t.code}`,
    rowAttrs: (t) => ({ 'data-indicator': t.code, 'data-kind': kind, 'data-change': t.change_pct === null ? '' : String(t.change_pct) }),
    empty: `No ${kind}s.`,
    columns: [
      { key: 'ind', label: kind === 'input' ? 'Input' : 'Output', cell: (t) => h('span', { class: 'name-cell' }, t.name || t.code, h('span', { class: 'code' }, t.code)) },
      { key: 'value', label: 'Now', num: true, cell: (t) => h('span', null, h('span', { class: 'num' }, num(t.value)), ' ', h('span', { class: 'measure' }, t.measure)) },
      { key: 'target', label: 'Target', num: true, cell: (t) => h('strong', { class: 'num' }, num(t.target)) },
      {
        key: 'change',
        label: 'Change',
        num: true,
        cell: (t) => {
          const c = t.change_pct;
          const good = c === null || Math.abs(c) < 0.05 ? 'same' : (kind === 'input') === c < 0 ? 'up' : 'down';
          return h('span', { class: `chg chg-${good} num`, testid: `target-change-${t.code}` }, changeText(c));
        },
      },
      { key: 'slack', label: 'Slack', num: true, cell: (t) => (t.slack ? num(t.slack) : '—') },
    ],
  });
}

