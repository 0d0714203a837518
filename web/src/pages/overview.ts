// National overview: the month and the year by every hierarchy (sector, region),
// counts of overfulfilled units, and the monthly trend of the national total.

import { api, pool, type Fulfilment, type Indicator, type Row } from '../api';
import { timeChart, PALETTE, toSec } from '../charts';
import { h, replace } from '../dom';
import { day, int, pct, period as fmtPeriod, statusBadge } from '../format';
import { fulfilmentTable, isHeadline, latestPeriod } from '../fulfil';
import { link, navigate, withParams, type Ctx } from '../router';
import { dataTable, errorBlock, indicatorSelect, isAbort, kpi, loading, pageHeader, periodSelect, splitTarget } from '../ui';

export async function overviewPage(ctx: Ctx): Promise<void> {
  ctx.title('Overview');
  const root = h('div', { class: 'page page-overview', testid: 'page-overview' });
  ctx.main.append(root);
  const status = loading('Loading the overview…');
  root.append(pageHeader('National overview'), status);

  try {
    const [hierarchies, indicators] = await Promise.all([api.hierarchies(), api.indicators()]);
    const hcodes = hierarchies.map((x) => x.code);
    hcodes.sort((a, b) => (a === 'sector' ? -1 : b === 'sector' ? 1 : 0));
    if (!hcodes.length) {
      status.replaceWith(h('p', null, 'No hierarchies yet: import groups first.'));
      return;
    }
    const first = hcodes[0];
    const { latest, year: firstYear } = await latestPeriod(first);
    if (ctx.signal.aborted) return;
    const inds = new Map(indicators.map((i) => [i.code, i]));
    const indicator = ctx.query.get('indicator') ?? '';
    const per = ctx.query.get('period') || latest.month;
    const year = per.slice(0, 4);
    const isYear = per === year;

    // Controls
    const controls = h(
      'div',
      { class: 'controls', role: 'group', 'aria-label': 'What to show' },
      periodSelect(year, per, year === latest.year ? latest.lastMonth : 12, (p) => navigate(withParams({ period: p }))),
      indicatorSelect(indicators, indicator, (c) => navigate(withParams({ indicator: c })), {
        headline: 'Headline outputs (every sector)',
      }),
    );
    const asOf = h('p', { class: 'as-of', testid: 'as-of' }, `Data as of ${day(latest.asOf)} · ${fmtPeriod(per)}`);
    root.querySelector('.page-head')!.append(asOf);
    const kpis = h('div', { class: 'kpis', testid: 'overview-kpis' }, loading());
    const sections = h('div', { class: 'sections' });
    const trendBox = h('section', { class: 'card', 'aria-labelledby': 'trend-h' }, h('h2', { id: 'trend-h' }, `Trend ${year}: % of plan to date by month, national total`), loading('Loading the trend…'));
    status.replaceWith(controls, kpis, sections, trendBox);

    // Data: the chosen period and the year, by each hierarchy (level 1)
    const q = (period: string, by: string) => api.fulfilment({ period, by, indicator: indicator || undefined }, ctx.signal);
    const reuseFirstYear = !indicator && year === latest.year;
    const periodData = await Promise.all(hcodes.map((hc) => (isYear && hc === first && reuseFirstYear ? firstYear : q(per, hc))));
    const yearData = isYear
      ? periodData
      : await Promise.all(hcodes.map((hc) => (hc === first && reuseFirstYear ? firstYear : q(year, hc))));
    if (ctx.signal.aborted) return;

    // KPIs from the national totals
    const totals = (f: Fulfilment) => pickTotals(f.rows, indicator, inds);
    replace(kpis, ...kpiCards(totals(periodData[0]), isYear ? null : totals(yearData[0]), per, year, indicator, inds));

    // One table per hierarchy
    const frag = document.createDocumentFragment();
    hcodes.forEach((hc, i) => {
      const rows = periodData[i].rows.filter((r) => r.kind === 'group');
      const yearRows = isYear ? undefined : yearData[i].rows.filter((r) => r.kind === 'group');
      const sec = h(
        'section',
        { class: 'card', 'aria-labelledby': `by-${hc}-h`, testid: `overview-by-${hc}` },
        h('div', { class: 'card-head' }, h('h2', { id: `by-${hc}-h` }, `By ${hc}`), h('a', { href: link(`/drill/${hc}`, { period: per, indicator }), class: 'more' }, `Drill down by ${hc} →`)),
        fulfilmentTable({
          rows,
          yearRows,
          indicators: inds,
          indicator,
          kind: 'group',
          testid: `table-${hc}`,
          caption: `${fmtPeriod(per)}${yearRows ? `, with the year ${year}` : ''}, by ${hc}`,
          link: (r) => link(`/drill/${hc}/${encodeURIComponent(splitTarget(r.target)[1])}`, { period: per, indicator }),
        }),
      );
      frag.append(sec);
    });
    sections.append(frag);

    // Trend: one request per month, 4 at a time, drawn when all arrived
    const lastM = year === latest.year ? latest.lastMonth : 12;
    const months = Array.from({ length: lastM }, (_, k) => `${year}-${String(k + 1).padStart(2, '0')}`);
    const monthly = await pool(months, 4, (m) => (m === per ? Promise.resolve(periodData[0]) : q(m, first)));
    if (ctx.signal.aborted) return;
    drawTrend(ctx, trendBox, months, monthly.map((f) => totals(f)), inds);
  } catch (e) {
    if (isAbort(e)) return;
    root.append(errorBlock(e));
    status.remove();
  }
}

function pickTotals(rows: Row[], indicator: string, inds: Map<string, Indicator>): Row[] {
  const t = rows.filter((r) => r.kind === 'total');
  if (indicator) return t.filter((r) => r.indicator === indicator);
  const head = t.filter((r) => isHeadline(inds.get(r.indicator)));
  return head.length ? head : t;
}

function sum(rows: Row[], k: keyof Row): number {
  return rows.reduce((a, r) => a + ((r[k] as number | null) ?? 0), 0);
}

function kpiCards(month: Row[], year: Row[] | null, per: string, yearCode: string, indicator: string, inds: Map<string, Indicator>): HTMLElement[] {
  const cards: HTMLElement[] = [];
  const label = fmtPeriod(per);
  if (indicator) {
    const m = month[0];
    const y = year?.[0];
    const name = inds.get(indicator)?.name ?? indicator;
    cards.push(kpi(`${name}, ${label}`, m ? pct(m.percent) : '—', m ? statusBadge(m.status) : 'no data', 'kpi-period'));
    if (year) cards.push(kpi(`${name}, year ${yearCode}`, y ? pct(y.percent) : '—', y ? statusBadge(y.status) : 'no data', 'kpi-year'));
    cards.push(kpi(`Units overfulfilled, ${label}`, m ? int(m.overfulfilled) : '—', m ? `of ${int(m.with_plan)} units with a plan` : '', 'kpi-units-over'));
    const behind = m ? (m.behind ?? 0) + (m.at_risk ?? 0) : null;
    cards.push(kpi(`Units behind or at risk, ${label}`, int(behind), m ? `of ${int(m.with_plan)}` : '', 'kpi-units-behind'));
  } else {
    const over = sum(month, 'overfulfilled');
    const plan = sum(month, 'with_plan');
    cards.push(kpi(`Assignments overfulfilled, ${label}`, int(over), `of ${int(plan)} (${pct(plan ? (100 * over) / plan : null)})`, 'kpi-units-over'));
    if (year) {
      const yo = sum(year, 'overfulfilled');
      const yp = sum(year, 'with_plan');
      cards.push(kpi(`Assignments overfulfilled, year ${yearCode}`, int(yo), `of ${int(yp)}`, 'kpi-year'));
    }
    const ok = month.filter((r) => r.status === 'overfulfilled' || r.status === 'fulfilled' || r.status === 'on_track').length;
    cards.push(kpi(`Headline outputs on plan, ${label}`, `${int(ok)} of ${int(month.length)}`, 'national totals', 'kpi-period'));
    const behind = sum(month, 'behind') + sum(month, 'at_risk');
    cards.push(kpi(`Assignments behind or at risk, ${label}`, int(behind), `of ${int(plan)}`, 'kpi-units-behind'));
  }
  return cards;
}

/** Percent of the plan to date: a running month compares with its elapsed part. */
function toDate(r: Row | undefined): number | null {
  if (!r || r.actual === null) return null;
  if (r.plan_to_date) return (100 * r.actual) / r.plan_to_date;
  return r.percent;
}

function drawTrend(ctx: Ctx, box: HTMLElement, months: string[], totals: Row[][], inds: Map<string, Indicator>): void {
  const codes: string[] = [];
  for (const list of totals) for (const r of list) if (!codes.includes(r.indicator)) codes.push(r.indicator);
  const series = codes.map((c, i) => ({
    label: inds.get(c)?.name ?? c,
    color: PALETTE[i % PALETTE.length],
    values: totals.map((list) => toDate(list.find((r) => r.indicator === c))),
  }));
  const heading = box.querySelector('h2')!;
  if (!codes.length) {
    replace(box, heading, h('p', null, 'No data for the trend.'));
    return;
  }
  const chart = timeChart({
    x: months.map(toSec),
    series,
    months: true,
    yFormat: 'percent',
    refLine: 100,
    testid: 'trend-chart',
    title: `Percent of plan to date by month for ${series.map((s) => s.label).join(', ')}`,
  });
  ctx.onCleanup(chart.destroy);
  const table = dataTable({
    testid: 'trend-table',
    columns: [
      { key: 'm', label: 'Month', cell: (i: number) => fmtPeriod(months[i]) },
      ...series.map((s, k) => ({ key: `s${k}`, label: s.label, num: true, cell: (i: number) => pct(s.values[i]) })),
    ],
    rows: months.map((_, i) => i),
  });
  replace(box, heading, chart.el, h('details', { class: 'as-table' }, h('summary', null, 'Trend as a table'), table));
}
