#!/usr/bin/env node
// A mock of the chollima HTTP API, for developing and testing the dashboard
// without the C++ server. Development only: it follows the contract in
// web/README.md (the emulation routes: docs/openapi.yaml), keeps everything in memory,
// and listens on 127.0.0.1 only. POST /api/_mock/emit is a test hook of the mock alone.
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

// ---- emulation: drives, standings, records, outliers, standards (the contract in
// /work/notes/api-contract.md, docs/openapi.yaml) ------------------------------------------
// One drive over the plan year with quarterly seasons, all units, leagues by sector
// (level 1) in two tiers by capacity; a second drive of the provinces. Scores are
// deterministic from the values above; live overtakes nudge the as_of day's scores.
const QUARTERS = [0, 1, 2, 3].map((i) => ({ index: i, begin: isoOf(MONTH_START[i * 3]), end: isoOf(MONTH_START[i * 3 + 3] - 1) }));
const seasonOf = (d) => QUARTERS[Math.min(3, Math.floor(monthOfDay(Math.max(0, Math.min(d, DAYS_IN_YEAR - 1))) / 3))];
const DEMO_TERMS = [
  { indicator: 'quality', normalization: 'percent_of_plan', weight: 0.5, capacity: null },
  { indicator: 'energy', normalization: 'per_capacity', weight: 0.2, capacity: 'workers' },
  { indicator: 'quality', normalization: 'growth', weight: 0.3, capacity: null },
];
const ruleText = (terms) => terms.map((t) => `${t.indicator}:${t.normalization}${t.capacity ? `:${t.capacity}` : ''}@${t.weight}`).join(',');
const drives = [
  {
    id: 0, code: 'demo-drive', name: 'Drive for the new upsurge 2026 (혁신의 해)', start: `${YEAR}-01-01`, end: `${YEAR}-12-31`, season_grain: 'quarter',
    participants: { kind: 'units', hierarchy: null, level: 1, within: null }, terms: DEMO_TERMS, growth_base: 'previous_season',
    leagues: { hierarchy: 'sector', level: 1, size_attribute: 'capacity', size_bounds: [1000], promote: 2, relegate: 2 }, streak_grain: 'day',
  },
  {
    id: 1, code: 'provinces', name: 'Provinces vying for the red flag', start: `${YEAR}-01-01`, end: `${YEAR}-12-31`, season_grain: null,
    participants: { kind: 'groups', hierarchy: 'region', level: 1, within: null }, terms: [{ indicator: 'quality', normalization: 'percent_of_plan', weight: 1, capacity: null }],
    growth_base: 'previous_year', leagues: { hierarchy: null, level: 1, size_attribute: null, size_bounds: [], promote: 0, relegate: 0 }, streak_grain: 'month',
  },
];
function driveOut(dv) {
  const seasons = dv.season_grain === 'quarter' ? QUARTERS : [{ index: 0, begin: dv.start, end: dv.end }];
  const cur = seasons.findIndex((s) => s.begin <= isoOf(asOfIdx) && isoOf(asOfIdx) <= s.end);
  return { ...dv, rule: ruleText(dv.terms), seasons, current_season: cur < 0 ? null : cur };
}
const seasonsOf = (dv) => driveOut(dv).seasons;
const sectorIdx = new Map(SECTORS.map((s, i) => [s.code, i]));
const tierOf = (u) => (u.capacity * 1000 >= 1000 ? 1 : 2);
const leagueOf = (u) => sectorIdx.get(u.sector.code) * 2 + (tierOf(u) - 1);
const LEAGUES = SECTORS.flatMap((s) => [1, 2].map((tier) => ({ index: sectorIdx.get(s.code) * 2 + tier - 1, name: `${s.code}, tier ${tier}`, tier, peer_group: `sector/${s.code}` })));
const bumps = new Map(); // unit index → added to its score from that day on (live overtakes)
const bumpFrom = new Map();
function mean7(u, slot, d) {
  let s = 0;
  for (let x = d - 6; x <= d; x += 1) s += valueOn(u, slot, x) ?? baseValue(u, slot, x);
  return s / 7;
}
const seasonStartQual = new Map();
/** The parts and score of unit u on day d (of the demo drive). */
function unitParts(u, d) {
  const q = mean7(u, 2, d);
  const e = mean7(u, 1, d);
  const ss = seasonOf(d);
  const key = `${u.idx}|${ss.index}`;
  let q0 = seasonStartQual.get(key);
  if (q0 === undefined) { q0 = mean7(u, 2, dayIndex(ss.begin) + 6); seasonStartQual.set(key, q0); }
  const ePer = (1000 * e) / u.workers;
  const ePlan = (1000 * dailyPlan(u, 'energy')) / u.workers;
  const parts = [
    { indicator: 'quality', normalization: 'percent_of_plan', weight: 0.5, raw: q, normalized: (100 * q) / 90 },
    { indicator: 'energy', normalization: 'per_capacity', weight: 0.2, raw: ePer / 1000, normalized: (100 * ePlan) / ePer },
    { indicator: 'quality', normalization: 'growth', weight: 0.3, raw: q - q0, normalized: 100 + 4 * (q - q0) },
  ].map((p) => ({ ...p, raw: round(p.raw, 4), normalized: round(p.normalized, 2), weighted: round(p.normalized * p.weight, 2) }));
  let score = parts.reduce((a, p) => a + p.weighted, 0);
  if (bumps.has(u.idx) && d >= bumpFrom.get(u.idx)) score += bumps.get(u.idx);
  return { parts, score: round(score, 3) };
}
const round = (v, n) => Math.round(v * 10 ** n) / 10 ** n;
const scoreCache = new Map(); // day → Float64Array of unit scores
function dayScores(d) {
  let a = scoreCache.get(d);
  if (!a) {
    a = new Float64Array(units.length);
    for (let k = 0; k < units.length; k += 1) a[k] = unitParts(units[k], d).score;
    scoreCache.set(d, a);
  }
  return a;
}
/** Participants of a view: units (with leagues) or the groups of hierarchy:level. */
function participantsAt(dv, level, d) {
  const sc = dayScores(d);
  if (dv.participants.kind === 'groups' && !level) level = `${dv.participants.hierarchy}:${dv.participants.level}`;
  if (!level) return units.map((u, k) => ({ p: { kind: 'unit', code: u.code, name: u.name }, key: u.code, league: leagueOf(u), score: sc[k], k }));
  const [hh, lv] = level.split(':');
  const L = Number(lv || 1);
  const acc = new Map();
  units.forEach((u, k) => {
    const g = u.paths[hh]?.[L - 1];
    if (!g) return;
    const a = acc.get(g) ?? { s: 0, n: 0 };
    a.s += sc[k]; a.n += 1;
    acc.set(g, a);
  });
  return [...acc].map(([g, a]) => ({ p: { kind: 'group', code: `${hh}/${g}`, name: groups[hh].get(g).name }, key: `${hh}/${g}`, league: null, score: round(a.s / a.n, 3), members: a.n }));
}
const rankCache = new Map();
/** Ranks on day d: key → {overall, league rank}; ties by code. */
function ranksAt(dv, level, d) {
  const ck = `${dv.code}|${level ?? ''}|${d}`;
  let r = rankCache.get(ck);
  if (r) return r;
  const list = participantsAt(dv, level, d).sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
  const byLeague = new Map();
  r = { list, pos: new Map() };
  list.forEach((x, i) => {
    const n = (byLeague.get(x.league) ?? 0) + 1;
    byLeague.set(x.league, n);
    x.overall = i + 1;
    x.rank = x.league === null ? i + 1 : n;
    r.pos.set(x.key, x);
  });
  r.leagueSize = byLeague;
  rankCache.set(ck, r);
  return r;
}
function invalidateScores(from) {
  for (const d of [...scoreCache.keys()]) if (d >= from) scoreCache.delete(d);
  rankCache.clear();
}
function checkLevel(level) {
  if (!level) return null;
  const [hh, lv] = level.split(':');
  if (!groups[hh]) throw apiError(422, 'invalid_data', `level: no hierarchy '${hh}'`, [{ path: '$.level', field: 'level', reason: 'not_found', message: `no hierarchy '${hh}'` }]);
  const L = Number(lv || 1);
  if (!(L >= 1 && L <= HIER_LEVELS[hh])) throw apiError(422, 'invalid_data', `level: ${hh} has levels 1..${HIER_LEVELS[hh]}`);
  return `${hh}:${L}`;
}
function findDrive(code) {
  const dv = drives.find((x) => x.code === code);
  if (!dv) throw apiError(404, 'not_found', `no drive '${code}'`);
  return dv;
}
function standings(dv, q) {
  const d = q.as_of ? dayIndex(q.as_of) : asOfIdx;
  if (q.as_of && !(/^\d{4}-\d{2}-\d{2}$/.test(q.as_of) && d >= 0 && d < DAYS_IN_YEAR)) throw apiError(400, 'invalid_argument', `as_of: '${q.as_of}' is not a day of the drive`);
  const level = checkLevel(q.level);
  const season = seasonsOf(dv).find((s) => s.begin <= isoOf(d) && isoOf(d) <= s.end) ?? seasonsOf(dv)[0];
  const unitsView = dv.participants.kind === 'units' && !level;
  const now = ranksAt(dv, level, d);
  const prev = ranksAt(dv, level, Math.max(0, d - 1));
  const start = ranksAt(dv, level, Math.max(0, dayIndex(season.begin)));
  let rows = now.list;
  const league = q.league === undefined || q.league === '' ? null : Number(q.league);
  if (league !== null && unitsView) {
    if (!LEAGUES[league]) throw apiError(422, 'invalid_data', `league: no league ${q.league}`);
    rows = rows.filter((x) => x.league === league);
  }
  if (q.within) {
    const [wh, wc] = q.within.split('/');
    if (!groups[wh] || !groups[wh].has(wc)) throw apiError(422, 'not_found', `within: no group '${q.within}'`);
    rows = rows.filter((x) => (x.k !== undefined ? units[x.k].paths[wh].includes(wc) : x.key === q.within || ancestorsOfKey(x.key).includes(wc)));
  }
  // As the server (docs/openapi.yaml): by league, then rank (ties in the list's order).
  if (unitsView) rows = [...rows].sort((a, b) => a.league - b.league || a.rank - b.rank);
  const offset = Math.max(0, Number(q.offset ?? 0) || 0);
  const limit = Math.max(1, Math.min(1000, Number(q.limit ?? 100) || 100));
  const page = rows.slice(offset, offset + limit);
  const rel = dv.leagues.relegate, pro = dv.leagues.promote;
  return {
    drive: dv.code, season, as_of: isoOf(d), level: level,
    leagues: unitsView ? LEAGUES : [],
    total: rows.length,
    rows: page.map((x) => {
      const u = x.k !== undefined ? units[x.k] : null;
      const parts = u ? unitParts(u, d).parts : [{ indicator: 'quality', normalization: 'percent_of_plan', weight: 1, raw: round(x.score * 0.9, 2), normalized: x.score, weighted: x.score }];
      let streak = 0;
      if (u) for (let y = d; y >= Math.max(0, d - 120) && unitParts(u, y).score >= 100; y -= 1) streak += 1;
      else streak = Math.floor(rnd(x.key.length, x.score * 100, 5) * 4);
      const p = prev.pos.get(x.key), s = start.pos.get(x.key);
      const size = now.leagueSize.get(x.league) ?? rows.length;
      return {
        participant: x.p, league: x.league, scored: true, unscored_reason: null,
        score: round(x.score, 2), rank: x.rank, overall_rank: x.overall,
        rank_change_day: p ? p.rank - x.rank : 0, rank_change_start: s ? s.rank - x.rank : 0,
        streak,
        promotion: unitsView && LEAGUES[x.league].tier === 2 && x.rank <= pro,
        relegation: unitsView && LEAGUES[x.league].tier === 1 && x.rank > size - rel,
        parts,
      };
    }),
  };
}
function ancestorsOfKey(key) {
  const [hh, code] = key.split('/');
  return ancestors(hh, code);
}
// Seasons 1 and 2 of the demo drive are final; season 3 has ended but awaits a planner.
const finalizedSeasons = new Set(['demo-drive|0', 'demo-drive|1']);
function results(dv, seasonIdx) {
  const s = seasonsOf(dv)[seasonIdx];
  if (!s) throw apiError(404, 'not_found', `drive ${dv.code} has no season ${seasonIdx}`);
  const endD = Math.min(dayIndex(s.end), asOfIdx);
  const finalized = finalizedSeasons.has(`${dv.code}|${seasonIdx}`);
  const r = ranksAt(dv, null, endD);
  const out = [];
  const unitsView = dv.participants.kind === 'units';
  for (const x of r.list) {
    const lg = unitsView ? LEAGUES[x.league] : null;
    const size = r.leagueSize.get(x.league);
    let title = null;
    if (x.overall === 1) title = 'winner';
    else if (unitsView && x.rank === 1) title = 'league_winner';
    else if (unitsView && lg.tier === 2 && x.rank <= dv.leagues.promote) title = 'promoted';
    else if (unitsView && lg.tier === 1 && x.rank > size - dv.leagues.relegate) title = 'relegated';
    if (title || x.overall <= 20) out.push({ participant: x.p, league: lg ? lg.name : null, tier: lg ? lg.tier : null, rank: x.rank, overall: x.overall, score: round(x.score, 2), title: finalized ? title : null });
  }
  return { drive: dv.code, season: s, finalized, results: out };
}
function honours(code) {
  const out = [];
  for (const dv of drives) {
    if (code && dv.code !== code) continue;
    seasonsOf(dv).forEach((s, i) => {
      if (!finalizedSeasons.has(`${dv.code}|${i}`)) return;
      for (const r of results(dv, i).results) if (r.title === 'winner' || r.title === 'league_winner') out.push({ drive: dv.code, season: i, participant: r.participant, title: r.title, league: r.league, score: r.score });
    });
  }
  return { honours: out };
}

// records: running bests in time order; the current one and the one it beat.
const RECORD_INDS = [...SECTORS.map((s) => s.out), 'quality'];
const recordCache = new Map();
const recordOverride = new Map(); // key → {holder, period, value, previous}
function unitSlot(u, ind) { return u.slots.indexOf(ind); }
function runningBest(candidates) {
  // candidates: [{holder, period, value}] in time order → [current, previous]
  let cur = null, prev = null;
  for (const c of candidates) if (!cur || c.value > cur.value) { prev = cur; cur = c; }
  return [cur, prev];
}
function recordsFor(ind, grain, scope, target) {
  const key = `${ind}|${grain}|${scope}|${target ?? ''}`;
  if (recordOverride.has(key)) return recordOverride.get(key);
  if (recordCache.has(key)) return recordCache.get(key);
  let members = units.map((_, k) => k).filter((k) => unitSlot(units[k], ind) >= 0);
  let asGroup = null;
  if (scope === 'unit') members = members.filter((k) => units[k].code === target);
  if (scope === 'group') {
    const [wh, wc] = target.split('/');
    members = members.filter((k) => units[k].paths[wh].includes(wc));
    asGroup = { kind: 'group', code: target, name: groups[wh].get(wc).name };
  }
  const last = Math.min(asOfIdx, DAYS_IN_YEAR - 1);
  const mean = IND.get(ind).aggregation === 'mean';
  const cands = [];
  const periods = grain === 'day' ? Array.from({ length: last + 1 }, (_, d) => ({ id: isoOf(d), from: d, to: d }))
    : grain === 'month' ? Array.from({ length: monthOfDay(last) + 1 }, (_, m) => ({ id: `${YEAR}-${String(m + 1).padStart(2, '0')}`, from: MONTH_START[m], to: MONTH_START[m + 1] - 1, m }))
    : [{ id: String(YEAR - 1), prior: true }, { id: String(YEAR), from: 0, to: DAYS_IN_YEAR - 1 }];
  for (const per of periods) {
    if (per.prior) continue;
    const val = (k) => {
      const s = unitSlot(units[k], ind);
      if (grain === 'day') return valueOn(units[k], s, per.from);
      let sum = 0, n = 0;
      for (let m = grain === 'month' ? per.m : 0; m <= (grain === 'month' ? per.m : monthOfDay(last)); m += 1) { sum += msum[(k * 3 + s) * 12 + m]; n += mcnt[(k * 3 + s) * 12 + m]; }
      return n ? (mean ? sum / n : sum) : null;
    };
    if (asGroup && !mean) {
      let sum = 0;
      for (const k of members) sum += val(k) ?? 0;
      cands.push({ holder: asGroup, period: per.id, value: round(sum, 1) });
    } else {
      let best = null;
      for (const k of members) { const v = val(k); if (v !== null && (!best || v > best.value)) best = { holder: { kind: 'unit', code: units[k].code, name: units[k].name }, period: per.id, value: round(v, 1) }; }
      if (best) cands.push(best);
    }
  }
  if (grain === 'year' && cands.length) {
    // last year's record (the one this year's beat, or still stands): a little lower
    const c = cands[0];
    cands.unshift({ holder: asGroup ?? { kind: 'unit', code: units[members[Math.floor(members.length / 3)]].code, name: units[members[Math.floor(members.length / 3)]].name }, period: String(YEAR - 1), value: round(c.value * 0.93, 1) });
  }
  const [cur, prev] = runningBest(cands);
  const rec = cur ? { indicator: ind, grain, scope, target: scope === 'all' ? null : target, holder: cur.holder, period: cur.period, value: cur.value, previous: prev } : null;
  recordCache.set(key, rec);
  return rec;
}
function records(q) {
  const inds = q.indicator ? [q.indicator] : RECORD_INDS;
  for (const i of inds) if (!IND.has(i)) throw apiError(422, 'invalid_data', `indicator: no indicator '${i}'`);
  const grains = q.grain ? [q.grain] : ['day', 'month', 'year'];
  for (const g of grains) if (!['day', 'month', 'year'].includes(g)) throw apiError(422, 'invalid_data', `grain: '${g}' is not day, month or year`);
  const scope = q.scope || (q.target ? (q.target.includes('/') ? 'group' : 'unit') : 'all');
  if (!['unit', 'group', 'all'].includes(scope)) throw apiError(422, 'invalid_data', `scope: '${scope}' is not unit, group or all`);
  const out = [];
  if (scope === 'all') for (const i of inds) for (const g of grains) { const r = recordsFor(i, g, 'all', null); if (r) out.push(r); }
  else if (q.target) {
    if (scope === 'unit' && !unitByCode.has(q.target)) throw apiError(422, 'invalid_data', `target: no unit '${q.target}'`);
    if (scope === 'group') {
      const [wh, wc] = q.target.split('/');
      if (!groups[wh]?.has(wc)) throw apiError(422, 'invalid_data', `target: no group '${q.target}' (write hierarchy/CODE)`);
    }
    const list = scope === 'unit' ? inds.filter((i) => unitSlot(unitByCode.get(q.target), i) >= 0) : inds;
    for (const i of list) for (const g of grains) { const r = recordsFor(i, g, scope, q.target); if (r) out.push(r); }
  } else if (scope === 'group') {
    for (const [code] of groups.region) if (!code.includes('-')) for (const i of inds.slice(0, q.indicator ? 1 : 3)) for (const g of grains) { const r = recordsFor(i, g, 'group', `region/${code}`); if (r) out.push(r); }
  } else {
    // every unit's records would be long: the units holding the all-time ones
    const holders = new Set();
    for (const i of inds) for (const g of grains) { const r = recordsFor(i, g, 'all', null); if (r && r.holder.kind === 'unit') holders.add(`${r.holder.code}|${i}`); }
    for (const h of holders) { const [c, i] = h.split('|'); for (const g of grains) { const r = recordsFor(i, g, 'unit', c); if (r) out.push(r); } }
  }
  return { records: out };
}

// outliers: a few far-off values, flagged until a planner confirms or rejects them
const outliers = [];
for (let n = 1; n <= 14; n += 1) {
  const u = units[Math.floor(rnd(n, 71) * units.length)];
  const d = asOfIdx - Math.floor(rnd(n, 72) * 40);
  const expected = round(dailyPlan(u, u.slots[0]) * u.skill, 1);
  const capacity = n % 3 === 0;
  const value = round(expected * (capacity ? 2.2 + rnd(n, 73) : 3 + rnd(n, 74) * 2), 1);
  outliers.push({ unit: { kind: 'unit', code: u.code, name: u.name }, indicator: u.slots[0], date: isoOf(d), value, expected, score: round((value - expected) / (expected * 0.12), 1), reason: capacity ? 'capacity' : 'history', confirmed: n <= 2 ? (n === 1) : null, note: null });
}

// standards: output per worker in each sector
const standards = [];
function perWorker(u) { return round((u.sector.daily / 500) * u.skill * (0.92 + 0.16 * rnd(u.idx, 41)), 3); }
function sectorAdvanced(s) {
  const v = units.filter((u) => u.sector === s).map(perWorker).sort((a, b) => b - a);
  const top = v.slice(0, Math.max(1, Math.floor(v.length / 4)));
  return { values: v, advanced: round(top[Math.floor(top.length / 2)], 3) };
}
for (const s of SECTORS) {
  const { values } = sectorAdvanced(s);
  const med = values[Math.floor(values.length / 2)];
  const v0 = round(med * (sectorIdx.get(s.code) % 3 === 2 ? 1.08 : 0.93), 3); // some sectors' norms are already high: no re-base
  const history = [
    { from: `${YEAR - 2}-01-01`, value: round(v0 * 0.9, 3), source: 'manual', note: 'set by the State Planning Commission' },
    { from: `${YEAR - 1}-01-01`, value: round(v0 * 0.96, 3), source: 'derived', note: 'median of the top quartile, season 2024, moderated' },
    { from: `${YEAR}-01-01`, value: v0, source: 'derived', note: 'median of the top quartile, season 2025, moderated' },
  ];
  standards.push({ indicator: `${s.code}_per_worker`, peer_group: `sector/${s.code}`, sector: s, history });
}
function standardOut(st, asOf) {
  const hist = st.history.filter((x) => !asOf || x.from <= asOf).sort((a, b) => (a.from < b.from ? -1 : 1));
  const cur = hist[hist.length - 1] ?? null;
  const { values, advanced } = sectorAdvanced(st.sector);
  return { indicator: st.indicator, peer_group: st.peer_group, current: cur, history: hist, season: String(YEAR - 1), units: values.length, meeting: cur ? values.filter((v) => v >= cur.value).length : 0, advanced_level: advanced };
}
function rebase(st, asOf) {
  const o = standardOut(st, asOf);
  const cur = o.current;
  const adv = o.advanced_level;
  // no blind ratchet: move halfway to the advanced level, only when a quarter of the peers exceed it by 5 %
  const share = o.units ? o.meeting / o.units : 0;
  if (!cur || adv === null || adv < cur.value * 1.05 || share < 0.25) {
    return { rebase: false, standard: cur, reason: `the advanced level ${adv} is within 5 % of the standard ${cur?.value} or fewer than a quarter of the ${o.units} units meet it (${o.meeting}): no re-base` };
  }
  const value = round(cur.value + (adv - cur.value) / 2, 3);
  return {
    rebase: true,
    standard: { from: asOf || isoOf(asOfIdx + 1), value, source: 'derived', note: `halfway from ${cur.value} to the advanced level ${adv}` },
    reason: `${o.meeting} of ${o.units} units (${Math.round(share * 100)} %) meet the standard ${cur.value}; the advanced level (median of the top quartile, season ${o.season}) is ${adv}, ${Math.round((adv / cur.value - 1) * 100)} % above it. The new standard moves halfway, so one good year does not set the norm.`,
  };
}
function mayPlan(user) { return user.role === 'admin' || user.role === 'planner'; }
async function jsonBody(req) {
  try { return JSON.parse((await readBody(req)) || '{}'); } catch { throw apiError(400, 'bad_request', 'body is not JSON'); }
}
function invalid(errors) {
  return apiError(422, 'invalid_data', `${errors.length} invalid field(s)`, errors);
}

// live: an overtaking in the top of the demo drive, or a new day record
let liveN = 0;
function emitOvertaking(code = 'demo-drive') {
  const dv = findDrive(code);
  liveN += 1;
  const r = ranksAt(dv, null, asOfIdx);
  const i = 1 + Math.floor(rnd(liveN, 61) * Math.min(9, r.list.length - 1)); // overall rank i+1 passes rank i
  const a = r.list[i], b = r.list[i - 1];
  const margin = round(0.05 + rnd(liveN, 62) * 0.5, 2);
  const delta = b.score - a.score + margin;
  if (a.k !== undefined) {
    bumps.set(units[a.k].idx, (bumps.get(units[a.k].idx) ?? 0) + delta);
    bumpFrom.set(units[a.k].idx, asOfIdx);
  }
  invalidateScores(asOfIdx);
  const sameLeague = a.league === b.league;
  const data = {
    drive: dv.code, drive_name: dv.name, league: sameLeague ? a.league : null, league_name: sameLeague && a.league !== null ? LEAGUES[a.league].name : null,
    level: null, overtaker: a.p, overtaken: b.p, margin, new_rank: i, at: new Date().toISOString(),
  };
  emit('overtaking', data);
  return data;
}
function emitRecord() {
  liveN += 1;
  const outs = SECTORS.map((x) => x.out); // summed outputs (a share cannot beat 100 %)
  const ind = outs[Math.floor(rnd(liveN, 63) * outs.length)];
  const old = recordsFor(ind, 'day', 'all', null);
  const cands = units.filter((u) => unitSlot(u, ind) >= 0);
  const u = cands[Math.floor(rnd(liveN, 64) * cands.length)];
  const holder = { kind: 'unit', code: u.code, name: u.name };
  const value = round(old.value * (1.01 + rnd(liveN, 65) * 0.04), 1);
  const rec = { ...old, holder, period: isoOf(asOfIdx), value, previous: { holder: old.holder, period: old.period, value: old.value } };
  recordOverride.set(`${ind}|day|all|`, rec);
  const data = { kind: 'new', indicator: ind, grain: 'day', scope: 'all', target: null, record: { holder, period: rec.period, value }, previous: rec.previous, at: new Date().toISOString() };
  emit('record', data);
  return data;
}

/** A correction withdrew the newest live record: the one it beat is restored. */
function emitWithdrawn() {
  const key = [...recordOverride.keys()].pop();
  if (!key) return emitRecord();
  const rec = recordOverride.get(key);
  recordOverride.delete(key);
  const restored = recordsFor(rec.indicator, rec.grain, rec.scope, rec.target);
  const data = {
    kind: 'withdrawn', indicator: rec.indicator, grain: rec.grain, scope: rec.scope, target: rec.target,
    // As the server (docs/openapi.yaml): `previous` is the record withdrawn, `record` the one restored.
    record: restored ? { holder: restored.holder, period: restored.period, value: restored.value } : null,
    previous: { holder: rec.holder, period: rec.period, value: rec.value },
    at: new Date().toISOString(),
  };
  emit('record', data);
  return data;
}

async function emulationApi(req, res, p, q, user) {
  const method = req.method;
  let m;
  if (method === 'GET') {
    if (p === '/api/drives') return send(res, 200, { drives: drives.map(driveOut) });
    if ((m = /^\/api\/drives\/([^/]+)$/.exec(p))) return send(res, 200, driveOut(findDrive(decodeURIComponent(m[1]))));
    if ((m = /^\/api\/drives\/([^/]+)\/standings$/.exec(p))) return send(res, 200, standings(findDrive(decodeURIComponent(m[1])), q));
    if ((m = /^\/api\/drives\/([^/]+)\/results$/.exec(p))) {
      const dv = findDrive(decodeURIComponent(m[1]));
      return send(res, 200, results(dv, q.season === undefined ? (driveOut(dv).current_season ?? 0) : Number(q.season)));
    }
    if (p === '/api/honours') return send(res, 200, honours(q.drive));
    if (p === '/api/records') return send(res, 200, records(q));
    if (p === '/api/outliers') return send(res, 200, { outliers: outliers.filter((o) => (!q.unit || o.unit.code === q.unit) && (!q.indicator || o.indicator === q.indicator)) });
    if (p === '/api/standards') return send(res, 200, { standards: standards.map((s) => standardOut(s, q.as_of)) });
  }
  if (method === 'POST') {
    if (p === '/api/drives') {
      if (!mayPlan(user)) throw apiError(403, 'permission_denied', `${user.role}s cannot create drives`);
      const b = await jsonBody(req);
      if (typeof b.code !== 'string' || !/^[a-z0-9-]+$/.test(b.code)) throw invalid([{ path: '$.code', field: 'code', reason: 'invalid', message: 'code: lower-case letters, digits and dashes' }]);
      if (drives.some((x) => x.code === b.code)) throw apiError(409, 'already_exists', `drive '${b.code}' exists`);
      const dv = { ...drives[0], ...b, id: drives.length };
      drives.push(dv);
      return send(res, 201, driveOut(dv));
    }
    if ((m = /^\/api\/drives\/([^/]+)\/seasons\/(\d+)\/finalize$/.exec(p))) {
      if (!mayPlan(user)) throw apiError(403, 'permission_denied', `${user.role}s cannot finalize a season`);
      const dv = findDrive(decodeURIComponent(m[1]));
      const s = seasonsOf(dv)[Number(m[2])];
      if (!s) throw apiError(404, 'not_found', `drive ${dv.code} has no season ${m[2]}`);
      if (dayIndex(s.end) >= asOfIdx) throw apiError(422, 'invalid_data', `season ${Number(m[2]) + 1} ends on ${s.end}: it can be finalized after that`);
      finalizedSeasons.add(`${dv.code}|${Number(m[2])}`);
      return send(res, 200, results(dv, Number(m[2])));
    }
    if (p === '/api/outliers/review') {
      if (!mayPlan(user)) throw apiError(403, 'permission_denied', `${user.role}s cannot review outliers`);
      const b = await jsonBody(req);
      const o = outliers.find((x) => x.unit.code === b.unit && x.indicator === b.indicator && x.date === b.date);
      if (!o) throw apiError(404, 'not_found', `no outlier for ${b.unit ?? '?'} ${b.indicator ?? '?'} on ${b.date ?? '?'}`);
      if (typeof b.confirmed !== 'boolean') throw invalid([{ path: '$.confirmed', field: 'confirmed', reason: 'required', message: 'confirmed: true or false' }]);
      o.confirmed = b.confirmed;
      o.note = typeof b.note === 'string' ? b.note : null;
      return send(res, 200, { outlier: o });
    }
    if (p === '/api/standards' || p === '/api/standards/rebase') {
      if (!mayPlan(user)) throw apiError(403, 'permission_denied', `${user.role}s cannot set standards`);
      const b = await jsonBody(req);
      const errors = [];
      const ind = IND.get(b.indicator);
      if (!ind) errors.push({ path: '$.indicator', field: 'indicator', reason: 'not_found', message: `indicator: no indicator '${b.indicator ?? ''}'` });
      if (b.peer_group !== null && b.peer_group !== undefined) {
        const [wh, wc] = String(b.peer_group).split('/');
        if (!groups[wh]?.has(wc)) errors.push({ path: '$.peer_group', field: 'peer_group', reason: 'not_found', message: `peer_group: no group '${b.peer_group}'` });
      }
      if (p === '/api/standards/rebase') {
        if (errors.length) throw invalid(errors);
        const st = standards.find((s) => s.indicator === b.indicator && s.peer_group === (b.peer_group ?? null));
        if (!st) throw apiError(404, 'not_found', `no standard for ${b.indicator} in ${b.peer_group ?? 'all units'}`);
        const r = rebase(st, b.as_of);
        if (r.rebase && b.apply === true) {
          st.history = st.history.filter((x) => x.from !== r.standard.from).concat([r.standard]);
          return send(res, 200, { ...r, applied: true });
        }
        return send(res, 200, r);
      }
      if (typeof b.from !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.from)) errors.push({ path: '$.from', field: 'from', reason: 'invalid', message: `from: '${b.from ?? ''}' is not a day (YYYY-MM-DD)` });
      if (typeof b.value !== 'number' || !Number.isFinite(b.value) || b.value <= 0) errors.push({ path: '$.value', field: 'value', reason: 'invalid', message: 'value: a positive number' });
      if (errors.length) throw invalid(errors);
      let st = standards.find((s) => s.indicator === b.indicator && s.peer_group === (b.peer_group ?? null));
      if (!st) {
        const sec = b.peer_group ? SECTORS.find((s) => `sector/${s.code}` === b.peer_group) : null;
        st = { indicator: b.indicator, peer_group: b.peer_group ?? null, sector: sec ?? SECTORS[0], history: [] };
        standards.push(st);
      }
      const rev = { from: b.from, value: b.value, source: 'manual', note: typeof b.note === 'string' ? b.note : '' };
      st.history = st.history.filter((x) => x.from !== b.from).concat([rev]);
      return send(res, 201, standardOut(st));
    }
    // development hook (the mock only): emit a live event now
    if (p === '/api/_mock/emit') {
      const b = await jsonBody(req);
      if (b.type === 'record') return send(res, 200, emitRecord());
      if (b.type === 'withdrawn') return send(res, 200, emitWithdrawn());
      return send(res, 200, emitOvertaking(b.drive ?? 'demo-drive'));
    }
  }
  return false;
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

  if ((await emulationApi(req, res, p, q, user)) !== false) return undefined;

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

// Optional ticker: random status changes, overtakings in the demo drive's top ten and
// new day records, so the feed and the board have something to show.
if (TICK_MS > 0) {
  const ST = ['overfulfilled', 'on_track', 'at_risk', 'behind'];
  let n = 0;
  setInterval(() => {
    n += 1;
    const u = units[Math.floor(rnd(n, 99) * units.length)];
    const from = ST[Math.floor(rnd(n, 98) * 4)];
    let to = ST[Math.floor(rnd(n, 97) * 4)];
    if (to === from) to = 'overfulfilled';
    if (n % 23 === 0) emitWithdrawn();
    else if (n % 7 === 0) emitRecord();
    else if (n % 3 === 0) emitOvertaking();
    else emit('status', { unit: u.code, indicator: u.slots[0], period: isoOf(asOfIdx).slice(0, 7), from, to, percent: 90 + rnd(n, 96) * 20, at: new Date().toISOString() });
  }, TICK_MS).unref();
}

server.listen(PORT, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
  // Warm the emulation caches (records scan every day of every unit) in small steps,
  // so the first records book or standings request does not wait for all of it.
  const steps = [() => standings(drives[0], {}), ...RECORD_INDS.flatMap((i) => ['day', 'month', 'year'].map((g) => () => recordsFor(i, g, 'all', null)))];
  const next = () => { const f = steps.shift(); if (f) { f(); setImmediate(next); } };
  setImmediate(next);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of sseClients) c.end();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
