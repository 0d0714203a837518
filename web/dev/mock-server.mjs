#!/usr/bin/env node
// A mock of the chollima HTTP API, for developing and testing the dashboard
// without the C++ server. Development only: it follows the contract in
// web/README.md, keeps everything in memory, and listens on 127.0.0.1 only.
//
//   node dev/mock-server.mjs [--port 8090] [--units 10000] [--as-of 2026-11-20] [--tick-ms 0]
//
// It serves dist/ at / (unknown non-/api paths answer index.html) and prints
// "listening on http://127.0.0.1:PORT" once ready (--port 0 picks a free port).
// Users: admin/admin-pass, planner/planner-pass (region/P01), reporter/reporter-pass
// (units U00003, U00019), viewer/viewer-pass.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(here, '..', 'dist');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}
const PORT = Number(arg('port', process.env.MOCK_PORT ?? 8090));
const N_UNITS = Number(arg('units', process.env.MOCK_UNITS ?? 10000));
const AS_OF = arg('as-of', process.env.MOCK_AS_OF ?? '2026-11-20');
const TICK_MS = Number(arg('tick-ms', process.env.MOCK_TICK_MS ?? 0));
const YEAR = 2026;

// ---- deterministic pseudo-random ------------------------------------------------
function rnd(a, b = 0, c = 0) {
  let x = Math.imul(a | 0, 374761393) ^ Math.imul(b | 0, 668265263) ^ Math.imul(c | 0, 1442695041);
  x = Math.imul(x ^ (x >>> 13), 1274126177);
  x ^= x >>> 16;
  x = Math.imul(x ^ (x >>> 15), 2246822519);
  x ^= x >>> 13;
  return (x >>> 0) / 4294967296;
}

// ---- calendar ---------------------------------------------------------------------
const DAY_MS = 86400000;
const Y0 = Date.UTC(YEAR, 0, 1);
const dayIndex = (iso) => Math.round((Date.parse(`${iso}T00:00:00Z`) - Y0) / DAY_MS);
const isoOf = (i) => new Date(Y0 + i * DAY_MS).toISOString().slice(0, 10);
const DAYS_IN_YEAR = 365;
const MONTH_START = Array.from({ length: 13 }, (_, m) => (m === 12 ? DAYS_IN_YEAR : dayIndex(`${YEAR}-${String(m + 1).padStart(2, '0')}-01`)));
const monthOfDay = (i) => {
  for (let m = 0; m < 12; m += 1) if (i < MONTH_START[m + 1]) return m;
  return 11;
};
let asOfIdx = dayIndex(AS_OF);

// ---- structure --------------------------------------------------------------------
const PROVINCES = [
  ['P01', 'South Phyongan (평안남도)'], ['P02', 'North Phyongan (평안북도)'], ['P03', 'Chagang (자강도)'],
  ['P04', 'South Hwanghae (황해남도)'], ['P05', 'North Hwanghae (황해북도)'], ['P06', 'Kangwon (강원도)'],
  ['P07', 'South Hamgyong (함경남도)'], ['P08', 'North Hamgyong (함경북도)'], ['P09', 'Ryanggang (량강도)'],
  ['P10', 'Pyongyang (평양)'],
];
const PLACES = ['Hyangchang', 'Angye', 'Pungdo', 'Yonggye', 'Sunchon', 'Kaechon', 'Tokchon', 'Anju', 'Pukchang', 'Hwasan',
  'Chongjin', 'Kimchaek', 'Hamhung', 'Sinpo', 'Tanchon', 'Haeju', 'Sariwon', 'Wonsan', 'Nampho', 'Kanggye', 'Hyesan',
  'Rason', 'Songrim', 'Unsan', 'Kusong', 'Huichon', 'Manpo', 'Chonma', 'Sinuiju', 'Onchon', 'Ryongchon', 'Taechon'];
const SECTORS = [
  { code: 'coal', name: 'Coal industry', out: 'coal_output', noun: 'Coal Mine', weight: 9, daily: 600, branches: [['coal-anthracite', 'Anthracite'], ['coal-lignite', 'Lignite']] },
  { code: 'cement', name: 'Cement industry', out: 'cement_output', noun: 'Cement Factory', weight: 5, daily: 800, branches: [['cement-clinker', 'Clinker'], ['cement-mixing', 'Mixing']] },
  { code: 'metallurgy', name: 'Metallurgical industry', out: 'steel_output', noun: 'Steel Complex', weight: 5, daily: 650, branches: [['metallurgy-iron', 'Iron'], ['metallurgy-steel', 'Steel']] },
  { code: 'power', name: 'Electric power industry', out: 'power_output', noun: 'Power Station', weight: 3, daily: 3300, branches: [['power-thermal', 'Thermal'], ['power-hydro', 'Hydro']] },
  { code: 'chemicals', name: 'Chemical industry', out: 'chemicals_output', noun: 'Chemical Works', weight: 6, daily: 300, branches: [['chemicals-fertilizer', 'Fertilizer'], ['chemicals-vinalon', 'Vinalon']] },
  { code: 'machine', name: 'Machine-building industry', out: 'machine_output', noun: 'Machine Plant', weight: 10, daily: 19, branches: [['machine-tools', 'Machine tools'], ['machine-vehicles', 'Vehicles']] },
  { code: 'light', name: 'Light industry', out: 'light_output', noun: 'Textile Mill', weight: 20, daily: 12800, branches: [['light-textile', 'Textiles'], ['light-food', 'Foodstuffs']] },
  { code: 'agriculture', name: 'Agriculture', out: 'grain_output', noun: 'Cooperative Farm', weight: 30, daily: 400, branches: [['agriculture-grain', 'Grain'], ['agriculture-livestock', 'Livestock']] },
  { code: 'construction', name: 'Construction', out: 'construction_output', noun: 'Construction Brigade', weight: 12, daily: 900, branches: [['construction-housing', 'Housing'], ['construction-industrial', 'Industrial']] },
];

const INDICATORS = [
  ['coal_output', 'Coal output', 't'], ['cement_output', 'Cement output', 't'], ['steel_output', 'Steel output', 't'],
  ['power_output', 'Electric power output', 'MWh'], ['chemicals_output', 'Chemical products output', 't'],
  ['machine_output', 'Machines produced', 'units'], ['light_output', 'Cloth output', 'm'], ['grain_output', 'Grain output', 't'],
  ['construction_output', 'Floor space built', 'm2'],
].map(([code, name, measure]) => ({ code, name, measure, direction: 'higher', aggregation: 'sum', role: 'output', grain: 'day', numerator: null, denominator: null }));
INDICATORS.push(
  { code: 'workers', name: 'Workers', measure: 'persons', direction: 'higher', aggregation: 'mean', role: 'input', grain: 'day', numerator: null, denominator: null },
  { code: 'energy', name: 'Energy consumed', measure: 'MWh', direction: 'lower', aggregation: 'sum', role: 'input', grain: 'day', numerator: null, denominator: null },
  { code: 'quality', name: 'First-grade share of output', measure: '%', direction: 'higher', aggregation: 'mean', role: 'quality', grain: 'day', numerator: null, denominator: null },
);
for (const s of SECTORS) {
  const out = INDICATORS.find((i) => i.code === s.out);
  INDICATORS.push(
    { code: `${s.code}_per_worker`, name: `${out.name} per worker`, measure: `${out.measure}/person`, direction: 'higher', aggregation: 'sum', role: 'output', grain: 'day', numerator: s.out, denominator: 'workers' },
    { code: `${s.code}_energy_intensity`, name: `Energy per unit of ${out.name}`, measure: `MWh/${out.measure}`, direction: 'lower', aggregation: 'sum', role: 'input', grain: 'day', numerator: 'energy', denominator: s.out },
  );
}
const IND = new Map(INDICATORS.map((i) => [i.code, i]));
const PLANNED = [...SECTORS.map((s) => s.out), 'energy', 'quality'];

// groups: hierarchy → code → {code, name, parent, depth}
const groups = { region: new Map(), sector: new Map() };
for (const [code, name] of PROVINCES) {
  groups.region.set(code, { hierarchy: 'region', code, name, parent: null, depth: 1, units: 0 });
  for (let c = 1; c <= 20; c += 1) {
    const cc = `${code}-C${String(c).padStart(2, '0')}`;
    const place = PLACES[Math.floor(rnd(Number(code.slice(1)), c, 7) * PLACES.length)];
    groups.region.set(cc, { hierarchy: 'region', code: cc, name: `${place} County`, parent: code, depth: 2, units: 0 });
  }
}
for (const s of SECTORS) {
  groups.sector.set(s.code, { hierarchy: 'sector', code: s.code, name: s.name, parent: null, depth: 1, units: 0 });
  for (const [bc, bn] of s.branches) groups.sector.set(bc, { hierarchy: 'sector', code: bc, name: bn, parent: s.code, depth: 2, units: 0 });
}
const HIER_LEVELS = { region: 2, sector: 2 };

// units
const TOTAL_W = SECTORS.reduce((a, s) => a + s.weight, 0);
const units = [];
const unitByCode = new Map();
const counties = [...groups.region.values()].filter((g) => g.depth === 2);
for (let i = 1; i <= N_UNITS; i += 1) {
  let r = rnd(i, 1) * TOTAL_W;
  let si = 0;
  while (r > SECTORS[si].weight) { r -= SECTORS[si].weight; si += 1; }
  const s = SECTORS[Math.min(si, SECTORS.length - 1)];
  const county = counties[Math.floor(rnd(i, 2) * counties.length)];
  const branch = s.branches[Math.floor(rnd(i, 3) * s.branches.length)][0];
  const code = `U${String(i).padStart(5, '0')}`;
  const place = PLACES[Math.floor(rnd(i, 4) * PLACES.length)];
  const u = {
    idx: i,
    code,
    name: `${place} ${s.noun}${rnd(i, 5) < 0.5 ? '' : ` No. ${1 + Math.floor(rnd(i, 6) * 9)}`}`,
    sector: s,
    groups: { region: county.code, sector: branch },
    capacity: 0.5 + rnd(i, 8) * 1.5,
    skill: 0.93 + rnd(i, 9) * 0.17, // < 1 lags, > 1 overfulfils
    workers: Math.round(50 + rnd(i, 10) * 900),
    slots: [s.out, 'energy', 'quality'],
  };
  units.push(u);
  unitByCode.set(code, u);
  groups.region.get(county.code).units += 1;
  groups.region.get(county.parent).units += 1;
  groups.sector.get(branch).units += 1;
  groups.sector.get(s.code).units += 1;
}
function ancestors(hier, code) {
  const out = [];
  let g = groups[hier].get(code);
  while (g) { out.unshift(g.code); g = g.parent ? groups[hier].get(g.parent) : null; }
  return out; // root first
}
for (const u of units) u.paths = { region: ancestors('region', u.groups.region), sector: ancestors('sector', u.groups.sector) };

// ---- values -----------------------------------------------------------------------
function dailyPlan(u, ind) {
  if (ind === 'quality') return 90;
  if (ind === 'energy') return Math.round(u.sector.daily * u.capacity * 0.05 * 10) / 10;
  return Math.round(u.sector.daily * u.capacity * 10) / 10;
}
function baseValue(u, slot, d) {
  const ind = u.slots[slot];
  const season = 1 + 0.06 * Math.sin(((d + u.idx) / 365) * 2 * Math.PI);
  const noise = 0.86 + 0.28 * rnd(u.idx, slot + 11, d);
  if (ind === 'quality') return Math.round((84 + 12 * rnd(u.idx, 31, d) * u.skill ** 3) * 10) / 10;
  if (ind === 'energy') return Math.round(dailyPlan(u, ind) * (2 - u.skill) * noise * 10) / 10;
  return Math.round(dailyPlan(u, ind) * u.skill * season * noise * 10) / 10;
}
// corrections: "unit|indicator|date" → [{seq, value, author, recorded_at, kind, source}]
const revisions = new Map();
const keys = new Map();
const revised = new Set(); // unit index * 3 + slot, for the unit-slots that have revisions
const ISO = Array.from({ length: DAYS_IN_YEAR + 1 }, (_, i) => isoOf(i));
function valueOn(u, slot, d) {
  if (revised.has((u.idx - 1) * 3 + slot)) {
    const revs = revisions.get(`${u.code}|${u.slots[slot]}|${ISO[d] ?? isoOf(d)}`);
    if (revs) return revs[revs.length - 1].value;
  }
  return d <= asOfIdx ? baseValue(u, slot, d) : null;
}
// monthly sums and counts of reported days, per unit and slot
const msum = new Float64Array(N_UNITS * 3 * 12);
const mcnt = new Uint16Array(N_UNITS * 3 * 12);
const t0 = Date.now();
for (let k = 0; k < units.length; k += 1) {
  const u = units[k];
  for (let s = 0; s < 3; s += 1) {
    for (let d = 0; d <= Math.min(asOfIdx, DAYS_IN_YEAR - 1); d += 1) {
      const m = monthOfDay(d);
      msum[(k * 3 + s) * 12 + m] += baseValue(u, s, d);
      mcnt[(k * 3 + s) * 12 + m] += 1;
    }
  }
}
console.error(`mock: ${N_UNITS} units, values up to ${AS_OF}, built in ${Date.now() - t0} ms`);

// ---- fulfilment -------------------------------------------------------------------
function parsePeriod(p) {
  let m;
  if ((m = /^(\d{4})$/.exec(p))) return Number(m[1]) === YEAR ? { id: p, from: 0, to: DAYS_IN_YEAR - 1 } : { id: p, from: 1e6, to: 1e6 - 1 };
  if ((m = /^(\d{4})-?(\d{2})$/.exec(p))) {
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) return null;
    if (Number(m[1]) !== YEAR) return { id: `${m[1]}-${m[2]}`, from: 1e6, to: 1e6 - 1 };
    return { id: `${m[1]}-${m[2]}`, from: MONTH_START[mo - 1], to: MONTH_START[mo] - 1 };
  }
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p))) {
    const d = dayIndex(p);
    return { id: p, from: d, to: d };
  }
  return null;
}

/** plan, actual, reported days of a unit's slot in [from, to] up to asOf. */
function unitFigures(k, slot, per, asOf) {
  const u = units[k];
  const ind = IND.get(u.slots[slot]);
  const dp = dailyPlan(u, ind.code);
  const days = per.to - per.from + 1;
  if (days <= 0) return null;
  const upto = Math.min(per.to, asOf);
  const elapsed = Math.max(0, upto - per.from + 1);
  let sum = 0;
  let cnt = 0;
  if (elapsed > 0) {
    const fm = monthOfDay(per.from);
    const lm = monthOfDay(upto);
    if (per.from === MONTH_START[fm] && (upto === MONTH_START[lm + 1] - 1 || upto === asOfIdx) && upto <= asOfIdx) {
      // whole months (the as_of month holds the sums up to as_of)
      for (let m = fm; m <= lm; m += 1) {
        sum += msum[(k * 3 + slot) * 12 + m];
        cnt += mcnt[(k * 3 + slot) * 12 + m];
      }
    } else {
      for (let d = per.from; d <= upto; d += 1) {
        const v = valueOn(u, slot, d);
        if (v !== null) { sum += v; cnt += 1; }
      }
    }
  }
  const mean = ind.aggregation === 'mean';
  return {
    ind,
    plan: mean ? dp : dp * days,
    planToDate: mean ? dp : dp * elapsed,
    actual: cnt ? (mean ? sum / cnt : sum) : null,
    days: cnt,
    elapsed,
    total: days,
  };
}

function statusOf(ind, plan, planToDate, actual, elapsed, total) {
  if (plan === null || plan === 0) return 'no_plan';
  if (actual === null) return 'no_report';
  const higher = ind.direction !== 'lower';
  const finished = elapsed >= total;
  const better = higher ? actual > plan * (1 + 1e-9) : actual < plan * (1 - 1e-9);
  const equal = Math.abs(actual - plan) <= Math.abs(plan) * 1e-9;
  if (finished) return better ? 'overfulfilled' : equal ? 'fulfilled' : 'behind';
  if (higher && ind.aggregation === 'sum' && actual >= plan) return 'overfulfilled';
  const pace = higher ? actual / planToDate : planToDate / actual;
  if (pace >= 1) return 'on_track';
  if (pace >= 0.95) return 'at_risk';
  return 'behind';
}

function makeRow(kind, target, name, ind, plan, planToDate, actual, days, elapsed, total) {
  const higher = ind.direction !== 'lower';
  const percent = plan && actual !== null ? (100 * actual) / plan : null;
  const pace = plan && actual !== null && planToDate ? (higher ? actual / planToDate : planToDate / actual) : null;
  const forecast = actual === null ? null : ind.aggregation === 'mean' || elapsed === 0 ? actual : (actual / elapsed) * total;
  return {
    kind, target, name, indicator: ind.code, plan, actual, percent, plan_to_date: planToDate, pace, forecast,
    status: statusOf(ind, plan, planToDate, actual, elapsed, total), reported_days: days,
    units: null, with_plan: null, overfulfilled: null, fulfilled: null, on_track: null, at_risk: null, behind: null, plan_difference: null,
  };
}

function unitRow(k, slot, per, asOf) {
  const f = unitFigures(k, slot, per, asOf);
  if (!f) return null;
  const u = units[k];
  return makeRow('unit', u.code, u.name, f.ind, f.plan, f.planToDate, f.actual, f.days, f.elapsed, f.total);
}

function aggregate(kind, target, name, ind, members, per, asOf, unitCount) {
  let plan = 0, ptd = 0, act = 0, days = 0, n = 0, withData = 0;
  const counts = { overfulfilled: 0, fulfilled: 0, on_track: 0, at_risk: 0, behind: 0 };
  let elapsed = 0, total = 0;
  for (const [k, slot] of members) {
    const f = unitFigures(k, slot, per, asOf);
    if (!f) continue;
    elapsed = f.elapsed;
    total = f.total;
    plan += f.plan;
    ptd += f.planToDate;
    if (f.actual !== null) { act += f.actual; withData += 1; }
    days += f.days;
    n += 1;
    const st = statusOf(f.ind, f.plan, f.planToDate, f.actual, f.elapsed, f.total);
    if (st in counts) counts[st] += 1;
  }
  if (!n) return null;
  const mean = ind.aggregation === 'mean';
  const r = makeRow(kind, target, name, ind, mean ? plan / n : plan, mean ? ptd / n : ptd, withData ? (mean ? act / withData : act) : null, days, elapsed, total);
  Object.assign(r, { units: unitCount, with_plan: n, ...counts });
  return r;
}

function fulfilment(q) {
  const per = parsePeriod(q.period ?? '');
  if (!per) throw apiError(400, 'invalid_argument', `period: '${q.period ?? ''}' is not a period`);
  const asOf = q.as_of ? dayIndex(q.as_of) : asOfIdx;
  if (q.as_of && !/^\d{4}-\d{2}-\d{2}$/.test(q.as_of)) throw apiError(400, 'invalid_argument', `as_of: '${q.as_of}' is not a day`);
  if (q.indicator && !IND.has(q.indicator)) throw apiError(422, 'not_found', `indicator: no indicator '${q.indicator}'`);
  let byH = null, level = 1;
  if (q.by) {
    const [hh, lv] = q.by.split(':');
    if (!groups[hh]) throw apiError(422, 'not_found', `by: no hierarchy '${hh}'`);
    byH = hh;
    level = lv ? Number(lv) : 1;
    if (!(level >= 1 && level <= HIER_LEVELS[hh])) throw apiError(400, 'invalid_argument', `by: level ${lv} out of range`);
  }
  let members = units.map((_, k) => k);
  if (q.within) {
    const [wh, wc] = q.within.split('/');
    if (!groups[wh] || !groups[wh].has(wc)) throw apiError(422, 'not_found', `within: no group '${q.within}'`);
    members = members.filter((k) => units[k].paths[wh].includes(wc));
  }
  const inds = q.indicator ? [q.indicator] : PLANNED;
  const rows = [];
  const slotOf = (k, ic) => units[k].slots.indexOf(ic);
  if (!byH || q.units === 'true' || q.units === '') {
    for (const k of members) for (const ic of inds) {
      const s = slotOf(k, ic);
      if (s >= 0) { const r = unitRow(k, s, per, asOf); if (r) rows.push(r); }
    }
    if (!byH) return { period: per.id, as_of: isoOf(asOf), rows };
  }
  const byGroup = new Map();
  for (const k of members) {
    const g = units[k].paths[byH][level - 1];
    if (!g) continue;
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g).push(k);
  }
  for (const g of [...byGroup.keys()].sort()) {
    const ks = byGroup.get(g);
    for (const ic of inds) {
      const mem = ks.map((k) => [k, slotOf(k, ic)]).filter(([, s]) => s >= 0);
      const r = aggregate('group', `${byH}/${g}`, groups[byH].get(g).name, IND.get(ic), mem, per, asOf, ks.length);
      if (r) rows.push(r);
    }
  }
  for (const ic of inds) {
    const mem = members.map((k) => [k, slotOf(k, ic)]).filter(([, s]) => s >= 0);
    const r = aggregate('total', '*', '(all units)', IND.get(ic), mem, per, asOf, members.length);
    if (r) rows.push(r);
  }
  return { period: per.id, as_of: isoOf(asOf), rows };
}

// ---- sessions and users -------------------------------------------------------------
const USERS = {
  admin: { password: 'admin-pass', role: 'admin', scope: null, units: [] },
  planner: { password: 'planner-pass', role: 'planner', scope: 'region/P01', units: [] },
  reporter: { password: 'reporter-pass', role: 'reporter', scope: null, units: ['U00003', 'U00019'] },
  viewer: { password: 'viewer-pass', role: 'viewer', scope: null, units: [] },
};
const sessions = new Map(); // sid → {name, csrf}
const failures = new Map(); // name → [timestamps]

function publicUser(name) {
  const u = USERS[name];
  return { name, role: u.role, scope: u.scope, units: u.units };
}

// ---- HTTP helpers ----------------------------------------------------------------------
function apiError(status, code, message, errors) {
  const e = new Error(message);
  e.status = status;
  e.code = code;
  e.errors = errors;
  return e;
}
function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}
function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      if (n > limit) reject(apiError(413, 'payload_too_large', 'request body over 1 MiB'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

// ---- events (SSE) ------------------------------------------------------------------------
const sseClients = new Set();
let eventId = 0;
const recent = [];
function emit(type, data) {
  eventId += 1;
  const msg = `id: ${eventId}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  recent.push({ id: eventId, msg });
  if (recent.length > 200) recent.shift();
  for (const c of sseClients) c.write(msg);
}

// ---- reports --------------------------------------------------------------------------------
function applyReport(item, user, idx, path) {
  const errors = [];
  const p = (f) => (path ? `${path}.${f}` : `$.${f}`);
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    return { errors: [{ path: path || '$', field: '', reason: 'not_an_object', message: 'a report is an object {unit, indicator, date, value}' }] };
  }
  const u = unitByCode.get(item.unit);
  if (typeof item.unit !== 'string' || !item.unit) errors.push({ path: p('unit'), field: 'unit', reason: 'required', message: 'unit is required' });
  else if (!u) errors.push({ path: p('unit'), field: 'unit', reason: 'not_found', message: `no unit '${item.unit}'` });
  const ind = IND.get(item.indicator);
  if (!ind) errors.push({ path: p('indicator'), field: 'indicator', reason: 'not_found', message: `no indicator '${item.indicator ?? ''}'` });
  else if (ind.numerator) errors.push({ path: p('indicator'), field: 'indicator', reason: 'derived', message: `${ind.code} is derived; report its parts` });
  else if (u && !u.slots.includes(ind.code)) errors.push({ path: p('indicator'), field: 'indicator', reason: 'not_assigned', message: `${u.code} has no plan for ${ind.code}` });
  const d = typeof item.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(item.date) ? dayIndex(item.date) : NaN;
  if (!Number.isFinite(d)) errors.push({ path: p('date'), field: 'date', reason: 'invalid', message: `'${item.date ?? ''}' is not a day (YYYY-MM-DD)` });
  else if (d < 0 || d >= DAYS_IN_YEAR) errors.push({ path: p('date'), field: 'date', reason: 'out_of_range', message: `${item.date} is outside the plan year ${YEAR}` });
  if (typeof item.value !== 'number' || !Number.isFinite(item.value)) errors.push({ path: p('value'), field: 'value', reason: 'not_a_number', message: 'value must be a number' });
  else if (item.value < 0) errors.push({ path: p('value'), field: 'value', reason: 'negative', message: 'value must not be negative' });
  else if (item.value > 1e9) errors.push({ path: p('value'), field: 'value', reason: 'implausible', message: 'value is implausibly large (over 1e9)' });
  if (errors.length) return { errors };
  if (user.role === 'reporter' && !USERS[user.name].units.includes(u.code)) return { forbidden: `${user.name} does not report for ${u.code}` };
  if (user.role === 'viewer') return { forbidden: 'viewers cannot report' };
  return { ok: { u, ind, d, value: item.value, key: item.key } };
}

function commitReport(r, author) {
  const { u, ind, d, value, key } = r;
  const k = units.indexOf(u);
  const slot = u.slots.indexOf(ind.code);
  const dateIso = isoOf(d);
  if (key) {
    const sig = `${u.code}|${ind.code}|${dateIso}|${value}`;
    if (keys.has(key)) {
      if (keys.get(key) === sig) return 'ignored';
      throw apiError(409, 'failed_precondition', `key ${key} was used for another report`);
    }
    keys.set(key, sig);
  }
  const month = monthOfDay(d);
  const per = { id: dateIso.slice(0, 7), from: MONTH_START[month], to: MONTH_START[month + 1] - 1 };
  const before = unitRow(k, slot, per, asOfIdx);
  const old = valueOn(u, slot, d);
  if (old === value) return 'ignored';
  const rk = `${u.code}|${ind.code}|${dateIso}`;
  if (!revisions.has(rk)) revisions.set(rk, old === null ? [] : [{ seq: 1, value: old, author: 'demo', recorded_at: `${dateIso}T18:00:00Z`, kind: 'report', source: 'demo' }]);
  const list = revisions.get(rk);
  revised.add(k * 3 + slot);
  list.push({ seq: list.length + 1, value, author, recorded_at: new Date().toISOString(), kind: old === null ? 'report' : 'correction', source: 'api' });
  if (d <= asOfIdx) {
    msum[(k * 3 + slot) * 12 + month] += value - (old ?? 0);
    if (old === null) mcnt[(k * 3 + slot) * 12 + month] += 1;
  }
  const after = unitRow(k, slot, per, asOfIdx);
  if (before && after && before.status !== after.status) {
    emit('status', { unit: u.code, indicator: ind.code, period: per.id, from: before.status, to: after.status, percent: after.percent, at: new Date().toISOString() });
  }
  return old === null ? 'imported' : 'updated';
}

function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false, line = 1, rowLine = 1;
  const src = text.replace(/^\ufeff/, '');
  for (let i = 0; i < src.length; i += 1) {
    const c = src[i];
    if (q) {
      if (c === '"' && src[i + 1] === '"') { cell += '"'; i += 1; }
      else if (c === '"') q = false;
      else { if (c === '\n') line += 1; cell += c; }
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i += 1;
      row.push(cell);
      if (row.some((x) => x !== '')) rows.push({ line: rowLine, cells: row });
      row = []; cell = ''; line += 1; rowLine = line;
    } else cell += c;
  }
  row.push(cell);
  if (row.some((x) => x !== '')) rows.push({ line: rowLine, cells: row });
  return rows;
}

const IMPORT_HEADERS = {
  groups: ['hierarchy', 'code', 'name', 'parent'],
  units: ['code', 'name'],
  memberships: ['unit', 'hierarchy', 'group', 'from'],
  indicators: ['code', 'name', 'measure', 'direction', 'aggregation', 'role', 'numerator', 'denominator'],
  plans: ['target', 'indicator', 'period', 'value'],
  reports: ['unit', 'indicator', 'date', 'value'],
  calendar: ['date', 'kind'],
  profiles: ['profile', 'month', 'weight'],
};

function importCsv(kind, text, dryRun, user) {
  if (!IMPORT_HEADERS[kind]) throw apiError(404, 'route_not_found', `no import kind '${kind}'`);
  if (user.role === 'viewer') throw apiError(403, 'permission_denied', 'viewers cannot import');
  if (user.role === 'reporter' && kind !== 'reports') throw apiError(403, 'permission_denied', `reporters may import reports only, not ${kind}`);
  const rows = parseCsv(text);
  if (!rows.length) throw apiError(422, 'invalid_data', 'the file is empty', [{ line: 1, column: 1, field: '', reason: 'empty', message: 'no header line' }]);
  const header = rows[0].cells.map((h) => h.trim().toLowerCase());
  const errors = [];
  const need = IMPORT_HEADERS[kind];
  need.forEach((h, i) => {
    if (!header.includes(h)) errors.push({ line: rows[0].line, column: i + 1, field: h, reason: 'missing_column', message: `the header has no column '${h}'` });
  });
  if (errors.length) throw apiError(422, 'invalid_data', `${errors.length} error(s) in the header`, errors);
  const col = (name) => header.indexOf(name);
  const good = [];
  for (const r of rows.slice(1)) {
    if (r.cells.length !== header.length) {
      errors.push({ line: r.line, column: Math.min(r.cells.length, header.length) + 1, field: '', reason: 'field_count', message: `${r.cells.length} fields, the header has ${header.length}` });
      continue;
    }
    if (kind === 'reports') {
      const item = { unit: r.cells[col('unit')].trim(), indicator: r.cells[col('indicator')].trim(), date: r.cells[col('date')].trim(), value: r.cells[col('value')].trim() === '' ? NaN : Number(r.cells[col('value')]) };
      if (col('key') >= 0 && r.cells[col('key')]) item.key = r.cells[col('key')];
      const a = applyReport(item, user, 0, '');
      if (a.forbidden) throw apiError(403, 'permission_denied', a.forbidden);
      for (const e of a.errors ?? []) errors.push({ line: r.line, column: col(e.field) + 1, field: e.field, reason: e.reason, message: e.message });
      if (a.ok) good.push(a.ok);
    } else {
      need.forEach((h) => {
        if (['parent', 'numerator', 'denominator'].includes(h)) return;
        if (!r.cells[col(h)].trim()) errors.push({ line: r.line, column: col(h) + 1, field: h, reason: 'required', message: `${h} is empty` });
      });
      good.push(r);
    }
  }
  if (errors.length) throw apiError(422, 'invalid_data', `${errors.length} error(s); nothing was written`, errors.slice(0, 50));
  const out = { rows: rows.length - 1, imported: 0, updated: 0, ignored: 0 };
  for (const g of good) {
    if (kind === 'reports') {
      if (dryRun) { out[valueOn(g.u, g.u.slots.indexOf(g.ind.code), g.d) === null ? 'imported' : 'updated'] += 1; continue; }
      out[commitReport(g, user.name)] += 1;
    } else out.imported += 1;
  }
  return out;
}

// ---- routes -------------------------------------------------------------------------------
function unitSummary(u) {
  return { code: u.code, name: u.name, groups: { ...u.groups } };
}

async function handleApi(req, res, url) {
  const q = Object.fromEntries(url.searchParams);
  const p = url.pathname;
  const method = req.method;

  if (p === '/api/login' && method === 'POST') {
    let body;
    try { body = JSON.parse((await readBody(req)) || '{}'); } catch { throw apiError(400, 'bad_request', 'body is not JSON'); }
    const name = String(body.name ?? '');
    const now = Date.now();
    const recentFails = (failures.get(name) ?? []).filter((t) => now - t < 60000);
    if (recentFails.length >= 5) {
      const retry = Math.ceil((60000 - (now - recentFails[0])) / 1000);
      return send(res, 429, { error: { code: 'too_many_requests', message: 'too many failed logins' } }, { 'Retry-After': String(retry) });
    }
    const u = USERS[name];
    if (!u || u.password !== body.password) {
      recentFails.push(now);
      failures.set(name, recentFails);
      return send(res, 401, { error: { code: 'unauthenticated', message: 'wrong name or password' } });
    }
    failures.delete(name);
    const sid = crypto.randomBytes(18).toString('base64url');
    const csrf = crypto.randomBytes(18).toString('base64url');
    sessions.set(sid, { name, csrf });
    return send(res, 200, { user: publicUser(name), csrf }, { 'Set-Cookie': `chollima_session=${sid}; Path=/; HttpOnly; SameSite=Strict` });
  }

  const sid = cookies(req).chollima_session;
  const sess = sid ? sessions.get(sid) : null;
  if (!sess) throw apiError(401, 'unauthenticated', 'log in first');
  const user = publicUser(sess.name);
  if (method !== 'GET' && method !== 'HEAD') {
    if (req.headers['x-csrf-token'] !== sess.csrf) throw apiError(403, 'permission_denied', 'missing or wrong X-CSRF-Token header');
  }

  if (p === '/api/logout' && method === 'POST') {
    sessions.delete(sid);
    return send(res, 200, { ok: true }, { 'Set-Cookie': 'chollima_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0' });
  }
  if (p === '/api/me' && method === 'GET') return send(res, 200, { user, csrf: sess.csrf });

  if (p === '/api/events' && method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    const last = Number(req.headers['last-event-id'] ?? 0);
    if (last) for (const e of recent) if (e.id > last) res.write(e.msg);
    sseClients.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15000);
    req.on('close', () => { clearInterval(ping); sseClients.delete(res); });
    return undefined;
  }

  if (method === 'GET') {
    if (p === '/api/hierarchies') return send(res, 200, { hierarchies: Object.keys(groups).map((code) => ({ code, levels: HIER_LEVELS[code], groups: groups[code].size })) });
    if (p === '/api/groups') {
      const hh = q.hierarchy;
      if (!groups[hh]) throw apiError(422, 'not_found', `hierarchy: no hierarchy '${hh ?? ''}'`);
      if (q.parent && !groups[hh].has(q.parent)) throw apiError(422, 'not_found', `parent: no group '${q.parent}'`);
      const list = [...groups[hh].values()].filter((g) => (q.parent ? g.parent === q.parent : g.parent === null));
      return send(res, 200, { groups: list });
    }
    if (p === '/api/indicators') return send(res, 200, { indicators: INDICATORS });
    if (p === '/api/fulfilment') return send(res, 200, fulfilment(q));
    if (p === '/api/units') {
      const limit = Math.max(1, Math.min(1000, Number(q.limit ?? 100) || 100));
      const offset = Math.max(0, Number(q.offset ?? 0) || 0);
      let list = units;
      if (q.within) {
        const [wh, wc] = q.within.split('/');
        if (!groups[wh] || !groups[wh].has(wc)) throw apiError(422, 'not_found', `within: no group '${q.within}'`);
        list = list.filter((u) => u.paths[wh].includes(wc));
      }
      if (q.q) {
        const t = q.q.toLowerCase();
        list = list.filter((u) => u.code.toLowerCase().includes(t) || u.name.toLowerCase().includes(t));
      }
      if (q.sort === 'name') list = [...list].sort((a, b) => a.name.localeCompare(b.name) || a.code.localeCompare(b.code));
      return send(res, 200, { total: list.length, offset, limit, units: list.slice(offset, offset + limit).map(unitSummary) });
    }
    let m;
    if ((m = /^\/api\/units\/([^/]+)(\/series|\/fulfilment)?$/.exec(p))) {
      const u = unitByCode.get(decodeURIComponent(m[1]));
      if (!u) throw apiError(404, 'not_found', `no unit '${decodeURIComponent(m[1])}'`);
      if (!m[2]) return send(res, 200, { ...unitSummary(u), attributes: { capacity: Math.round(u.capacity * 1000), workers: u.workers } });
      const k = units.indexOf(u);
      if (m[2] === '/fulfilment') {
        const per = parsePeriod(q.period ?? '');
        if (!per) throw apiError(400, 'invalid_argument', `period: '${q.period ?? ''}' is not a period`);
        const rows = u.slots.map((_, s) => unitRow(k, s, per, asOfIdx)).filter(Boolean);
        return send(res, 200, { period: per.id, as_of: isoOf(asOfIdx), rows });
      }
      const slot = u.slots.indexOf(q.indicator);
      const ind = IND.get(q.indicator);
      if (!ind) throw apiError(422, 'not_found', `indicator: no indicator '${q.indicator ?? ''}'`);
      const from = Math.max(0, q.from ? dayIndex(q.from) : 0);
      const to = Math.min(DAYS_IN_YEAR - 1, q.to ? dayIndex(q.to) : DAYS_IN_YEAR - 1);
      const points = [];
      if (q.grain === 'month') {
        for (let mo = monthOfDay(from); mo <= monthOfDay(to); mo += 1) {
          const per = { from: MONTH_START[mo], to: MONTH_START[mo + 1] - 1 };
          const f = slot >= 0 ? unitFigures(k, slot, per, asOfIdx) : null;
          points.push({ period: `${YEAR}-${String(mo + 1).padStart(2, '0')}`, plan: f ? f.plan : null, actual: f ? f.actual : null });
        }
      } else {
        for (let d = from; d <= to; d += 1) {
          points.push({ period: isoOf(d), plan: slot >= 0 ? dailyPlan(u, ind.code) : null, actual: slot >= 0 ? valueOn(u, slot, d) : null });
        }
      }
      return send(res, 200, { unit: u.code, indicator: ind.code, grain: q.grain === 'month' ? 'month' : 'day', points });
    }
    if (p === '/api/reports/history') {
      const u = unitByCode.get(q.unit);
      if (!u) throw apiError(422, 'not_found', `unit: no unit '${q.unit ?? ''}'`);
      if (!IND.has(q.indicator)) throw apiError(422, 'not_found', `indicator: no indicator '${q.indicator ?? ''}'`);
      const rk = `${u.code}|${q.indicator}|${q.date}`;
      let revs = revisions.get(rk);
      if (!revs) {
        const slot = u.slots.indexOf(q.indicator);
        const d = dayIndex(q.date ?? '');
        const v = slot >= 0 && Number.isFinite(d) && d >= 0 && d < DAYS_IN_YEAR ? valueOn(u, slot, d) : null;
        revs = v === null ? [] : [{ seq: 1, value: v, author: 'demo', recorded_at: `${q.date}T18:00:00Z`, kind: 'report', source: 'demo' }];
      }
      return send(res, 200, { revisions: revs });
    }
  }

  if (method === 'POST' && p === '/api/reports') {
    if (user.role === 'viewer') throw apiError(403, 'permission_denied', 'viewers cannot report');
    let body;
    try { body = JSON.parse(await readBody(req)); } catch { throw apiError(400, 'bad_request', 'body is not JSON'); }
    const list = Array.isArray(body) ? body : [body];
    const checked = list.map((it, i) => applyReport(it, user, i, Array.isArray(body) ? `$[${i}]` : '$'));
    const forbidden = checked.find((c) => c.forbidden);
    if (forbidden) throw apiError(403, 'permission_denied', forbidden.forbidden);
    const errors = checked.flatMap((c) => c.errors ?? []);
    if (errors.length) throw apiError(422, 'invalid_data', `${errors.length} invalid field(s); nothing was written`, errors);
    const out = { rows: list.length, imported: 0, updated: 0, ignored: 0 };
    for (const c of checked) out[commitReport(c.ok, user.name)] += 1;
    return send(res, 200, out);
  }
  let m;
  if (method === 'POST' && (m = /^\/api\/import\/([a-z]+)$/.exec(p))) {
    const text = await readBody(req);
    const dry = q.dry_run === 'true' || q.dry_run === '';
    return send(res, 200, importCsv(m[1], text, dry, user));
  }
  throw apiError(404, 'route_not_found', `no route ${method} ${p}`);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon', '.woff2': 'font/woff2' };
function serveStatic(req, res, url) {
  let rel = decodeURIComponent(url.pathname);
  let file = path.join(DIST, path.normalize(rel).replace(/^([/\\])+/, ''));
  if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    if (rel.startsWith('/assets/')) { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('not found'); return; }
    file = path.join(DIST, 'index.html');
    rel = '/index.html';
  }
  if (!fs.existsSync(file)) {
    res.writeHead(503, { 'Content-Type': 'text/plain' });
    res.end('dist/ is missing: run npm run build');
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  fs.createReadStream(file).pipe(res);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, url);
  try {
    await handleApi(req, res, url);
  } catch (e) {
    if (!e.status) console.error(e);
    send(res, e.status ?? 500, { error: { code: e.code ?? 'internal', message: e.message, ...(e.errors ? { errors: e.errors } : {}) } });
  }
});

// Optional ticker: random status changes so the feed has something to show.
if (TICK_MS > 0) {
  const ST = ['overfulfilled', 'on_track', 'at_risk', 'behind'];
  let n = 0;
  setInterval(() => {
    n += 1;
    const u = units[Math.floor(rnd(n, 99) * units.length)];
    const from = ST[Math.floor(rnd(n, 98) * 4)];
    let to = ST[Math.floor(rnd(n, 97) * 4)];
    if (to === from) to = 'overfulfilled';
    if (n % 7 === 0) emit('record', { unit: u.code, indicator: u.slots[0], grain: 'day', value: Math.round(dailyPlan(u, u.slots[0]) * 1.4), previous: Math.round(dailyPlan(u, u.slots[0]) * 1.3), at: new Date().toISOString() });
    else emit('status', { unit: u.code, indicator: u.slots[0], period: isoOf(asOfIdx).slice(0, 7), from, to, percent: 90 + rnd(n, 96) * 20, at: new Date().toISOString() });
  }, TICK_MS).unref();
}

server.listen(PORT, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of sseClients) c.end();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
