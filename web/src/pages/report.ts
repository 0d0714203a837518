// Report entry: one value for (unit, indicator, day). Checks the input first,
// shows the server's 422 messages by field, and on success the fulfilment before
// and after.

import { api, ApiError, newKey, unitName, type FieldError, type Indicator, type ReportInput, type Row } from '../api';
import { debounce, field, h, replace, setFieldError, uid } from '../dom';
import { day, int, num, parseNumber, pct, period as fmtPeriod, statusBadge } from '../format';
import { forgetLatest, isHeadline, latest } from '../fulfil';
import type { Ctx } from '../router';
import { can, currentUser } from '../session';
import { dataTable, errorText, loading, messageBox, pageHeader, roleGate } from '../ui';

type FieldName = 'unit' | 'indicator' | 'date' | 'value';

export async function reportPage(ctx: Ctx): Promise<void> {
  ctx.title('Report');
  const root = h('div', { class: 'page page-report', testid: 'page-report' });
  ctx.main.append(root);
  root.append(pageHeader('Enter a report', h('p', { class: 'as-of' }, 'An actual value for one unit, indicator and day. A second report for the same day is kept as a correction (a new revision).')));
  roleGate(root, can('report'), 'entering reports', () => void buildForm(ctx, root));
}

async function buildForm(ctx: Ctx, root: HTMLElement): Promise<void> {
  const status = loading();
  root.append(status);
  const user = currentUser();
  const [indicators, lt] = await Promise.all([api.indicators(), latest()]).catch((e) => {
    status.replaceWith(h('div', { class: 'msg msg-error', role: 'alert' }, errorText(e)));
    return [null, null] as const;
  });
  if (!indicators || !lt) return;
  const inds = new Map(indicators.map((i) => [i.code, i]));
  const myUnits = user?.units ?? [];
  const wantedUnit = ctx.query.get('unit') ?? '';

  // unit: a select of the user's units, or a search box for the others
  let unitCtl: HTMLSelectElement | HTMLInputElement;
  let datalist: HTMLDataListElement | null = null;
  if (myUnits.length) {
    const sel = h('select', { id: uid('unit'), testid: 'report-unit', required: true });
    for (const c of myUnits) {
      const opt = h('option', { value: c, selected: c === wantedUnit }, c);
      sel.append(opt);
      void unitName(c).then((n) => {
        if (n) opt.textContent = `${n} (${c})`;
      });
    }
    unitCtl = sel;
  } else {
    datalist = h('datalist', { id: uid('units') });
    unitCtl = h('input', { type: 'text', id: uid('unit'), testid: 'report-unit', list: datalist.id, autocomplete: 'off', value: wantedUnit, required: true, placeholder: 'Unit code, e.g. U00001' });
    const suggest = debounce(async () => {
      const q = unitCtl.value.trim();
      if (q.length < 2) return;
      try {
        const r = await api.units({ q, limit: 20, within: user?.scope ?? undefined });
        replace(datalist!, ...r.units.map((u) => h('option', { value: u.code }, u.name)));
      } catch {
        /* suggestions are optional */
      }
    }, 250);
    unitCtl.addEventListener('input', suggest);
  }
  const fUnit = field('Unit', unitCtl, { testid: 'report-unit', hint: myUnits.length ? 'Only the units you report for.' : undefined });

  const indSel = h('select', { id: uid('ind'), testid: 'report-indicator', required: true });
  const fInd = field('Indicator', indSel, { testid: 'report-indicator' });
  const dateIn = h('input', { type: 'date', id: uid('date'), testid: 'report-date', required: true, value: lt.asOf ?? new Date().toISOString().slice(0, 10) });
  const fDate = field('Day', dateIn, { testid: 'report-date' });
  const valueIn = h('input', { type: 'text', inputmode: 'decimal', id: uid('value'), testid: 'report-value', required: true, autocomplete: 'off' });
  const fValue = field('Value', valueIn, { testid: 'report-value', hint: 'The actual for that day, in the indicator’s measure.' });
  const fields: Record<FieldName, ReturnType<typeof field>> = { unit: fUnit, indicator: fInd, date: fDate, value: fValue };

  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'report-submit' }, 'Save report');
  const msg = messageBox('report-message');
  const result = h('section', { class: 'card', testid: 'report-result', 'aria-live': 'polite', hidden: true });

  const form = h('form', { class: 'form card', novalidate: true, testid: 'report-form', 'aria-labelledby': 'report-h' },
    h('h2', { id: 'report-h' }, 'Report'),
    fUnit.wrap, datalist, fInd.wrap, fDate.wrap, fValue.wrap,
    h('div', { class: 'actions' }, submit),
    msg,
  );
  status.replaceWith(form, result);

  // indicators: the unit's assignments this year (else every reportable indicator)
  async function loadIndicators(): Promise<void> {
    const unit = unitCtl.value.trim();
    const keep = indSel.value || ctx.query.get('indicator') || '';
    let codes: string[] = [];
    if (unit) {
      try {
        const f = await api.unitFulfilment(unit, (dateIn.value || lt!.month).slice(0, 4));
        codes = [...new Set(f.rows.map((r) => r.indicator))];
      } catch {
        codes = [];
      }
    }
    const list: Indicator[] = codes.length
      ? codes.map((c) => inds.get(c)).filter((x): x is Indicator => !!x)
      : indicators!.filter((i) => !i.numerator);
    replace(indSel, ...list.map((i) => h('option', { value: i.code }, `${i.name} (${i.measure})`)));
    const pick = list.find((i) => i.code === keep) ?? list.find((i) => isHeadline(i)) ?? list[0];
    if (pick) indSel.value = pick.code;
    updateMeasure();
  }
  function updateMeasure(): void {
    const i = inds.get(indSel.value);
    fValue.wrap.querySelector('label')!.textContent = i ? `Value (${i.measure})` : 'Value';
  }
  indSel.addEventListener('change', updateMeasure);
  unitCtl.addEventListener('change', () => void loadIndicators());
  await loadIndicators();

  function validate(): { input: ReportInput | null; errors: Partial<Record<FieldName, string>> } {
    const errors: Partial<Record<FieldName, string>> = {};
    const unit = unitCtl.value.trim();
    const indicator = indSel.value;
    const date = dateIn.value;
    const value = parseNumber(valueIn.value);
    const ind = inds.get(indicator);
    if (!unit) errors.unit = 'Choose a unit.';
    else if (user?.role === 'reporter' && myUnits.length && !myUnits.includes(unit)) errors.unit = `You report only for ${myUnits.join(', ')}.`;
    if (!indicator) errors.indicator = 'Choose an indicator.';
    else if (ind?.numerator) errors.indicator = `${ind.name} is computed from ${ind.numerator} and ${ind.denominator}; report those instead.`;
    if (!date) errors.date = 'Enter the day the value is for.';
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) errors.date = 'Enter a valid day (year, month, day).';
    if (!valueIn.value.trim()) errors.value = 'Enter a value.';
    else if (value === null) errors.value = 'Enter a number, e.g. 1234.5.';
    else if (value < 0) errors.value = 'The value cannot be negative.';
    else if (ind?.measure === '%' && value > 100) errors.value = 'A share in % cannot exceed 100.';
    const ok = Object.keys(errors).length === 0;
    return { input: ok ? { unit, indicator, date, value: value! } : null, errors };
  }

  function showErrors(errors: Partial<Record<FieldName, string>>): void {
    (Object.keys(fields) as FieldName[]).forEach((k) => setFieldError(fields[k], errors[k] ?? null));
  }

  // The same values submitted again (e.g. after a network failure) reuse their key,
  // so the server records them once.
  let last: { sig: string; key: string } | null = null;
  let busy = false;

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    msg.hide();
    const { input, errors } = validate();
    showErrors(errors);
    if (!input) {
      msg.show('error', 'Please correct the marked fields.');
      const firstBad = (Object.keys(fields) as FieldName[]).find((k) => errors[k]);
      if (firstBad) fields[firstBad].control.focus();
      return;
    }
    const sig = JSON.stringify(input);
    if (!last || last.sig !== sig) last = { sig, key: newKey() };
    input.key = last.key;
    busy = true;
    submit.disabled = true;
    submit.textContent = 'Saving…';
    const month = input.date.slice(0, 7);
    try {
      const before = await api.unitFulfilment(input.unit, month).catch(() => null);
      const r = await api.postReports(input);
      forgetLatest();
      const after = await api.unitFulfilment(input.unit, month).catch(() => null);
      msg.show('ok', `Saved. ${int(r.imported)} new, ${int(r.updated)} corrected, ${int(r.ignored)} unchanged.`);
      showResult(input, before?.rows ?? [], after?.rows ?? [], r);
      valueIn.value = '';
      last = null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.errors.length) {
        const byField: Partial<Record<FieldName, string>> = {};
        const other: string[] = [];
        for (const fe of e.errors) {
          const f = fieldOf(fe);
          const text = fe.message || fe.reason || 'invalid';
          if (f) byField[f] = byField[f] ? `${byField[f]} ${text}` : text;
          else other.push(text);
        }
        showErrors(byField);
        msg.showError(e, h('p', null, 'The marked fields were refused; nothing was written.'), other.length ? h('ul', null, other.map((t) => h('li', null, t))) : null);
      } else {
        msg.showError(e);
      }
    } finally {
      busy = false;
      submit.disabled = false;
      submit.textContent = 'Save report';
    }
  });

  function showResult(input: ReportInput, before: Row[], after: Row[], r: { rows: number }): void {
    const b = before.find((x) => x.indicator === input.indicator) ?? null;
    const a = after.find((x) => x.indicator === input.indicator) ?? null;
    const ind = inds.get(input.indicator);
    replace(
      result,
      h('h2', null, `Fulfilment of ${fmtPeriod(input.date.slice(0, 7))} after the report`),
      h('p', null, `${num(input.value)} ${ind?.measure ?? ''} for ${ind?.name ?? input.indicator} on ${day(input.date)} at ${input.unit} (${int(r.rows)} row${r.rows === 1 ? '' : 's'} sent).`),
      dataTable({
        testid: 'report-fulfilment',
        rows: [{ b, a }],
        columns: [
          { key: 'i', label: 'Indicator', cell: () => ind?.name ?? input.indicator },
          { key: 'pb', label: '% before', num: true, cell: (x) => h('span', { testid: 'report-fulfilment-before' }, pct(x.b?.percent)) },
          { key: 'pa', label: '% now', num: true, cell: (x) => h('span', { testid: 'report-fulfilment-percent' }, pct(x.a?.percent)) },
          { key: 'ab', label: 'Actual before', num: true, cell: (x) => num(x.b?.actual) },
          { key: 'aa', label: 'Actual now', num: true, cell: (x) => h('span', { testid: 'report-fulfilment-actual' }, num(x.a?.actual)) },
          { key: 'plan', label: 'Plan', num: true, cell: (x) => num(x.a?.plan ?? x.b?.plan) },
          { key: 's', label: 'Status', cell: (x) => h('span', { class: 'status-change' }, x.b ? statusBadge(x.b.status) : '—', ' → ', statusBadge(x.a?.status ?? null, 'report-fulfilment-status')) },
        ],
      }),
      h('p', null, h('a', { href: `/unit/${encodeURIComponent(input.unit)}?period=${input.date.slice(0, 7)}&indicator=${encodeURIComponent(input.indicator)}`, testid: 'report-unit-link' }, 'Open the unit page →')),
    );
    result.hidden = false;
  }
}

/** Which form field a server error is about: "$.value", "$[0].value", field "value". */
function fieldOf(fe: FieldError): FieldName | null {
  const names: FieldName[] = ['unit', 'indicator', 'date', 'value'];
  const f = fe.field && names.find((n) => n === fe.field);
  if (f) return f;
  const m = fe.path ? /(?:^|\.)(unit|indicator|date|value)$/.exec(fe.path) : null;
  return m ? (m[1] as FieldName) : null;
}
