// Learning pairs: each lagging unit with one mentor. The pairs in force with the
// learner's progress since pairing (its score, and the gap 1 - score, closing), the
// planners' rules (a pair fixed or forbidden); planners and admins propose an
// assignment (capacity per mentor, objective mix or gain), see the pairs it gives and
// apply it, and fix or forbid a pair.

import { field, h, replace, setFieldError, uid, type Child } from '../dom';
import { day, int, num, period as fmtPeriod } from '../format';
import { link, navigate, reload, withParams, type Ctx } from '../router';
import { dataTable, errorBlock, isAbort, loading, messageBox, pageHeader, type MessageBox } from '../ui';
import { canPlan } from './drives';
import {
  codeOf,
  defaultGroup,
  groupSelect,
  groupText,
  learningApi,
  listOf,
  nameOf,
  pairGaps,
  peerGroups,
  periodChoices,
  scoreText,
  unitCell,
  type Named,
  type PairInForce,
} from './frontier';

interface ProposedPair {
  mentor: Named;
  learner: Named;
  cost: number | null;
  fixed: boolean;
  learner_score: number | null;
}

interface Rule {
  mentor: Named | string;
  learner: Named | string;
  rule: string;
  note?: string | null;
  author?: string | null;
  from?: string | null;
}

const num0 = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The learner's score now (null when not scored in the month of as_of). */
function scoreNow(p: PairInForce): number | null {
  return num0(p.score_now);
}

function asNamed(v: unknown): Named {
  return { code: codeOf(v), name: nameOf(v) };
}

export async function pairsPage(ctx: Ctx): Promise<void> {
  ctx.title('Learning pairs');
  const root = h('div', { class: 'page page-pairs', testid: 'page-pairs' });
  ctx.main.append(root);
  const status = loading('Loading the pairs…');
  root.append(pageHeader('Learning pairs', h('p', { class: 'as-of' }, 'The advanced lead the backward: each lagging unit learns from one mentor of its peer group, and each mentor helps a few.')), status);
  let groups: Awaited<ReturnType<typeof peerGroups>> = [];
  try {
    groups = await peerGroups();
  } catch (e) {
    if (isAbort(e)) return;
  }
  const group = ctx.query.get('group') ?? '';
  let answer: Record<string, unknown>;
  try {
    answer = await learningApi.pairs({ group: group || undefined, as_of: ctx.query.get('as_of') || undefined }, ctx.signal);
  } catch (e) {
    if (!isAbort(e)) status.replaceWith(errorBlock(e));
    return;
  }
  if (ctx.signal.aborted) return;
  const pairs = listOf<PairInForce>(answer, 'pairs');
  const rules = listOf<Rule>(answer, 'rules');
  const sel = groupSelect(groups, group, (g) => navigate(withParams({ group: g || null })), { testid: 'pairs-group', allowAll: true, allLabel: 'Every peer group' });

  const inForce = h(
    'section',
    { class: 'card', 'aria-labelledby': 'pairs-h' },
    h('h2', { id: 'pairs-h' }, `Pairs in force (${int(pairs.length)})`),
    typeof answer.as_of === 'string' ? h('p', { class: 'muted' }, `As of ${day(answer.as_of)}. The gap is 1 − score: how far the learner is from the frontier. The gap to the mentor is on each indicator compared, in % of the mentor’s figure (positive: behind), in the period paired on and now, with its line month by month since the pair began.`) : null,
    dataTable<PairInForce>({
      testid: 'pairs-table',
      rows: pairs,
      rowTestid: (p) => `pair-${codeOf(p.mentor)}-${codeOf(p.learner)}`,
      rowAttrs: (p) => ({ 'data-mentor': codeOf(p.mentor), 'data-learner': codeOf(p.learner) }),
      empty: 'No learning pair in force.',
      columns: [
        { key: 'learner', label: 'Learner', sort: (p) => nameOf(p.learner), cell: (p) => unitCell(asNamed(p.learner), { group: p.peer_group?.code ?? (group || undefined) }) },
        { key: 'mentor', label: 'Mentor', sort: (p) => nameOf(p.mentor), cell: (p) => unitCell(asNamed(p.mentor), { group: p.peer_group?.code ?? (group || undefined) }) },
        { key: 'group', label: 'Peer group', cell: (p) => groupText(p.peer_group ?? null) },
        { key: 'from', label: 'Since', sort: (p) => p.from, cell: (p) => `${day(p.from)}${p.basis ? ` (${p.basis})` : ''}` },
        { key: 'progress', label: 'Score at pairing → now', num: true, sort: (p) => progress(p), cell: (p) => progressCell(p) },
        { key: 'gap', label: 'Gap closed', num: true, sort: (p) => progress(p), cell: (p) => gapClosed(p) },
        { key: 'gaps', label: 'Gap to the mentor at pairing → now', cell: (p) => pairGaps(p, `pair-gaps-${codeOf(p.learner)}`) },
      ],
    }),
  );
  const rulesBox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'rules-h', testid: 'pairs-rules' },
    h('h2', { id: 'rules-h' }, `Rules (${int(rules.length)})`),
    dataTable<Rule>({
      testid: 'rules-table',
      rows: rules,
      rowTestid: (r) => `rule-${codeOf(r.mentor)}-${codeOf(r.learner)}`,
      rowAttrs: (r) => ({ 'data-rule': r.rule }),
      empty: 'No pair fixed or forbidden.',
      columns: [
        { key: 'mentor', label: 'Mentor', cell: (r) => unitCell(asNamed(r.mentor), {}) },
        { key: 'learner', label: 'Learner', cell: (r) => unitCell(asNamed(r.learner), {}) },
        { key: 'rule', label: 'Rule', cell: (r) => (r.rule === 'fixed' ? '📌 fixed' : r.rule === 'forbidden' ? '⛔ forbidden' : r.rule) },
        { key: 'note', label: 'Note', cell: (r) => r.note || '—' },
        { key: 'by', label: 'By', cell: (r) => [r.author ?? '', r.from ? ` ${day(r.from)}` : ''].join('').trim() || '—' },
      ],
    }),
  );
  const assignBox = h('section', { class: 'card', 'aria-labelledby': 'assign-h', testid: 'pairs-assign' });
  const ruleBox = h('section', { class: 'card', 'aria-labelledby': 'rule-h', testid: 'pairs-rule' });
  status.replaceWith(h('div', { class: 'controls' }, sel.wrap), inForce, rulesBox, assignBox, ruleBox);
  if (!canPlan()) {
    replace(assignBox, h('h2', { id: 'assign-h' }, 'Propose pairs'), h('p', { class: 'muted', testid: 'pairs-readonly' }, 'Planners and admins propose and apply learning pairs.'));
    ruleBox.remove();
    return;
  }
  let periods: { value: string; label: string }[] = [];
  try {
    periods = await periodChoices();
  } catch {
    /* the server's default period then */
  }
  if (ctx.signal.aborted) return;
  const ruleForm = buildRuleForm(ruleBox, group);
  buildAssignForm(assignBox, groups, group || defaultGroup(groups), periods, ruleForm);
}

function progress(p: PairInForce): number | null {
  const now = scoreNow(p);
  return now !== null && p.score_at_pairing !== null ? now - p.score_at_pairing : null;
}

function progressCell(p: PairInForce): Child {
  const now = scoreNow(p);
  const d = progress(p);
  return h(
    'span',
    { class: 'num', testid: `pair-progress-${codeOf(p.learner)}` },
    `${scoreText(p.score_at_pairing)} → ${scoreText(now)}`,
    d !== null ? h('span', { class: `chg ${d > 0 ? 'chg-up' : d < 0 ? 'chg-down' : 'chg-same'}` }, ` ${d > 0 ? '▲' : d < 0 ? '▼' : '–'}${d ? num(Math.abs(d)) : ''}`) : null,
  );
}

/** How much of the gap at pairing is closed now, in %. */
function gapClosed(p: PairInForce): Child {
  const now = scoreNow(p);
  const g0 = p.gap_at_pairing ?? (p.score_at_pairing !== null ? 1 - p.score_at_pairing : null);
  const g1 = p.gap_now ?? (now !== null ? 1 - now : null);
  if (g0 === null || g1 === null) return '—';
  if (g0 <= 0) return h('span', { class: 'muted' }, 'was efficient');
  const closed = (100 * (g0 - g1)) / g0;
  return h('span', { class: 'gap-closed', title: `gap ${num(g0)} → ${num(g1)}` }, h('span', { class: 'share-bar', 'aria-hidden': 'true' }, h('span', { style: `width:${Math.max(0, Math.min(100, closed))}%` })), h('span', { class: 'num' }, `${closed >= 0 ? '' : '−'}${int(Math.abs(closed))} %`));
}

// ---- proposing an assignment -------------------------------------------------------------

interface RuleForm {
  fill(mentor: string, learner: string, rule: 'fixed' | 'forbidden'): void;
}

function buildAssignForm(box: HTMLElement, groups: Awaited<ReturnType<typeof peerGroups>>, group: string, periods: { value: string; label: string }[], ruleForm: RuleForm): void {
  const g = groupSelect(groups, group, () => {}, { testid: 'assign-group' });
  const perSel = h('select', { id: uid('per'), testid: 'assign-period' }, h('option', { value: '' }, 'The latest month'), periods.map((p) => h('option', { value: p.value }, p.label)));
  const cap = h('input', { type: 'number', id: uid('cap'), testid: 'assign-capacity', min: 1, max: 50, step: 1, value: '3', required: true });
  const obj = h('select', { id: uid('obj'), testid: 'assign-objective' }, h('option', { value: 'mix' }, 'mix: the closest input/output mix'), h('option', { value: 'gain' }, 'gain: the mentors that weigh most in its frontier point'));
  const fPer = field('Period scored', perSel, { testid: 'assign-period' });
  const fCap = field('Learners per mentor (at most)', cap, { testid: 'assign-capacity' });
  const fObj = field('Objective', obj, { testid: 'assign-objective' });
  const msg = messageBox('assign-message');
  const out = h('div', { testid: 'assign-result', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'assign-propose' }, 'Propose pairs');
  const form = h('form', { class: 'form form-wide', novalidate: true, testid: 'assign-form' }, h('div', { class: 'controls' }, g.wrap, fPer.wrap, fCap.wrap, fObj.wrap), h('div', { class: 'actions' }, submit), msg);
  const body = () => ({ peer_group: g.select.value, period: perSel.value || undefined, capacity: Number(cap.value), objective: obj.value });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setFieldError(fCap, null);
    msg.hide();
    const c = Number(cap.value);
    if (!Number.isInteger(c) || c < 1) {
      setFieldError(fCap, 'A whole number, 1 or more.');
      return;
    }
    submit.disabled = true;
    try {
      const r = await learningApi.assign({ ...body(), apply: false });
      showProposal(out, r, body, msg, ruleForm);
    } catch (e) {
      msg.showError(e);
    } finally {
      submit.disabled = false;
    }
  });
  replace(box, h('h2', { id: 'assign-h' }, 'Propose pairs'), h('p', { class: 'muted' }, 'Each mentor helps at most the given number of learners; as many learners as possible are paired, with the best total (not one by one). The fixed pairs are kept and the forbidden ones avoided.'), form, out);
}

function showProposal(out: HTMLElement, r: Record<string, unknown>, body: () => { peer_group: string; period?: string; capacity: number; objective: string }, msg: MessageBox, ruleForm: RuleForm): void {
  const pairs = listOf<ProposedPair>(r, 'pairs');
  const unpaired = listOf<unknown>(r, 'unpaired');
  const mentors = listOf<unknown>(r, 'mentors');
  const apply = h('button', { type: 'button', class: 'btn btn-primary', testid: 'assign-apply', disabled: !pairs.length }, `Apply: store ${int(pairs.length)} pairs`);
  const applyMsg = messageBox('apply-message');
  apply.addEventListener('click', async () => {
    apply.disabled = true;
    applyMsg.hide();
    try {
      const a = await learningApi.assign({ ...body(), apply: true, from: typeof r.from === 'string' ? r.from : undefined });
      applyMsg.show('ok', `${int(listOf(a, 'pairs').length)} pairs stored${typeof a.from === 'string' ? ` from ${day(a.from)}` : ''}.`);
      const pg = body().peer_group;
      setTimeout(() => navigate(link('/pairs', { group: pg || undefined })), 600);
    } catch (e) {
      applyMsg.showError(e);
      apply.disabled = false;
    }
  });
  msg.hide();
  out.hidden = false;
  replace(
    out,
    h('h3', null, 'Proposed pairs'),
    h(
      'p',
      { class: 'muted', testid: 'assign-summary' },
      `${groupText(typeof r.peer_group === 'object' ? (r.peer_group as Named) : String(r.peer_group ?? ''))}, ${typeof r.period === 'string' ? fmtPeriod(r.period) : ''}: ${int(pairs.length)} pairs, ${int(mentors.length)} mentors, ${int(unpaired.length)} unpaired`,
      typeof r.total_cost === 'number' ? `, total cost ${num(r.total_cost)}` : '',
      typeof r.from === 'string' ? `; from ${day(r.from)} once applied.` : '.',
    ),
    dataTable<ProposedPair>({
      testid: 'proposed-table',
      rows: pairs,
      rowTestid: (p) => `proposed-${codeOf(p.mentor)}-${codeOf(p.learner)}`,
      rowAttrs: (p) => ({ 'data-mentor': codeOf(p.mentor), 'data-learner': codeOf(p.learner) }),
      empty: 'No pair: no lagging unit, or no mentor.',
      columns: [
        { key: 'learner', label: 'Learner', sort: (p) => nameOf(p.learner), cell: (p) => unitCell(asNamed(p.learner), { group: body().peer_group || undefined }) },
        { key: 'score', label: 'Its score', num: true, sort: (p) => p.learner_score, cell: (p) => scoreText(p.learner_score) },
        { key: 'mentor', label: 'Mentor', sort: (p) => nameOf(p.mentor), cell: (p) => unitCell(asNamed(p.mentor), { group: body().peer_group || undefined }) },
        { key: 'cost', label: 'Cost', num: true, sort: (p) => p.cost, cell: (p) => h('span', null, num(p.cost), p.fixed ? h('span', { class: 'muted' }, ' 📌 fixed') : null) },
        {
          key: 'act',
          label: '',
          cell: (p) =>
            h(
              'span',
              { class: 'row-actions' },
              h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => ruleForm.fill(codeOf(p.mentor), codeOf(p.learner), 'fixed') }, 'Fix…'),
              h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => ruleForm.fill(codeOf(p.mentor), codeOf(p.learner), 'forbidden') }, 'Forbid…'),
            ),
        },
      ],
    }),
    unpaired.length ? h('p', { class: 'muted', testid: 'assign-unpaired' }, `Unpaired: ${unpaired.map((u) => codeOf(u)).join(', ')}`) : null,
    h('div', { class: 'actions' }, apply),
    applyMsg,
  );
}

// ---- fixing or forbidding a pair --------------------------------------------------------

function buildRuleForm(box: HTMLElement, group: string): RuleForm {
  const mentor = h('input', { type: 'text', id: uid('mentor'), testid: 'rule-mentor', required: true, autocomplete: 'off', placeholder: 'U00017' });
  const learner = h('input', { type: 'text', id: uid('learner'), testid: 'rule-learner', required: true, autocomplete: 'off', placeholder: 'U00230' });
  const rule = h('select', { id: uid('rule'), testid: 'rule-kind' }, h('option', { value: 'fixed' }, 'fixed: always pair them'), h('option', { value: 'forbidden' }, 'forbidden: never pair them'), h('option', { value: 'none' }, 'none: withdraw the rule'));
  const note = h('input', { type: 'text', id: uid('note'), testid: 'rule-note', autocomplete: 'off', placeholder: 'Why' });
  const fM = field('Mentor (unit code)', mentor, { testid: 'rule-mentor' });
  const fL = field('Learner (unit code)', learner, { testid: 'rule-learner' });
  const fR = field('Rule', rule, { testid: 'rule-kind' });
  const fN = field('Note', note, { testid: 'rule-note' });
  const msg = messageBox('rule-message');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'rule-submit' }, 'Store the rule');
  const form = h('form', { class: 'form form-wide', novalidate: true, testid: 'rule-form' }, h('div', { class: 'controls' }, fM.wrap, fL.wrap, fR.wrap, fN.wrap), h('div', { class: 'actions' }, submit), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setFieldError(fM, null);
    setFieldError(fL, null);
    msg.hide();
    let bad = false;
    if (!mentor.value.trim()) {
      setFieldError(fM, 'A unit code.');
      bad = true;
    }
    if (!learner.value.trim()) {
      setFieldError(fL, 'A unit code.');
      bad = true;
    }
    if (bad) return;
    submit.disabled = true;
    try {
      await learningApi.rule({ mentor: mentor.value.trim(), learner: learner.value.trim(), rule: rule.value as 'fixed' | 'forbidden' | 'none', note: note.value.trim() || undefined });
      msg.show('ok', `Stored: ${mentor.value.trim()} → ${learner.value.trim()} ${rule.value}.`);
      setTimeout(reload, 600);
    } catch (e) {
      msg.showError(e);
    } finally {
      submit.disabled = false;
    }
  });
  replace(box, h('h2', { id: 'rule-h' }, 'Fix or forbid a pair'), h('p', { class: 'muted' }, `A fixed pair is kept by every assignment; a forbidden one is never proposed${group ? ` (rules hold in every peer group)` : ''}.`), form);
  return {
    fill: (m, l, r) => {
      mentor.value = m;
      learner.value = l;
      rule.value = r;
      box.scrollIntoView({ block: 'nearest' });
      note.focus();
    },
  };
}
