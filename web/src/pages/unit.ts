// One unit: its assignments (fulfilment rows), plan vs actual by day and by month,
// and the report history of a day.

import { api, type Indicator, type Row, type Series } from '../api';
import { timeChart, toSec } from '../charts';
import { h, replace, uid } from '../dom';
import { dateTime, day, num, pace, pct, period as fmtPeriod, statusBadge, statusInfo } from '../format';
import { isHeadline, latest } from '../fulfil';
import { link, navigate, withParams, type Ctx } from '../router';
import { can, currentUser } from '../session';
import { dataTable, errorBlock, isAbort, loading, messageBox, percentBar, periodSelect, toDateShare } from '../ui';

function monthEnd(ym: string): string {
  const [y, m] = ym.split('-').map(Number);
  const d = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${ym}-${String(d).padStart(2, '0')}`;
}

function periodRange(per: string): [string, string] {
  if (/^\d{4}$/.test(per)) return [`${per}-01-01`, `${per}-12-31`];
  if (/^\d{4}-\d{2}$/.test(per)) return [`${per}-01`, monthEnd(per)];
  return [per, per];
}

export async function unitPage(ctx: Ctx): Promise<void> {
  const code = ctx.params[0];
  ctx.title(`Unit ${code}`);
  const root = h('div', { class: 'page page-unit', testid: 'page-unit' });
  ctx.main.append(root);
  const head = h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, `Unit ${code}`));
  const status = loading();
  root.append(head, status);
  try {
    const [unit, indicators, lt] = await Promise.all([api.unit(code, ctx.signal), api.indicators(), latest()]);
    if (ctx.signal.aborted) return;
    ctx.title(unit.name);
    const inds = new Map(indicators.map((i) => [i.code, i]));
    const per = ctx.query.get('period') || lt.month;
    const year = per.slice(0, 4);

    // Header: name, code, groups, attributes
    const groupLinks = Object.entries(unit.groups ?? {}).map(([hc, g]) =>
      h('li', null, `${hc}: `, h('a', { href: link(`/drill/${encodeURIComponent(hc)}`, { group: g, period: per }), testid: `unit-group-${hc}` }, g)),
    );
    const attrs = Object.entries(unit.attributes ?? {});
    const user = currentUser();
    const mayReport = can('report') && (user?.role !== 'reporter' || user.units.includes(code));
    replace(
      head,
      h('h1', { tabindex: '-1', testid: 'unit-name' }, unit.name),
      h('p', { class: 'as-of' }, h('span', { class: 'code', testid: 'unit-code' }, unit.code), ` · ${fmtPeriod(per)} · data as of ${day(lt.asOf)}`),
      groupLinks.length ? h('ul', { class: 'inline-list', 'aria-label': 'Groups' }, groupLinks) : null,
      attrs.length
        ? h('dl', { class: 'attrs' }, attrs.map(([k, v]) => [h('dt', null, k), h('dd', null, typeof v === 'number' ? num(v) : String(v))]))
        : null,
      h(
        'p',
        { class: 'actions' },
        mayReport ? h('a', { class: 'btn btn-primary', href: link('/report', { unit: code }), testid: 'unit-report-link' }, 'Enter a report for this unit') : null,
        h('a', { class: 'btn', href: link(`/units/${encodeURIComponent(code)}/learning`, { group: unit.groups?.sector ? `sector/${unit.groups.sector}` : undefined }), testid: 'unit-learning-link' }, 'Whom to learn from'),
      ),
    );

    const [fm, fy] = await Promise.all([
      api.unitFulfilment(code, per, ctx.signal),
      per !== year ? api.unitFulfilment(code, year, ctx.signal) : Promise.resolve(null),
    ]);
    if (ctx.signal.aborted) return;
    const rows = fm.rows.filter((r) => r.kind === 'unit' || r.kind === undefined);
    const unitInds = [...new Set(rows.map((r) => r.indicator))];
    const indicator =
      ctx.query.get('indicator') ||
      unitInds.find((c) => isHeadline(inds.get(c))) ||
      unitInds[0] ||
      indicators[0]?.code ||
      '';
    const ind = inds.get(indicator);

    const selList = unitInds.length ? unitInds.map((c) => inds.get(c)).filter((x): x is Indicator => !!x) : indicators;
    const indSel = h('select', { id: uid('ind'), testid: 'unit-indicator-select', onchange: () => navigate(withParams({ indicator: indSel.value })) });
    for (const i of selList) indSel.append(h('option', { value: i.code, selected: i.code === indicator }, `${i.name} (${i.measure})`));
    const controls = h(
      'div',
      { class: 'controls' },
      periodSelect(year, per, year === lt.year ? lt.lastMonth : 12, (p) => navigate(withParams({ period: p }))),
      h('div', { class: 'control' }, h('label', { for: indSel.id }, 'Indicator for the charts'), indSel),
    );

    const assignments = h(
      'section',
      { class: 'card', 'aria-labelledby': 'asg-h', testid: 'unit-assignments' },
      h('h2', { id: 'asg-h' }, `Assignments, ${fmtPeriod(per)}`),
      assignmentTable(rows, fy ? fy.rows : null, inds, indicator),
    );
    const dayBox = h('section', { class: 'card', 'aria-labelledby': 'day-h' }, h('h2', { id: 'day-h' }, `${ind?.name ?? indicator} by day, ${fmtPeriod(per)}`), loading());
    const monthBox = h('section', { class: 'card', 'aria-labelledby': 'mon-h' }, h('h2', { id: 'mon-h' }, `${ind?.name ?? indicator} by month, ${year}`), loading());
    const history = historySection(code, indicator, ind, per, lt.asOf);
    status.replaceWith(controls, assignments, h('div', { class: 'grid-2' }, dayBox, monthBox), history.el);
    if (!indicator) return;

    const [from, to] = periodRange(per);
    const dayP = api.unitSeries(code, { indicator, from, to, grain: 'day' }, ctx.signal);
    const monP = api.unitSeries(code, { indicator, from: `${year}-01-01`, to: `${year}-12-31`, grain: 'month' }, ctx.signal);
    const [ds, ms] = await Promise.allSettled([dayP, monP]);
    if (ctx.signal.aborted) return;
    drawSeries(ctx, dayBox, ds, 'day', ind, (d) => history.show(d));
    drawSeries(ctx, monthBox, ms, 'month', ind);
  } catch (e) {
    if (isAbort(e)) return;
    status.remove();
    root.append(errorBlock(e));
  }
}

function assignmentTable(rows: Row[], yearRows: Row[] | null, inds: Map<string, Indicator>, selected: string): HTMLElement {
  const years = new Map((yearRows ?? []).map((r) => [r.indicator, r]));
  return dataTable({
    testid: 'unit-fulfilment',
    rows,
    rowTestid: (r) => `assignment-${r.indicator}`,
    rowAttrs: (r) => ({ 'data-status': r.status ?? '', 'aria-current': r.indicator === selected ? 'true' : '' }),
    columns: [
      {
        key: 'ind',
        label: 'Indicator',
        sort: (r) => inds.get(r.indicator)?.name ?? r.indicator,
        cell: (r) => h('a', { href: withParams({ indicator: r.indicator }), testid: `assignment-link-${r.indicator}` }, inds.get(r.indicator)?.name ?? r.indicator),
      },
      { key: 'plan', label: 'Plan', num: true, sort: (r) => r.plan, cell: (r) => num(r.plan) },
      { key: 'actual', label: 'Actual', num: true, sort: (r) => r.actual, cell: (r) => num(r.actual) },
      { key: 'measure', label: 'Measure', cell: (r) => inds.get(r.indicator)?.measure ?? '' },
      { key: 'pct', label: '% of plan', num: true, className: 'col-bar', sort: (r) => r.percent, cell: (r) => percentBar(r.percent, r.status, `assignment-pct-${r.indicator}`, toDateShare(r)) },
      { key: 'st', label: 'Status', sort: (r) => statusInfo(r.status).label, cell: (r) => statusBadge(r.status, `assignment-status-${r.indicator}`) },
      { key: 'ptd', label: 'Plan to date', num: true, sort: (r) => r.plan_to_date, cell: (r) => num(r.plan_to_date) },
      { key: 'pace', label: 'Pace', num: true, sort: (r) => r.pace, cell: (r) => pace(r.pace) },
      { key: 'fc', label: 'Forecast', num: true, sort: (r) => r.forecast, cell: (r) => num(r.forecast) },
      { key: 'days', label: 'Days reported', num: true, sort: (r) => r.reported_days, cell: (r) => num(r.reported_days) },
      ...(yearRows
        ? [{ key: 'year', label: 'Year %', num: true, sort: (r: Row) => years.get(r.indicator)?.percent ?? null, cell: (r: Row) => pct(years.get(r.indicator)?.percent) }]
        : []),
    ],
    empty: 'No assignments for this period.',
  });
}

function drawSeries(
  ctx: Ctx,
  box: HTMLElement,
  res: PromiseSettledResult<Series>,
  grain: 'day' | 'month',
  ind: Indicator | undefined,
  onPick?: (date: string) => void,
): void {
  const heading = box.querySelector('h2')!;
  if (res.status === 'rejected') {
    replace(box, heading, errorBlock(res.reason, `unit-${grain}-error`));
    return;
  }
  const pts = res.value.points ?? [];
  if (!pts.length) {
    replace(box, heading, h('p', { class: 'muted', testid: `unit-${grain}-chart` }, 'No plan or report in this range.'));
    return;
  }
  const chart = timeChart({
    x: pts.map((p) => toSec(p.period)),
    months: grain === 'month',
    series: [
      { label: `Actual${ind ? ` (${ind.measure})` : ''}`, values: pts.map((p) => p.actual), color: '#1f6fb4', kind: 'bars' },
      { label: 'Plan', values: pts.map((p) => p.plan), color: '#c2410c', kind: grain === 'day' ? 'step' : 'line', dash: [5, 3] },
    ],
    testid: `unit-${grain}-chart`,
    title: `Plan and actual of ${ind?.name ?? res.value.indicator} by ${grain}`,
    onPick: onPick ? (i) => onPick(pts[i].period) : undefined,
  });
  ctx.onCleanup(chart.destroy);
  const table = dataTable({
    testid: `unit-${grain}-table`,
    rows: pts,
    columns: [
      {
        key: 'p',
        label: grain === 'day' ? 'Day' : 'Month',
        cell: (p) =>
          onPick
            ? h('button', { type: 'button', class: 'linkish', onclick: () => onPick(p.period) }, day(p.period))
            : fmtPeriod(p.period),
      },
      { key: 'plan', label: 'Plan', num: true, cell: (p) => num(p.plan) },
      { key: 'actual', label: 'Actual', num: true, cell: (p) => num(p.actual) },
      { key: 'pct', label: '%', num: true, cell: (p) => (p.plan ? pct((100 * (p.actual ?? 0)) / p.plan) : '—') },
    ],
  });
  replace(
    box,
    heading,
    onPick ? h('p', { class: 'hint' }, 'Click a day in the chart (or in the table) to see its report history.') : null,
    chart.el,
    h('details', { class: 'as-table' }, h('summary', null, `Values by ${grain} as a table`), table),
  );
}

function historySection(code: string, indicator: string, ind: Indicator | undefined, per: string, asOf: string | null): { el: HTMLElement; show: (date: string) => void } {
  const end = periodRange(per)[1];
  const to = asOf && asOf < end ? asOf : end;
  const dateIn = h('input', { type: 'date', id: uid('hdate'), testid: 'unit-history-date', value: to, min: `${per.slice(0, 4)}-01-01` });
  const msg = messageBox('unit-history-message');
  const out = h('div', { testid: 'unit-history', 'aria-live': 'polite' });
  let ctrl: AbortController | null = null;
  async function show(date: string): Promise<void> {
    dateIn.value = date;
    msg.hide();
    ctrl?.abort();
    ctrl = new AbortController();
    replace(out, loading(`Loading the history of ${day(date)}…`));
    try {
      const r = await api.history({ unit: code, indicator, date }, ctrl.signal);
      const revs = r.revisions ?? [];
      replace(
        out,
        h('h3', { testid: 'unit-history-title' }, `${ind?.name ?? indicator}, ${day(date)}: ${revs.length} revision${revs.length === 1 ? '' : 's'}`),
        dataTable({
          testid: 'unit-history-table',
          rows: revs,
          columns: [
            { key: 'seq', label: 'Revision', num: true, cell: (v) => String(v.seq) },
            { key: 'value', label: 'Value', num: true, cell: (v) => num(v.value) },
            { key: 'author', label: 'Author', cell: (v) => v.author ?? '—' },
            { key: 'at', label: 'Recorded', cell: (v) => dateTime(v.recorded_at) },
            { key: 'kind', label: 'Kind', cell: (v) => v.kind ?? '—' },
            { key: 'source', label: 'Source', cell: (v) => v.source ?? '—' },
          ],
          empty: 'No report for this day.',
        }),
      );
    } catch (e) {
      if (isAbort(e)) return;
      replace(out);
      msg.showError(e);
    }
  }
  const form = h(
    'form',
    {
      class: 'controls',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        if (dateIn.value) void show(dateIn.value);
      },
    },
    h('div', { class: 'control' }, h('label', { for: dateIn.id }, 'Day'), dateIn),
    h('button', { type: 'submit', class: 'btn', testid: 'unit-history-show' }, 'Show history'),
  );
  const el = h(
    'section',
    { class: 'card', 'aria-labelledby': 'hist-h' },
    h('h2', { id: 'hist-h' }, `Report history of a day (${ind?.name ?? indicator})`),
    form,
    msg,
    out,
  );
  return { el, show: (d) => void show(d) };
}
