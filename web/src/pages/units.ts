// The unit list: searched and paginated on the server, 100 at a time.

import { api, type UnitSummary } from '../api';
import { debounce, h, replace, uid } from '../dom';
import { int } from '../format';
import { link, withParams, type Ctx } from '../router';
import { dataTable, errorBlock, isAbort, loading, pageHeader, pager } from '../ui';

const LIMIT = 100;

export async function unitsPage(ctx: Ctx): Promise<void> {
  ctx.title('Units');
  const root = h('div', { class: 'page page-units', testid: 'page-units' });
  ctx.main.append(root);
  const within = ctx.query.get('within') ?? '';
  const state = {
    q: ctx.query.get('q') ?? '',
    sort: ctx.query.get('sort') === 'name' ? 'name' : 'code',
    offset: Math.max(0, Number(ctx.query.get('offset')) || 0),
  };

  const search = h('input', { type: 'search', id: uid('q'), value: state.q, testid: 'units-search', placeholder: 'Name or code', autocomplete: 'off' });
  const sortSel = h(
    'select',
    { id: uid('sort'), testid: 'units-sort' },
    h('option', { value: 'code', selected: state.sort === 'code' }, 'Code'),
    h('option', { value: 'name', selected: state.sort === 'name' }, 'Name'),
  );
  const body = h('div', { 'aria-busy': 'true' }, loading());
  let ctrl: AbortController | null = null;

  // The list reloads in place (the search box keeps focus); the URL follows.
  async function load(): Promise<void> {
    history.replaceState(null, '', withParams({ q: state.q || null, sort: state.sort === 'code' ? null : state.sort, offset: state.offset ? String(state.offset) : null }));
    ctrl?.abort();
    ctrl = new AbortController();
    const signal = AbortSignal.any ? AbortSignal.any([ctx.signal, ctrl.signal]) : ctrl.signal;
    body.setAttribute('aria-busy', 'true');
    try {
      const list = await api.units({ within: within || undefined, q: state.q || undefined, sort: state.sort, offset: state.offset, limit: LIMIT }, signal);
      const hier = [...new Set(list.units.flatMap((u) => Object.keys(u.groups ?? {})))];
      replace(
        body,
        h('p', { class: 'muted', 'aria-live': 'polite', testid: 'units-total' }, `${int(list.total)} units`),
        dataTable<UnitSummary>({
          testid: 'units-table',
          rows: list.units,
          rowTestid: (u) => `unit-row-${u.code}`,
          columns: [
            { key: 'code', label: 'Code', cell: (u) => h('span', { class: 'code' }, u.code) },
            { key: 'name', label: 'Name', cell: (u) => h('a', { href: `/unit/${encodeURIComponent(u.code)}`, testid: `unit-link-${u.code}` }, u.name) },
            ...hier.map((hc) => ({
              key: `g-${hc}`,
              label: hc,
              cell: (u: UnitSummary) => (u.groups?.[hc] ? h('a', { href: link(`/drill/${hc}`, { group: u.groups[hc] }) }, u.groups[hc]) : '—'),
            })),
          ],
          empty: state.q ? `No unit matches “${state.q}”.` : 'No units.',
        }),
        pager({
          offset: list.offset ?? state.offset,
          limit: list.limit ?? LIMIT,
          total: list.total,
          testid: 'units-pager',
          onPage: (o) => {
            state.offset = o;
            void load().then(() => window.scrollTo(0, 0));
          },
        }),
      );
    } catch (e) {
      if (isAbort(e)) return;
      replace(body, errorBlock(e));
    } finally {
      body.setAttribute('aria-busy', 'false');
    }
  }

  const go = debounce(() => {
    state.q = search.value.trim();
    state.offset = 0;
    void load();
  }, 300);
  search.addEventListener('input', go);
  sortSel.addEventListener('change', () => {
    state.sort = sortSel.value;
    state.offset = 0;
    void load();
  });
  root.append(
    pageHeader('Units', within ? h('p', { class: 'as-of' }, `Within ${within} · `, h('a', { href: '/units', testid: 'units-clear-within' }, 'all units')) : null),
    h(
      'form',
      { class: 'controls', role: 'search', onsubmit: (e: Event) => { e.preventDefault(); state.q = search.value.trim(); state.offset = 0; void load(); } },
      h('div', { class: 'control' }, h('label', { for: search.id }, 'Search'), search),
      h('div', { class: 'control' }, h('label', { for: sortSel.id }, 'Sort by'), sortSel),
    ),
    body,
  );
  await load();
}
