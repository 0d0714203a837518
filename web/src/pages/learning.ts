// Whom a unit learns from: its frontier score and rank in its peer group, the peers
// that make up its point on the frontier (most weight first), the targets that would
// make it efficient (each input and output, value → target), the models of its groups
// and its learning pair.

import { h } from '../dom';
import { day, int, num, pct, period as fmtPeriod } from '../format';
import { link, navigate, withParams, type Ctx } from '../router';
import { dataTable, errorBlock, isAbort, loading, pageHeader } from '../ui';
import {
  frontierControls,
  groupSelect,
  groupText,
  learningApi,
  learningLink,
  pairGaps,
  peerGroups,
  peerQuery,
  scoreText,
  targetsTable,
  unitCell,
  type Learning,
  type PeerQuery,
} from './frontier';

export async function learningPage(ctx: Ctx): Promise<void> {
  const code = ctx.params[0];
  ctx.title(`Learning · ${code}`);
  const root = h('div', { class: 'page page-learning', testid: 'page-learning' });
  ctx.main.append(root);
  const head = pageHeader(`Whom ${code} learns from`);
  const status = loading('Computing the unit’s place on the frontier…');
  root.append(head, status);
  const q = peerQuery(ctx.query);
  const extra: { hierarchy?: string; level?: string } = {};
  if (ctx.query.get('hierarchy')) extra.hierarchy = ctx.query.get('hierarchy')!;
  if (ctx.query.get('level')) extra.level = ctx.query.get('level')!;
  let l: Learning;
  let groups: Awaited<ReturnType<typeof peerGroups>> = [];
  try {
    [l, groups] = await Promise.all([learningApi.learning(code, { ...q, ...extra }, ctx.signal), peerGroups().catch(() => [])]);
  } catch (e) {
    if (isAbort(e)) return;
    // Offer another peer group: the default one may mix units of different trades.
    const others = await peerGroups().catch(() => []);
    if (ctx.signal.aborted) return;
    status.replaceWith(
      h('div', { class: 'controls' }, groupSelect(others, q.group ?? '', (g) => navigate(withParams({ group: g || null })), { testid: 'learning-group', allowAll: true, allLabel: 'The unit’s own group (default)' }).wrap),
      errorBlock(e),
    );
    return;
  }
  if (ctx.signal.aborted) return;
  ctx.title(`Learning · ${l.unit.name}`);
  const groupCode = l.peer_group?.code ?? q.group ?? '';
  // Links keep the peer group the server used and the period it chose.
  const lq: PeerQuery = { ...q, group: groupCode || undefined, period: l.period };
  head.replaceWith(
    pageHeader(
      `Whom ${l.unit.name} learns from`,
      h(
        'p',
        { class: 'as-of' },
        h('span', { class: 'code', testid: 'learning-unit' }, l.unit.code),
        ` · peer group ${groupText(l.peer_group)} · ${fmtPeriod(l.period)} · `,
        h('a', { href: `/unit/${encodeURIComponent(l.unit.code)}`, testid: 'learning-unit-link' }, 'the unit’s fulfilment'),
        ' · ',
        h('a', { href: link('/frontier', { ...lq }), testid: 'learning-frontier-link' }, 'the whole frontier'),
      ),
    ),
  );
  const controls = h(
    'div',
    { class: 'controls' },
    groupSelect(groups, groupCode, (g) => navigate(withParams({ group: g || null })), { testid: 'learning-group', allowAll: false }).wrap,
    ...(await frontierControls(q, l.period)),
  );
  if (ctx.signal.aborted) return;

  const standing = h(
    'section',
    { class: 'card learning-score', testid: 'learning-score', 'data-score': l.score === null ? '' : String(l.score), 'data-efficient': String(l.efficient) },
    h('h2', null, 'Standing on the frontier'),
    l.scored
      ? h(
          'div',
          { class: 'kpis' },
          h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, 'Score'), h('div', { class: 'kpi-value num', testid: 'learning-score-value' }, scoreText(l.score)), h('div', { class: 'kpi-sub' }, l.efficient ? '★ efficient: an example to its peers' : `could do the same with ${pct(100 * (1 - (l.score ?? 1)))} less`)),
          h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, 'Rank'), h('div', { class: 'kpi-value num', testid: 'learning-rank' }, l.rank === null ? '—' : int(l.rank)), h('div', { class: 'kpi-sub' }, `of ${int(l.of)}`)),
        )
      : h('p', { class: 'msg msg-info', testid: 'learning-excluded' }, `Not scored: ${l.excluded_reason ?? 'no data for the period'}.`),
  );

  const peers = [...l.peers].sort((a, b) => b.share - a.share || b.lambda - a.lambda);
  const peersBox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'learning-peers-h' },
    h('h2', { id: 'learning-peers-h' }, 'Peers to learn from'),
    h('p', { class: 'muted' }, 'The efficient units whose mix makes up this unit’s point on the frontier; the share is how much of that point each one makes.'),
    dataTable({
      testid: 'learning-peers',
      rows: peers,
      rowTestid: (p) => `peer-${p.unit.code}`,
      rowAttrs: (p) => ({ 'data-code': p.unit.code, 'data-share': String(p.share), 'data-lambda': String(p.lambda) }),
      empty: l.efficient ? 'None: the unit is efficient itself.' : 'No peers.',
      columns: [
        { key: 'unit', label: 'Peer', cell: (p) => unitCell(p.unit, lq, `peer-link-${p.unit.code}`) },
        {
          key: 'share',
          label: 'Share',
          num: true,
          cell: (p) =>
            h(
              'span',
              { class: 'share' },
              h('span', { class: 'share-bar', 'aria-hidden': 'true' }, h('span', { style: `width:${Math.max(0, Math.min(1, p.share)) * 100}%` })),
              h('span', { class: 'num' }, pct(100 * p.share, 0)),
            ),
        },
        { key: 'lambda', label: 'Weight (λ)', num: true, cell: (p) => num(p.lambda) },
        { key: 'score', label: 'Its score', num: true, cell: (p) => scoreText(p.score) },
      ],
    }),
  );

  const targetsBox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'learning-targets-h', testid: 'learning-targets' },
    h('h2', { id: 'learning-targets-h' }, 'Targets'),
    h('p', { class: 'muted' }, l.efficient ? 'On the frontier: its values are the targets.' : 'What the peers’ mix achieves: the values that would put this unit on the frontier.'),
    h('h3', null, 'Inputs'),
    targetsTable(l.inputs, 'learning-inputs', 'input'),
    h('h3', null, 'Outputs'),
    targetsTable(l.outputs, 'learning-outputs', 'output'),
  );

  const modelsBox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'learning-models-h' },
    h('h2', { id: 'learning-models-h' }, 'Models of its groups'),
    dataTable({
      testid: 'learning-models',
      rows: l.models,
      rowTestid: (m) => `learning-model-${m.unit.code}`,
      empty: 'No model designated for its groups yet.',
      columns: [
        { key: 'unit', label: 'Model', cell: (m) => unitCell(m.unit, lq) },
        { key: 'group', label: 'Peer group', cell: (m) => h('a', { href: link(`/models/${encodeURIComponent(m.unit.code)}`, { group: m.peer_group?.code }) }, groupText(m.peer_group)) },
        { key: 'from', label: 'Since', cell: (m) => day(m.from) },
        { key: 'reason', label: 'Why', cell: (m) => m.reason || '—' },
      ],
    }),
  );

  const p = l.pair;
  const pairsLink = (text: string) => h('a', { href: link('/pairs', { group: groupCode || undefined }) }, text);
  const pairBox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'learning-pair-h', testid: 'learning-pair' },
    h('h2', { id: 'learning-pair-h' }, 'Learning pair'),
    p
      ? [
          h(
            'p',
            { testid: 'learning-pair-text', 'data-mentor': p.mentor.code },
            'Learns from ',
            h('a', { href: learningLink(p.mentor.code, lq) }, `${p.mentor.name || p.mentor.code} (${p.mentor.code})`),
            ` since ${day(p.from)}`,
            p.basis ? ` (${p.basis === 'assigned' ? 'assigned by the planners' : p.basis})` : '',
            p.score_at_pairing !== null ? `; score at pairing ${scoreText(p.score_at_pairing)}${p.period ? ` (${fmtPeriod(p.period)})` : ''}` : '',
            p.score_now != null && p.score_at_pairing !== null ? `, now ${scoreText(p.score_now)}${p.frontier ? ` (${p.frontier})` : ''}` : '',
            '. ',
            pairsLink('All pairs'),
          ),
          h('h3', null, 'Its gap to the mentor, at pairing → now'),
          pairGaps(p, 'learning-pair-gaps'),
        ]
      : h('p', { class: 'muted' }, 'No learning pair. ', pairsLink('Pairs of the group')),
  );

  status.replaceWith(controls, standing, peersBox, targetsBox, modelsBox, pairBox);
}
