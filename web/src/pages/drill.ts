// Drill-down through a hierarchy: provinces → counties → units (or sectors →
// branches → units). The path of group codes is in the URL: /drill/region/P01/P01-C01.

import { api, pool, type Group, type Indicator, type Row } from '../api';
import { h, replace, uid } from '../dom';
import { day, int, period as fmtPeriod, statusBadge } from '../format';
import { fulfilmentTable, latestPeriod, pickRows } from '../fulfil';
import { link, navigate, withParams, type Ctx } from '../router';
import {
  dataTable,
  errorBlock,
  indicatorSelect,
  isAbort,
  loading,
  pageHeader,
  percentBar,
  periodSelect,
  splitTarget,
  statusMix,
  toDateShare,
} from '../ui';

const PAGE = 100;

/** "region" → "regions", "category" → "categories". */
function plural(word: string): string {
  return /[^aeiou]y$/.test(word) ? `${word.slice(0, -1)}ies` : /s$/.test(word) ? word : `${word}s`;
}

/** Finds the path from a root to a group by walking the tree (a few small cached requests). */
export async function resolveGroupPath(hier: string, code: string, levels: number): Promise<string[] | null> {
  let frontier: { path: string[]; group: Group }[] = (await api.groups(hier)).map((g) => ({ path: [g.code], group: g }));
  for (let level = 1; level <= levels; level += 1) {
    const hit = frontier.find((f) => f.group.code === code);
    if (hit) return hit.path;
    if (level === levels) break;
    const next = await pool(frontier, 6, async (f) =>
      (await api.groups(hier, f.group.code)).map((g) => ({ path: [...f.path, g.code], group: g })),
    );
    frontier = next.flat();
  }
  return null;
}

export async function drillPage(ctx: Ctx): Promise<void> {
  const root = h('div', { class: 'page page-drill', testid: 'page-drill' });
  ctx.main.append(root);
  const status = loading();
  const head = pageHeader('Drill-down');
  root.append(head, status);
  try {
    const [hierarchies, indicators] = await Promise.all([api.hierarchies(), api.indicators()]);
    const hier = ctx.params[0] || (hierarchies.find((x) => x.code === 'region') ?? hierarchies[0])?.code;
    const hinfo = hierarchies.find((x) => x.code === hier);
    if (!hinfo) {
      status.replaceWith(errorBlock(new Error(`There is no hierarchy '${hier ?? ''}'.`)));
      return;
    }
    const path = (ctx.params[1] ?? '').split('/').filter(Boolean);

    // ?group=CODE (from a unit page): find its ancestors, then show it.
    const wanted = ctx.query.get('group');
    if (wanted && !path.length) {
      const found = await resolveGroupPath(hier, wanted, hinfo.levels);
      if (found) {
        navigate(link(`/drill/${hier}/${found.map(encodeURIComponent).join('/')}`, { period: ctx.query.get('period'), indicator: ctx.query.get('indicator') }), { replace: true });
        return;
      }
      status.replaceWith(errorBlock(new Error(`There is no group '${wanted}' in ${hier}.`)));
      return;
    }

    const { latest } = await latestPeriod(hier);
    const inds = new Map(indicators.map((i) => [i.code, i]));
    const indicator = ctx.query.get('indicator') ?? '';
    const per = ctx.query.get('period') || latest.month;
    const year = per.slice(0, 4);
    const level = path.length; // 0 = the whole country
    const leaf = level >= hinfo.levels;
    const current = path[path.length - 1];
    ctx.title(`Drill-down ${hier}${current ? ` ${current}` : ''}`);

    // Names for the breadcrumb: the children lists of each ancestor (cached).
    const lists = await Promise.all(path.map((_, i) => api.groups(hier, i === 0 ? undefined : path[i - 1])));
    const names = path.map((c, i) => lists[i].find((g) => g.code === c)?.name ?? c);
    const title = level ? names[level - 1] : `All ${plural(hier)}`;
    replace(head, h('h1', { tabindex: '-1' }, title), h('p', { class: 'as-of' }, `${fmtPeriod(per)} · data as of ${day(latest.asOf)}`));

    const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb', testid: 'breadcrumb' });
    const ol = h('ol');
    const q = { period: per, indicator };
    ol.append(h('li', null, level ? h('a', { href: link(`/drill/${hier}`, q), testid: 'crumb-0' }, `All ${plural(hier)}`) : h('span', { 'aria-current': 'page', testid: 'crumb-0' }, `All ${plural(hier)}`)));
    path.forEach((_c, i) => {
      const href = link(`/drill/${hier}/${path.slice(0, i + 1).map(encodeURIComponent).join('/')}`, q);
      ol.append(h('li', null, i === level - 1 ? h('span', { 'aria-current': 'page', testid: `crumb-${i + 1}` }, names[i]) : h('a', { href, testid: `crumb-${i + 1}` }, names[i])));
    });
    crumbs.append(ol);

    const tabs = h(
      'div',
      { class: 'tabs', role: 'group', 'aria-label': 'Hierarchy' },
      hierarchies.map((x) =>
        h('a', { href: link(`/drill/${x.code}`, q), class: 'tab', 'aria-current': x.code === hier ? 'page' : undefined, testid: `hier-${x.code}` }, `By ${x.code}`),
      ),
    );
    const controls = h(
      'div',
      { class: 'controls' },
      periodSelect(year, per, year === latest.year ? latest.lastMonth : 12, (p) => navigate(withParams({ period: p }))),
      indicatorSelect(indicators, indicator, (c) => navigate(withParams({ indicator: c })), { headline: 'Headline outputs' }),
    );
    const summary = h('section', { class: 'card', 'aria-labelledby': 'sum-h', testid: 'drill-summary' }, h('h2', { id: 'sum-h' }, 'Summary'), loading());
    const body = h('section', { class: 'card', 'aria-labelledby': 'body-h' }, h('h2', { id: 'body-h' }, leaf ? 'Units' : `Level ${level + 1}`), loading());
    status.replaceWith(tabs, crumbs, controls, summary, body);

    const within = level ? `${hier}/${current}` : undefined;
    const by = leaf ? `${hier}:${level}` : level + 1 === 1 ? hier : `${hier}:${level + 1}`;
    const monthQ = api.fulfilment({ period: per, by, within, indicator: indicator || undefined, units: leaf || undefined }, ctx.signal);
    const yearQ = per !== year && !leaf ? api.fulfilment({ period: year, by, within, indicator: indicator || undefined }, ctx.signal) : null;
    const [f, fy] = await Promise.all([monthQ, yearQ]);
    if (ctx.signal.aborted) return;

    const totals = f.rows.filter((r) => r.kind === 'total');
    const ownRow = leaf ? f.rows.filter((r) => r.kind === 'group' && r.target === `${hier}/${current}`) : [];
    replace(summary, summary.querySelector('h2')!, summaryTable(ownRow.length ? ownRow : totals, indicator, inds));

    if (!leaf) {
      const rows = f.rows.filter((r) => r.kind === 'group');
      const bodyH = body.querySelector('h2')!;
      bodyH.textContent = level === 0 ? `By ${hier}` : `Within ${names[level - 1]}`;
      replace(
        body,
        bodyH,
        fulfilmentTable({
          rows,
          yearRows: fy ? fy.rows.filter((r) => r.kind === 'group') : undefined,
          indicators: inds,
          indicator,
          kind: 'group',
          testid: 'drill-table',
          caption: `${fmtPeriod(per)}: level ${level + 1} of ${hier}`,
          link: (r) => link(`/drill/${hier}/${[...path, splitTarget(r.target)[1]].map(encodeURIComponent).join('/')}`, q),
        }),
        within ? h('p', null, h('a', { href: link('/units', { within }), testid: 'drill-units-link' }, `List every unit in ${names[level - 1]} →`)) : null,
      );
    } else {
      const units = f.rows.filter((r) => r.kind === 'unit');
      unitList(body, units, inds, indicator, per);
    }
  } catch (e) {
    if (isAbort(e)) return;
    root.append(errorBlock(e));
    status.remove();
  }
}

function summaryTable(rows: Row[], indicator: string, inds: Map<string, Indicator>): HTMLElement {
  const picked = [...pickRows(rows, indicator, inds).values()].flat();
  return dataTable({
    testid: 'summary-table',
    rows: picked,
    columns: [
      { key: 'ind', label: 'Indicator', cell: (r) => inds.get(r.indicator)?.name ?? r.indicator },
      { key: 'pct', label: '% of plan', num: true, className: 'col-bar', cell: (r) => percentBar(r.percent, r.status, undefined, toDateShare(r)) },
      { key: 'st', label: 'Status', cell: (r) => statusBadge(r.status) },
      { key: 'over', label: 'Units overfulfilled', num: true, cell: (r) => `${int(r.overfulfilled)} of ${int(r.with_plan)}` },
      { key: 'mix', label: 'Units by status', className: 'col-mix', cell: (r) => statusMix(r) },
    ],
    empty: 'No plan or report here for this selection.',
  });
}

/** The units of a leaf group, filtered and shown 100 at a time. */
function unitList(body: HTMLElement, units: Row[], inds: Map<string, Indicator>, indicator: string, per: string): void {
  const heading = body.querySelector('h2')!;
  const picked = [...pickRows(units, indicator, inds).values()].map((l) => l[0]);
  let offset = 0;
  let filter = '';
  const search = h('input', {
    type: 'search',
    id: uid('q'),
    testid: 'drill-unit-filter',
    placeholder: 'Name or code',
    oninput: () => {
      filter = search.value.trim().toLowerCase();
      offset = 0;
      draw();
    },
  });
  const tableBox = h('div');
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  function draw(): void {
    const list = filter ? picked.filter((r) => r.name.toLowerCase().includes(filter) || splitTarget(r.target)[1].toLowerCase().includes(filter)) : picked;
    count.textContent = `${int(list.length)} units`;
    const pageRows = list.slice(offset, offset + PAGE);
    const pagerEl = h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages', testid: 'drill-pager' },
      h('button', { type: 'button', class: 'btn', disabled: offset === 0, testid: 'drill-pager-prev', onclick: () => { offset = Math.max(0, offset - PAGE); draw(); } }, '← Previous'),
      h('span', { class: 'pager-text' }, `${int(list.length ? offset + 1 : 0)}–${int(Math.min(offset + PAGE, list.length))} of ${int(list.length)}`),
      h('button', { type: 'button', class: 'btn', disabled: offset + PAGE >= list.length, testid: 'drill-pager-next', onclick: () => { offset += PAGE; draw(); } }, 'Next →'),
    );
    replace(
      tableBox,
      fulfilmentTable({
        rows: pageRows,
        indicators: inds,
        indicator: indicator || '',
        kind: 'unit',
        testid: 'drill-table',
        caption: `Units, ${fmtPeriod(per)}`,
        link: (r) => link(`/unit/${encodeURIComponent(splitTarget(r.target)[1])}`, { period: per, indicator: r.indicator }),
      }),
      list.length > PAGE ? pagerEl : null,
    );
  }
  const searchLabel = h('label', { for: search.id }, 'Filter units');
  replace(body, heading, h('div', { class: 'controls' }, h('div', { class: 'control' }, searchLabel, search)), count, tableBox);
  draw();
}
