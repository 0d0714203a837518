// Shared page pieces: messages, tables, bars, selectors, pagination.

import { ApiError, type Indicator, type Row } from './api';
import { h, replace, sr, uid, type Child } from './dom';
import { COUNTED, int, pct, statusInfo, monthShort, lang } from './format';
import { currentUser } from './session';

// ---- messages -------------------------------------------------------------------

export type MessageBox = HTMLDivElement & {
  show(kind: 'error' | 'ok' | 'info', ...content: Child[]): void;
  /** Shows an API failure; data-status carries the HTTP status (403, 422...). */
  showError(e: unknown, ...extra: Child[]): void;
  hide(): void;
};

/** A message area; role=alert for errors, status otherwise (both aria-live). */
export function messageBox(testid: string): MessageBox {
  const box = h('div', { class: 'msg', testid, 'aria-live': 'polite', hidden: true }) as MessageBox;
  box.show = (kind, ...content) => {
    box.className = `msg msg-${kind}`;
    box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    box.dataset.kind = kind;
    delete box.dataset.status;
    replace(box, ...content);
    box.hidden = false;
  };
  box.showError = (e, ...extra) => {
    box.show('error', h('p', null, errorText(e)), ...extra);
    if (e instanceof ApiError) {
      box.dataset.status = String(e.status);
      if (e.status === 403) box.classList.add('msg-forbidden');
    }
  };
  box.hide = () => {
    box.hidden = true;
    replace(box);
  };
  return box;
}

/** Words for an API failure; 403 and 401 are spelled out. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 403) {
      const role = currentUser()?.role;
      return `Not allowed: ${e.message}${role ? ` (your role: ${role})` : ''}`;
    }
    if (e.status === 401) return `Not logged in: ${e.message}`;
    if (e.status === 429) return `Too many requests: try again in ${e.retryAfter ?? 'a few'} s.`;
    if (e.status === 0) return e.message;
    return `${e.message} (${e.status} ${e.code})`;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

export function loading(text = 'Loading…'): HTMLParagraphElement {
  return h('p', { class: 'loading', role: 'status' }, text);
}

export function errorBlock(e: unknown, testid = 'page-error'): HTMLDivElement {
  const forbidden = e instanceof ApiError && e.status === 403;
  return h(
    'div',
    { class: `msg msg-error${forbidden ? ' msg-forbidden' : ''}`, role: 'alert', testid },
    errorText(e),
  );
}

export function pageHeader(title: string, ...extra: Child[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, title), ...extra);
}

// ---- bars -------------------------------------------------------------------------

/** The share of the plan due by now (for a running period), in percent; else null. */
export function toDateShare(r: Pick<Row, 'plan' | 'plan_to_date'> | null | undefined): number | null {
  if (!r || !r.plan || r.plan_to_date === null || r.plan_to_date >= r.plan) return null;
  return (100 * r.plan_to_date) / r.plan;
}

/**
 * Percent of plan as a bar (100 % marked; a dotted mark for the plan due so far
 * in a running period), with the number as text.
 */
export function percentBar(percent: number | null, status: string | null, testid?: string, toDate?: number | null): HTMLElement {
  const st = statusInfo(status);
  const scale = 130; // the bar's full width is 130 % of plan
  const w = percent === null ? 0 : Math.max(0, Math.min(percent, scale)) / scale;
  return h(
    'div',
    { class: 'pbar', testid, title: toDate ? `${pct(percent)} of plan; ${pct(toDate)} was due by now` : undefined },
    h(
      'div',
      { class: 'pbar-track', 'aria-hidden': 'true' },
      h('div', { class: `pbar-fill fill-${st.key}`, style: `width:${(w * 100).toFixed(1)}%` }),
      toDate ? h('div', { class: 'pbar-todate', style: `left:${((toDate / scale) * 100).toFixed(1)}%` }) : null,
      h('div', { class: 'pbar-plan', style: `left:${((100 / scale) * 100).toFixed(1)}%` }),
    ),
    h('span', { class: 'pbar-text num' }, pct(percent)),
  );
}

/** Units by status (a stacked bar plus the counts as text). */
export function statusMix(r: Row, testid?: string): HTMLElement {
  const total = r.with_plan ?? 0;
  const parts = COUNTED.map((k) => ({ k, n: (r[k] as number | null) ?? 0 })).filter((p) => p.n > 0);
  const counted = parts.reduce((a, p) => a + p.n, 0);
  const other = Math.max(0, total - counted);
  const label = parts.map((p) => `${int(p.n)} ${statusInfo(p.k).label.toLowerCase()}`).join(', ') +
    (other ? `, ${int(other)} other` : '') + ` of ${int(total)}`;
  const bar = h(
    'div',
    { class: 'mix-track', 'aria-hidden': 'true' },
    parts.map((p) => h('span', { class: `mix-seg fill-${p.k}`, style: `flex-grow:${p.n}` })),
    other ? h('span', { class: 'mix-seg fill-unknown', style: `flex-grow:${other}` }) : null,
  );
  const legend = h(
    'span',
    { class: 'mix-legend' },
    parts.map((p) =>
      h('span', { class: `mix-count text-${p.k}`, title: statusInfo(p.k).label }, statusInfo(p.k).icon, int(p.n)),
    ),
  );
  return h('div', { class: 'mix', testid, title: label }, bar, legend, sr(label));
}

// ---- tables -----------------------------------------------------------------------

export interface Column<T> {
  key: string;
  label: string;
  cell: (row: T) => Child;
  sort?: (row: T) => number | string | null;
  num?: boolean;
  className?: string;
}

/**
 * A table rendered through a DocumentFragment; headers with a sort function are
 * buttons (aria-sort tells the order).
 */
export function dataTable<T>(opts: {
  columns: Column<T>[];
  rows: T[];
  caption?: string;
  testid: string;
  rowTestid?: (row: T) => string | undefined;
  rowAttrs?: (row: T) => Record<string, string>;
  empty?: string;
  initialSort?: { key: string; dir: 1 | -1 };
}): HTMLElement {
  let sortKey = opts.initialSort?.key ?? '';
  let dir: 1 | -1 = opts.initialSort?.dir ?? 1;
  const table = h('table', { class: 'data', testid: opts.testid });
  const wrap = h('div', { class: 'table-wrap' }, table);

  function sorted(): T[] {
    const col = opts.columns.find((c) => c.key === sortKey);
    if (!col?.sort) return opts.rows;
    const f = col.sort;
    const coll = new Intl.Collator(lang, { numeric: true });
    return [...opts.rows].sort((a, b) => {
      const x = f(a);
      const y = f(b);
      if (x === null && y === null) return 0;
      if (x === null) return 1; // empty cells last either way
      if (y === null) return -1;
      if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
      return coll.compare(String(x), String(y)) * dir;
    });
  }

  function draw(): void {
    const thead = h(
      'thead',
      null,
      h(
        'tr',
        null,
        opts.columns.map((c) => {
          const active = c.key === sortKey;
          const ariaSort = active ? (dir === 1 ? 'ascending' : 'descending') : c.sort ? 'none' : undefined;
          const content = c.sort
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'sort',
                  testid: `${opts.testid}-sort-${c.key}`,
                  onclick: () => {
                    if (sortKey === c.key) dir = dir === 1 ? -1 : 1;
                    else {
                      sortKey = c.key;
                      dir = c.num ? -1 : 1;
                    }
                    draw();
                  },
                },
                c.label,
                h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (dir === 1 ? '▴' : '▾') : '↕'),
              )
            : c.label;
          return h('th', { scope: 'col', class: [c.num ? 'num' : '', c.className ?? ''].join(' ').trim() || undefined, 'aria-sort': ariaSort }, content);
        }),
      ),
    );
    const tbody = h('tbody');
    const f = document.createDocumentFragment();
    const rows = sorted();
    if (!rows.length) {
      f.appendChild(h('tr', null, h('td', { colspan: opts.columns.length, class: 'empty' }, opts.empty ?? 'Nothing to show.')));
    }
    for (const r of rows) {
      const tr = h('tr', { testid: opts.rowTestid?.(r), ...(opts.rowAttrs?.(r) ?? {}) });
      for (const c of opts.columns) {
        const cls = [c.num ? 'num' : '', c.className ?? ''].join(' ').trim();
        tr.appendChild(h('td', { class: cls || undefined, 'data-label': c.label }, c.cell(r)));
      }
      f.appendChild(tr);
    }
    tbody.appendChild(f);
    replace(table, opts.caption ? h('caption', null, opts.caption) : null, thead, tbody);
  }
  draw();
  return wrap;
}

// ---- selectors --------------------------------------------------------------------

/** Months of a year (up to the last month with data) and the year itself. */
export function periodSelect(
  year: string,
  selected: string,
  lastMonth: number,
  onChange: (p: string) => void,
  testid = 'period-select',
): HTMLElement {
  const sel = h('select', { id: uid('period'), testid, onchange: () => onChange(sel.value) });
  sel.appendChild(h('option', { value: year, selected: selected === year }, `Year ${year}`));
  for (let m = 1; m <= Math.max(1, lastMonth); m += 1) {
    const v = `${year}-${String(m).padStart(2, '0')}`;
    sel.appendChild(h('option', { value: v, selected: selected === v }, `${monthShort(m)} ${year}`));
  }
  if (selected && ![...sel.options].some((o) => o.value === selected)) {
    sel.appendChild(h('option', { value: selected, selected: true }, selected));
  }
  return h('div', { class: 'control' }, h('label', { for: sel.id }, 'Period'), sel);
}

export function indicatorSelect(
  indicators: Indicator[],
  selected: string,
  onChange: (code: string) => void,
  opts: { headline?: string; testid?: string } = {},
): HTMLElement {
  const sel = h('select', { id: uid('indicator'), testid: opts.testid ?? 'indicator-select', onchange: () => onChange(sel.value) });
  if (opts.headline) sel.appendChild(h('option', { value: '', selected: !selected }, opts.headline));
  const byRole = new Map<string, Indicator[]>();
  for (const i of indicators) {
    const k = i.numerator ? 'Derived ratios' : roleLabel(i.role);
    if (!byRole.has(k)) byRole.set(k, []);
    byRole.get(k)!.push(i);
  }
  for (const [role, list] of byRole) {
    const g = h('optgroup', { label: role });
    for (const i of list) g.appendChild(h('option', { value: i.code, selected: i.code === selected }, `${i.name} (${i.measure})`));
    sel.appendChild(g);
  }
  return h('div', { class: 'control' }, h('label', { for: sel.id }, 'Indicator'), sel);
}

function roleLabel(role: string): string {
  const m: Record<string, string> = { output: 'Output', input: 'Input', quality: 'Quality' };
  return m[role] ?? role;
}

/** Previous / next page buttons for lists fetched 100 at a time. */
export function pager(opts: {
  offset: number;
  limit: number;
  total: number;
  onPage: (offset: number) => void;
  testid: string;
}): HTMLElement {
  const { offset, limit, total } = opts;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages', testid: opts.testid },
    h(
      'button',
      { type: 'button', class: 'btn', disabled: offset <= 0, testid: `${opts.testid}-prev`, onclick: () => opts.onPage(Math.max(0, offset - limit)) },
      '← Previous',
    ),
    h('span', { class: 'pager-text', testid: `${opts.testid}-text`, 'aria-live': 'polite' }, `${int(from)}–${int(to)} of ${int(total)}`),
    h(
      'button',
      { type: 'button', class: 'btn', disabled: to >= total, testid: `${opts.testid}-next`, onclick: () => opts.onPage(offset + limit) },
      'Next →',
    ),
  );
}

export function kpi(label: string, value: Child, sub?: Child, testid?: string): HTMLElement {
  return h('div', { class: 'kpi', testid }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value' }, value), sub ? h('div', { class: 'kpi-sub' }, sub) : null);
}

/** Splits "region/P01" into ["region", "P01"]. */
export function splitTarget(target: string): [string, string] {
  const i = target.indexOf('/');
  return i < 0 ? ['', target] : [target.slice(0, i), target.slice(i + 1)];
}

// ---- role gate --------------------------------------------------------------------

/**
 * Shows a form only to roles that may use it. Others see why, and may still open
 * it: the server is the authority and answers 403 when it refuses.
 */
export function roleGate(root: HTMLElement, allowed: boolean, what: string, build: () => void): void {
  if (allowed) {
    build();
    return;
  }
  const role = currentUser()?.role ?? 'unknown';
  const notice = h(
    'div',
    { class: 'msg msg-info', role: 'note', testid: 'role-notice' },
    h('p', null, `Your role (${role}) does not allow ${what}. The server would refuse it.`),
    h(
      'button',
      {
        type: 'button',
        class: 'btn',
        testid: 'role-override',
        onclick: () => {
          notice.remove();
          build();
        },
      },
      'Show the form anyway',
    ),
  );
  root.append(notice);
}
