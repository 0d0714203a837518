// The records book: the best day, month and year per indicator, for each unit, each
// group and all-time, with the record each one beat; and the outliers that do not set
// a record until a planner confirms them.

import { api, indicatorMap, type Indicator, type Outlier, type RecordEntry } from '../api';
import { h, replace, uid } from '../dom';
import { day, int, num, pct, period as fmtPeriod } from '../format';
import { navigate, withParams, type Ctx } from '../router';
import { dataTable, errorBlock, indicatorSelect, isAbort, loading, messageBox, pageHeader, pager } from '../ui';
import { canPlan, participantCell } from './drives';

const GRAINS: [string, string][] = [
  ['', 'Every grain'],
  ['day', 'Best day'],
  ['month', 'Best month'],
  ['year', 'Best year'],
];
const SCOPES: [string, string][] = [
  ['all', 'All-time (everyone)'],
  ['group', 'A group'],
  ['unit', 'A unit'],
];

export async function recordsPage(ctx: Ctx): Promise<void> {
  ctx.title('Records');
  const root = h('div', { class: 'page page-records', testid: 'page-records' });
  ctx.main.append(root);
  const q = {
    indicator: ctx.query.get('indicator') ?? '',
    grain: ctx.query.get('grain') ?? '',
    scope: ctx.query.get('scope') ?? '',
    target: ctx.query.get('target') ?? '',
  };
  if (!q.scope) q.scope = q.target ? (q.target.includes('/') ? 'group' : 'unit') : 'all';
  const status = loading('Loading the records…');
  root.append(pageHeader('Records book', h('p', { class: 'as-of' }, 'New records are set every day; a correction that lowers a value withdraws the record it set and restores the previous one.')), status);

  let indicators: Indicator[];
  let inds: Map<string, Indicator>;
  try {
    [indicators, inds] = await Promise.all([api.indicators(), indicatorMap()]);
  } catch (e) {
    if (!isAbort(e)) status.replaceWith(errorBlock(e));
    return;
  }
  if (ctx.signal.aborted) return;

  const grainSel = h('select', { id: uid('grain'), testid: 'records-grain', onchange: () => navigate(withParams({ grain: grainSel.value || null })) },
    GRAINS.map(([v, l]) => h('option', { value: v, selected: q.grain === v }, l)));
  const scopeSel = h('select', { id: uid('scope'), testid: 'records-scope' }, SCOPES.map(([v, l]) => h('option', { value: v, selected: q.scope === v }, l)));
  const target = h('input', { type: 'text', id: uid('target'), testid: 'records-target', value: q.target, placeholder: 'U00017 or region/P01', autocomplete: 'off' });
  const targetCtl = h('div', { class: 'control', hidden: q.scope === 'all' }, h('label', { for: target.id }, 'Target'), target);
  scopeSel.addEventListener('change', () => {
    targetCtl.hidden = scopeSel.value === 'all';
    if (scopeSel.value === 'all') navigate(withParams({ scope: null, target: null }));
    else target.focus();
  });
  const form = h(
    'form',
    {
      class: 'controls',
      role: 'search',
      testid: 'records-filters',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const scope = scopeSel.value;
        navigate(withParams({ scope: scope === 'all' ? null : scope, target: scope === 'all' ? null : target.value.trim() || null }));
      },
    },
    indicatorSelect(indicators, q.indicator, (c) => navigate(withParams({ indicator: c || null })), { headline: 'Every indicator', testid: 'records-indicator' }),
    h('div', { class: 'control' }, h('label', { for: grainSel.id }, 'Grain'), grainSel),
    h('div', { class: 'control' }, h('label', { for: scopeSel.id }, 'Scope'), scopeSel),
    targetCtl,
    h('div', { class: 'control control-btn' }, h('button', { type: 'submit', class: 'btn', testid: 'records-apply' }, 'Show')),
  );
  const book = h('section', { class: 'card', 'aria-labelledby': 'records-h' }, h('h2', { id: 'records-h' }, 'Records'), loading());
  const outBox = h('section', { class: 'card', 'aria-labelledby': 'outliers-h', testid: 'outliers' }, h('h2', { id: 'outliers-h' }, 'Outliers'), loading());
  status.replaceWith(form, book, outBox);

  const needsTarget = q.scope !== 'all' && !q.target;
  const showRecords = async () => {
    try {
      const recs = await api.records(
        { indicator: q.indicator || undefined, grain: q.grain || undefined, scope: q.scope, target: q.scope === 'all' ? undefined : q.target || undefined },
        ctx.signal,
      );
      replace(
        book,
        h('h2', { id: 'records-h' }, 'Records'),
        h('p', { class: 'muted', testid: 'records-count' }, `${int(recs.length)} record${recs.length === 1 ? '' : 's'}${needsTarget ? ` · every ${q.scope} holding one; name a target to see one ${q.scope}’s book` : ''}`),
        recordsTable(recs, inds),
      );
    } catch (e) {
      if (!isAbort(e)) replace(book, h('h2', { id: 'records-h' }, 'Records'), errorBlock(e));
    }
  };
  const showOutliers = async () => {
    try {
      const list = await api.outliers({ indicator: q.indicator || undefined, unit: q.scope === 'unit' && q.target ? q.target : undefined }, ctx.signal);
      replace(outBox, h('h2', { id: 'outliers-h' }, 'Outliers'), ...outliersView(list, inds));
    } catch (e) {
      if (!isAbort(e)) replace(outBox, h('h2', { id: 'outliers-h' }, 'Outliers'), errorBlock(e));
    }
  };
  await Promise.all([showRecords(), showOutliers()]);
}

const GRAIN_LABEL: Record<string, string> = { day: 'Best day', month: 'Best month', year: 'Best year' };

function recordsTable(recs: RecordEntry[], inds: Map<string, Indicator>): HTMLElement {
  const measure = (code: string) => inds.get(code)?.measure ?? '';
  return dataTable<RecordEntry>({
    testid: 'records-table',
    rows: recs,
    rowTestid: () => 'record-row',
    rowAttrs: (r) => ({ 'data-indicator': r.indicator, 'data-grain': r.grain, 'data-scope': r.scope, 'data-target': r.target ?? '', 'data-holder': r.holder.code }),
    empty: 'No record matches.',
    columns: [
      { key: 'indicator', label: 'Indicator', sort: (r) => inds.get(r.indicator)?.name ?? r.indicator, cell: (r) => inds.get(r.indicator)?.name ?? r.indicator },
      { key: 'grain', label: 'Grain', className: 'nowrap', sort: (r) => ['day', 'month', 'year'].indexOf(r.grain), cell: (r) => GRAIN_LABEL[r.grain] ?? r.grain },
      { key: 'scope', label: 'Scope', className: 'nowrap', cell: (r) => (r.scope === 'all' ? 'All-time' : h('span', null, `${r.scope} `, h('span', { class: 'code' }, r.target ?? ''))) },
      { key: 'holder', label: 'Holder', sort: (r) => r.holder.name, cell: (r) => participantCell(r.holder) },
      { key: 'period', label: 'Period', className: 'nowrap', sort: (r) => r.period, cell: (r) => fmtPeriod(r.period) },
      { key: 'value', label: 'Value', num: true, sort: (r) => r.value, cell: (r) => h('span', null, h('strong', { class: 'num' }, num(r.value)), ' ', h('span', { class: 'measure' }, measure(r.indicator))) },
      { key: 'prev', label: 'Previous holder', cell: (r) => (r.previous ? h('span', { class: 'name-cell' }, participantCell(r.previous.holder), h('span', { class: 'muted' }, fmtPeriod(r.previous.period))) : h('span', { class: 'muted' }, 'first record')) },
      {
        key: 'prevValue',
        label: 'Previous value',
        num: true,
        cell: (r) =>
          r.previous
            ? h('span', null, num(r.previous.value), r.previous.value ? h('span', { class: 'gain' }, ` ${change(r.value, r.previous.value)}`) : null)
            : '—',
      },
    ],
  });
}

/** The change from the previous record in percent, signed (lower-is-better records go down). */
function change(value: number, previous: number): string {
  const d = (100 * (value - previous)) / Math.abs(previous);
  if (Math.abs(d) < 0.05) return d >= 0 ? '+<0.1%' : '−<0.1%';
  return `${d >= 0 ? '+' : '−'}${pct(Math.abs(d))}`;
}

function outlierKey(o: Outlier): string {
  return `${o.unit.code}-${o.indicator}-${o.date}`;
}

function outlierState(o: Outlier): { key: string; label: string } {
  if (o.confirmed === true) return { key: 'confirmed', label: '✓ Confirmed' };
  if (o.confirmed === false) return { key: 'rejected', label: '✗ Rejected' };
  return { key: 'pending', label: '? Awaiting review' };
}

const OUTLIERS_PAGE = 50;

function outliersView(list: Outlier[], inds: Map<string, Indicator>): HTMLElement[] {
  const planner = canPlan();
  const msg = messageBox('outlier-message');
  const pending = list.filter((o) => o.confirmed === null).length;
  const intro = h(
    'p',
    { class: 'muted', testid: 'outliers-note' },
    `${int(list.length)} value${list.length === 1 ? '' : 's'} far outside the unit’s history or capacity${list.length ? ` (${int(pending)} awaiting review)` : ''}. They set no record until confirmed. `,
    planner ? 'Confirm a real value, reject a mistake.' : 'Planners and admins review them.',
  );
  // A real economy flags hundreds (rest days, outages): a page at a time, in the server's order.
  const holder = h('div');
  const show = (offset: number): void => {
    replace(
      holder,
      outliersTable(list.slice(offset, offset + OUTLIERS_PAGE), inds, planner, msg),
      list.length > OUTLIERS_PAGE ? pager({ offset, limit: OUTLIERS_PAGE, total: list.length, testid: 'outliers-pager', onPage: show }) : null,
    );
  };
  show(0);
  return [intro, msg, holder];
}

function outliersTable(list: Outlier[], inds: Map<string, Indicator>, planner: boolean, msg: ReturnType<typeof messageBox>): HTMLElement {
  return dataTable<Outlier>({
    testid: 'outliers-table',
    rows: list,
    rowTestid: (o) => `outlier-${outlierKey(o)}`,
    rowAttrs: (o) => ({ 'data-state': outlierState(o).key, 'data-unit': o.unit.code }),
    empty: 'No outliers.',
    columns: [
      { key: 'unit', label: 'Unit', cell: (o) => participantCell(o.unit) },
      { key: 'indicator', label: 'Indicator', cell: (o) => inds.get(o.indicator)?.name ?? o.indicator },
      { key: 'date', label: 'Day', className: 'nowrap', sort: (o) => o.date, cell: (o) => day(o.date) },
      { key: 'value', label: 'Value', num: true, cell: (o) => h('span', null, h('strong', { class: 'num' }, num(o.value)), ' ', h('span', { class: 'measure' }, inds.get(o.indicator)?.measure ?? '')) },
      { key: 'expected', label: 'Expected', num: true, cell: (o) => num(o.expected) },
      { key: 'score', label: 'Score', num: true, sort: (o) => o.score, cell: (o) => num(o.score) },
      { key: 'reason', label: 'Why', cell: (o) => (o.reason === 'capacity' ? 'beyond capacity' : o.reason === 'history' ? 'far from its history' : o.reason) },
      { key: 'state', label: 'Review', cell: (o) => h('span', { class: `review review-${outlierState(o).key}`, testid: 'outlier-state' }, outlierState(o).label) },
      ...(planner
        ? [
            {
              key: 'actions',
              label: 'Decide',
              cell: (o: Outlier) => {
                const act = (confirmed: boolean) => async (ev: Event) => {
                  const row = (ev.target as HTMLElement).closest('tr')!;
                  row.querySelectorAll('button').forEach((b) => (b.disabled = true));
                  try {
                    await api.reviewOutlier({ unit: o.unit.code, indicator: o.indicator, date: o.date, confirmed, note: '' });
                    o.confirmed = confirmed;
                    const st = outlierState(o);
                    row.dataset.state = st.key;
                    const cell = row.querySelector('[data-testid="outlier-state"]')!;
                    cell.className = `review review-${st.key}`;
                    cell.textContent = st.label;
                    msg.show('ok', `${o.unit.name} (${o.unit.code}), ${day(o.date)}: ${confirmed ? 'confirmed; it may now set a record' : 'rejected; it sets no record'}.`);
                  } catch (e) {
                    msg.showError(e);
                  } finally {
                    row.querySelectorAll<HTMLButtonElement>('button').forEach((b) => {
                      b.disabled = (b.dataset.testid === 'outlier-confirm') === o.confirmed && o.confirmed !== null;
                    });
                  }
                };
                return h(
                  'span',
                  { class: 'btn-row' },
                  h('button', { type: 'button', class: 'btn btn-quiet', testid: 'outlier-confirm', disabled: o.confirmed === true, onclick: act(true) }, 'Confirm'),
                  h('button', { type: 'button', class: 'btn btn-quiet', testid: 'outlier-reject', disabled: o.confirmed === false, onclick: act(false) }, 'Reject'),
                );
              },
            },
          ]
        : []),
    ],
  });
}
