// CSV import: choose the kind, upload a file or paste text, dry run or import;
// errors are listed per line (all or nothing: a refused file writes nothing).

import { api, ApiError, type FieldError, type ImportResult } from '../api';
import { h, replace, uid } from '../dom';
import { int } from '../format';
import type { Ctx } from '../router';
import { can } from '../session';
import { dataTable, messageBox, pageHeader, roleGate } from '../ui';

const KINDS: { kind: string; header: string; example: string }[] = [
  { kind: 'groups', header: 'hierarchy,code,name,parent', example: 'hierarchy,code,name,parent\nregion,P1,South Phyongan,\nregion,P1-C1,Sunchon,P1' },
  { kind: 'units', header: 'code,name[,<hierarchy>...][,<attribute>...]', example: 'code,name,region,sector,capacity\nM1,Sunchon Mine,P1-C1,coal-a,1200' },
  { kind: 'memberships', header: 'unit,hierarchy,group,from', example: 'unit,hierarchy,group,from\nM1,region,P1-C2,2026-07-01' },
  { kind: 'indicators', header: 'code,name,measure,direction,aggregation,role,numerator,denominator[,grain]', example: 'code,name,measure,direction,aggregation,role,numerator,denominator\ncoal,Coal output,t,higher,sum,output,,' },
  { kind: 'plans', header: 'target,indicator,period,value[,method]', example: 'target,indicator,period,value,method\nM1,coal_output,2026,120000,workdays' },
  { kind: 'reports', header: 'unit,indicator,date,value[,key]', example: 'unit,indicator,date,value\nM1,coal_output,2026-01-02,410.5' },
  { kind: 'calendar', header: 'date,kind', example: 'date,kind\nsat,rest\n2026-05-01,holiday' },
  { kind: 'profiles', header: 'profile,month,weight', example: 'profile,month,weight\nwinter,1,1.2' },
];

const MAX_BYTES = 1024 * 1024; // the server answers 413 above 1 MiB

export function importPage(ctx: Ctx): void {
  ctx.title('Import');
  const root = h('div', { class: 'page page-import', testid: 'page-import' });
  ctx.main.append(root);
  root.append(pageHeader('Import CSV', h('p', { class: 'as-of' }, 'All or nothing: when any line is wrong, nothing is written. A dry run checks and counts without writing.')));
  roleGate(root, can('import'), 'importing data', () => buildForm(ctx, root));
}

function buildForm(ctx: Ctx, root: HTMLElement): void {
  const kindSel = h('select', { id: uid('kind'), testid: 'import-kind' });
  const wanted = ctx.query.get('kind') ?? 'reports';
  for (const k of KINDS) kindSel.append(h('option', { value: k.kind, selected: k.kind === wanted }, k.kind));
  const headerHint = h('p', { class: 'hint', id: uid('hh'), testid: 'import-header' });
  kindSel.setAttribute('aria-describedby', headerHint.id);

  const fileIn = h('input', { type: 'file', id: uid('file'), accept: '.csv,text/csv,text/plain', testid: 'import-file' });
  const fileInfo = h('p', { class: 'hint', 'aria-live': 'polite', testid: 'import-file-info' });
  const clearFile = h('button', { type: 'button', class: 'btn btn-quiet', hidden: true, testid: 'import-file-clear' }, 'Remove the file');
  const textIn = h('textarea', { id: uid('csv'), rows: 8, spellcheck: false, testid: 'import-text', placeholder: 'Or paste CSV here, header line first' });
  const exampleBtn = h('button', { type: 'button', class: 'btn btn-quiet', testid: 'import-example' }, 'Insert an example');

  const dryBtn = h('button', { type: 'button', class: 'btn', testid: 'import-dry-run' }, 'Check (dry run)');
  const goBtn = h('button', { type: 'button', class: 'btn btn-primary', testid: 'import-submit' }, 'Import');
  const msg = messageBox('import-message');
  const result = h('section', { class: 'card', testid: 'import-result', hidden: true, 'aria-live': 'polite' });

  function updateHint(): void {
    const k = KINDS.find((x) => x.kind === kindSel.value);
    headerHint.textContent = k ? `Columns: ${k.header}` : '';
  }
  kindSel.addEventListener('change', updateHint);
  updateHint();
  exampleBtn.addEventListener('click', () => {
    const k = KINDS.find((x) => x.kind === kindSel.value);
    if (k) textIn.value = `${k.example}\n`;
    textIn.focus();
  });
  fileIn.addEventListener('change', () => {
    const f = fileIn.files?.[0];
    if (f) {
      fileInfo.textContent = `${f.name}, ${int(f.size)} bytes${f.size > MAX_BYTES ? ' — over the 1 MiB the server accepts in one request: split the file.' : ''}`;
      textIn.disabled = true;
      clearFile.hidden = false;
    } else {
      fileInfo.textContent = '';
      textIn.disabled = false;
      clearFile.hidden = true;
    }
  });
  clearFile.addEventListener('click', () => {
    fileIn.value = '';
    fileIn.dispatchEvent(new Event('change'));
    fileIn.focus();
  });

  async function run(dryRun: boolean): Promise<void> {
    msg.hide();
    result.hidden = true;
    const file = fileIn.files?.[0] ?? null;
    const body: string | Blob = file ?? textIn.value;
    const size = file ? file.size : new Blob([textIn.value]).size;
    if (!file && !textIn.value.trim()) {
      msg.show('error', 'Choose a CSV file or paste CSV text first.');
      textIn.focus();
      return;
    }
    if (size > MAX_BYTES) {
      msg.show('error', 'The file is over 1 MiB, more than the server accepts in one request. Split it into smaller files.');
      return;
    }
    const kind = kindSel.value;
    dryBtn.disabled = goBtn.disabled = true;
    const label = dryRun ? 'Checking…' : 'Importing…';
    msg.show('info', label);
    try {
      const r = await api.importCsv(kind, body, dryRun);
      msg.show('ok', dryRun ? 'The file is valid. Nothing was written (dry run).' : 'Imported.');
      showCounts(r, dryRun, kind);
    } catch (e) {
      msg.showError(e, e instanceof ApiError && e.errors.length ? h('p', null, 'Nothing was written. The errors are listed below.') : null);
      if (e instanceof ApiError && e.errors.length) showErrors(e.errors);
    } finally {
      dryBtn.disabled = goBtn.disabled = false;
    }
  }
  dryBtn.addEventListener('click', () => void run(true));
  goBtn.addEventListener('click', () => void run(false));

  function showCounts(r: ImportResult, dry: boolean, kind: string): void {
    const would = dry ? 'would be ' : '';
    replace(
      result,
      h('h2', null, `${dry ? 'Dry run' : 'Import'} of ${kind}`),
      h(
        'dl',
        { class: 'counts' },
        h('div', null, h('dt', null, 'Rows'), h('dd', { testid: 'import-count-rows' }, int(r.rows))),
        h('div', null, h('dt', null, `${would}imported`), h('dd', { testid: 'import-count-imported' }, int(r.imported))),
        h('div', null, h('dt', null, `${would}updated`), h('dd', { testid: 'import-count-updated' }, int(r.updated))),
        h('div', null, h('dt', null, `${would}ignored`), h('dd', { testid: 'import-count-ignored' }, int(r.ignored))),
      ),
    );
    result.hidden = false;
  }

  function showErrors(errors: FieldError[]): void {
    replace(
      result,
      h('h2', null, `${int(errors.length)} error${errors.length === 1 ? '' : 's'}`),
      dataTable({
        testid: 'import-errors',
        rows: errors,
        rowTestid: () => 'import-error',
        columns: [
          { key: 'line', label: 'Line', num: true, sort: (x) => x.line ?? null, cell: (x) => (x.line ?? x.path ?? '—') as string },
          { key: 'col', label: 'Column', num: true, cell: (x) => (x.column ?? '—') as string },
          { key: 'field', label: 'Field', cell: (x) => x.field ?? '—' },
          { key: 'reason', label: 'Reason', cell: (x) => x.reason ?? '—' },
          { key: 'message', label: 'Message', cell: (x) => x.message ?? '—' },
        ],
        initialSort: { key: 'line', dir: 1 },
      }),
    );
    result.hidden = false;
  }

  const fileField = h('div', { class: 'field' }, h('label', { for: fileIn.id }, 'CSV file'), fileIn, fileInfo, clearFile);
  const textField = h('div', { class: 'field' }, h('label', { for: textIn.id }, 'CSV text'), textIn, exampleBtn);
  root.append(
    h(
      'form',
      { class: 'form card', testid: 'import-form', onsubmit: (e: Event) => { e.preventDefault(); void run(true); } },
      h('div', { class: 'field' }, h('label', { for: kindSel.id }, 'Kind'), kindSel, headerHint),
      fileField,
      textField,
      h('div', { class: 'actions' }, dryBtn, goBtn),
      msg,
    ),
    result,
  );
}
