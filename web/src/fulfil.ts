// Fulfilment tables shared by the overview and the drill-down, and the
// "latest period with data" look-up.

import { api, type Fulfilment, type Indicator, type Row } from './api';
import { h, sr, type Child } from './dom';
import { int, num, pace, pct, statusBadge, statusInfo } from './format';
import { dataTable, percentBar, splitTarget, statusMix, toDateShare, type Column } from './ui';

export interface Latest {
  asOf: string | null;
  year: string;
  month: string; // YYYY-MM
  lastMonth: number; // 1..12
}

const latestCache = new Map<string, { at: number; p: Promise<{ latest: Latest; year: Fulfilment }> }>();

/**
 * The latest day with data: /api/fulfilment without as_of answers with the
 * latest reported day. Asks for this calendar year first, and again for the
 * as_of's year when it differs. Also returns that year's fulfilment by `by`.
 */
export function latestPeriod(by: string): Promise<{ latest: Latest; year: Fulfilment }> {
  const hit = latestCache.get(by);
  if (hit && Date.now() - hit.at < 5 * 60_000) return hit.p;
  const p = (async () => {
    const thisYear = String(new Date().getFullYear());
    let f = await api.fulfilment({ period: thisYear, by });
    let year = thisYear;
    if (f.as_of && f.as_of.slice(0, 4) !== thisYear) {
      year = f.as_of.slice(0, 4);
      f = await api.fulfilment({ period: year, by });
    }
    const asOf = f.as_of;
    const month = asOf ? asOf.slice(0, 7) : `${year}-${String(new Date().getMonth() + 1).padStart(2, '0')}`;
    return { latest: { asOf, year, month, lastMonth: Number(month.slice(5, 7)) }, year: f };
  })();
  latestCache.set(by, { at: Date.now(), p });
  p.catch(() => latestCache.delete(by));
  return p;
}

/** latestPeriod on the first hierarchy (sector when there is one). */
export async function latest(): Promise<Latest> {
  const hs = await api.hierarchies();
  const by = (hs.find((x) => x.code === 'sector') ?? hs[0])?.code;
  if (!by) {
    const y = String(new Date().getFullYear());
    const m = new Date().getMonth() + 1;
    return { asOf: null, year: y, month: `${y}-${String(m).padStart(2, '0')}`, lastMonth: m };
  }
  return (await latestPeriod(by)).latest;
}

export function forgetLatest(): void {
  latestCache.clear();
}

/** Indicators shown when none is chosen: planned outputs that are not ratios. */
export function isHeadline(i: Indicator | undefined): boolean {
  return !!i && i.role === 'output' && !i.numerator;
}

export interface TableOpts {
  rows: Row[]; // rows of the chosen period (kind group or unit)
  yearRows?: Row[]; // the same targets for the whole year, when the period is a month
  indicators: Map<string, Indicator>;
  indicator: string; // '' = headline
  link: (row: Row) => string | null;
  testid: string;
  caption?: string;
  kind: 'group' | 'unit';
}

/** Chooses, per target, the rows to show: the chosen indicator, or the headline outputs. */
export function pickRows(rows: Row[], indicator: string, inds: Map<string, Indicator>): Map<string, Row[]> {
  const byTarget = new Map<string, Row[]>();
  for (const r of rows) {
    if (!byTarget.has(r.target)) byTarget.set(r.target, []);
    byTarget.get(r.target)!.push(r);
  }
  const out = new Map<string, Row[]>();
  for (const [t, list] of byTarget) {
    let chosen: Row[];
    if (indicator) chosen = list.filter((r) => r.indicator === indicator);
    else {
      chosen = list.filter((r) => isHeadline(inds.get(r.indicator)) && r.status !== 'no_plan');
      if (!chosen.length) chosen = list.filter((r) => r.status !== 'no_plan').slice(0, 1);
      if (!chosen.length) chosen = list.slice(0, 1);
    }
    if (chosen.length) out.set(t, chosen);
  }
  return out;
}

function yearKey(r: Row): string {
  return `${r.target}\u0000${r.indicator}`;
}

/** A fulfilment table: one row per target, or a target × indicator matrix when targets have several headline indicators. */
export function fulfilmentTable(o: TableOpts): HTMLElement {
  const picked = pickRows(o.rows, o.indicator, o.indicators);
  const multi = [...picked.values()].some((l) => l.length > 1);
  const years = new Map((o.yearRows ?? []).map((r) => [yearKey(r), r]));
  if (multi) return matrixTable(o, picked, years);

  const rows = [...picked.values()].map((l) => l[0]);
  const indName = (code: string) => o.indicators.get(code)?.name ?? code;
  const measure = (code: string) => o.indicators.get(code)?.measure ?? '';
  const code = (r: Row) => splitTarget(r.target)[1];
  const cols: Column<Row>[] = [
    {
      key: 'name',
      label: o.kind === 'unit' ? 'Unit' : 'Name',
      sort: (r) => r.name,
      cell: (r) => nameCell(r, o),
    },
  ];
  if (!o.indicator) cols.push({ key: 'indicator', label: 'Indicator', sort: (r) => indName(r.indicator), cell: (r) => indName(r.indicator) });
  cols.push(
    { key: 'percent', label: '% of plan', num: true, sort: (r) => r.percent, cell: (r) => percentBar(r.percent, r.status, `pct-${code(r)}`, toDateShare(r)), className: 'col-bar' },
    { key: 'status', label: 'Status', sort: (r) => statusInfo(r.status).label, cell: (r) => statusBadge(r.status) },
  );
  if (o.yearRows) {
    cols.push({
      key: 'year',
      label: 'Year',
      num: true,
      sort: (r) => years.get(yearKey(r))?.percent ?? null,
      cell: (r) => {
        const y = years.get(yearKey(r));
        return y ? h('span', { class: `text-${statusInfo(y.status).key}` }, pct(y.percent), ' ', h('span', { 'aria-hidden': 'true' }, statusInfo(y.status).icon), sr(statusInfo(y.status).label)) : '—';
      },
    });
  }
  if (o.kind === 'group') {
    cols.push(
      {
        key: 'over',
        label: 'Units overfulfilled',
        num: true,
        sort: (r) => r.overfulfilled,
        cell: (r) => h('span', { testid: `over-${code(r)}` }, `${int(r.overfulfilled)} of ${int(r.with_plan)}`),
      },
      { key: 'mix', label: 'Units by status', cell: (r) => statusMix(r), className: 'col-mix' },
    );
  }
  cols.push(
    { key: 'actual', label: 'Actual', num: true, sort: (r) => r.actual, cell: (r) => withMeasure(num(r.actual), measure(r.indicator)) },
    { key: 'plan', label: 'Plan', num: true, sort: (r) => r.plan, cell: (r) => num(r.plan) },
  );
  if (o.kind === 'unit') {
    cols.push(
      { key: 'pace', label: 'Pace', num: true, sort: (r) => r.pace, cell: (r) => pace(r.pace) },
      { key: 'forecast', label: 'Forecast', num: true, sort: (r) => r.forecast, cell: (r) => num(r.forecast) },
    );
  }
  return dataTable({
    columns: cols,
    rows,
    testid: o.testid,
    caption: o.caption,
    rowTestid: (r) => `row-${code(r)}`,
    rowAttrs: (r) => ({ 'data-status': r.status ?? '', 'data-indicator': r.indicator }),
    empty: 'No fulfilment rows for this selection.',
  });
}

function nameCell(r: Row, o: TableOpts): Child {
  const href = o.link(r);
  const c = splitTarget(r.target)[1];
  const label = r.name || c;
  const a = href
    ? h('a', { href, testid: `${o.kind === 'unit' ? 'unit' : 'group'}-link-${c}`, 'data-code': c }, label)
    : h('span', null, label);
  return h('span', { class: 'name-cell' }, a, o.kind === 'unit' ? h('span', { class: 'code' }, c) : null);
}

function withMeasure(text: string, measure: string): Child {
  return measure && text !== '—' ? h('span', null, text, h('span', { class: 'measure' }, ` ${measure}`)) : text;
}

function matrixTable(o: TableOpts, picked: Map<string, Row[]>, years: Map<string, Row>): HTMLElement {
  const indCodes: string[] = [];
  for (const list of picked.values()) for (const r of list) if (!indCodes.includes(r.indicator)) indCodes.push(r.indicator);
  const order = [...o.indicators.keys()];
  indCodes.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  type M = { target: string; name: string; first: Row; cells: Map<string, Row> };
  const mrows: M[] = [...picked.entries()].map(([target, list]) => ({
    target,
    name: list[0].name,
    first: list[0],
    cells: new Map(list.map((r) => [r.indicator, r])),
  }));
  const cols: Column<M>[] = [
    { key: 'name', label: 'Name', sort: (m) => m.name, cell: (m) => nameCell(m.first, o) },
  ];
  for (const ic of indCodes) {
    const ind = o.indicators.get(ic);
    cols.push({
      key: `i-${ic}`,
      label: ind ? ind.name : ic,
      num: true,
      sort: (m) => m.cells.get(ic)?.percent ?? null,
      className: 'cell-status',
      cell: (m) => {
        const r = m.cells.get(ic);
        if (!r) return h('span', { class: 'muted' }, '—');
        const st = statusInfo(r.status);
        const y = years.get(yearKey(r));
        return h(
          'span',
          { class: `mcell bg-${st.key}`, title: `${ind?.name ?? ic}: ${pct(r.percent)} — ${st.label}` },
          h('span', { class: 'mcell-main' }, h('span', { 'aria-hidden': 'true' }, st.icon, ' '), pct(r.percent)),
          sr(` ${st.label}`),
          y ? h('span', { class: 'mcell-year' }, `year ${pct(y.percent)}`) : null,
        );
      },
    });
  }
  const sumOver = (m: M) => [...m.cells.values()].reduce((a, r) => a + (r.overfulfilled ?? 0), 0);
  const sumPlan = (m: M) => [...m.cells.values()].reduce((a, r) => a + (r.with_plan ?? 0), 0);
  if (o.kind === 'group') {
    cols.push({
      key: 'over',
      label: 'Assignments overfulfilled',
      num: true,
      sort: (m) => sumOver(m),
      cell: (m) => h('span', { testid: `over-${splitTarget(m.target)[1]}` }, `${int(sumOver(m))} of ${int(sumPlan(m))}`),
    });
  }
  return dataTable({
    columns: cols,
    rows: mrows,
    testid: o.testid,
    caption: o.caption,
    rowTestid: (m) => `row-${splitTarget(m.target)[1]}`,
    empty: 'No fulfilment rows for this selection.',
  });
}
