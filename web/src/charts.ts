// uPlot charts: a time chart with lines and bars that follows its container's width.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom';
import { num, pct } from './format';

export const PALETTE = [
  '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#393b79', '#ad494a',
];

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  kind?: 'line' | 'bars' | 'step';
  dash?: number[];
  width?: number;
}

export interface ChartOpts {
  /** x values: unix seconds (UTC days or months). */
  x: number[];
  series: ChartSeries[];
  yFormat?: 'percent' | 'number';
  height?: number;
  title?: string;
  testid?: string;
  /** x values are months: ticks show month names. */
  months?: boolean;
  /** Called with the index of the clicked point. */
  onPick?: (idx: number) => void;
  /** A horizontal reference line (e.g. 100 % of plan). */
  refLine?: number;
}

function css(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Mounts a chart into a new element; returns it and a destroy function. */
export function timeChart(opts: ChartOpts): { el: HTMLElement; destroy: () => void } {
  const el = h('div', { class: 'chart', testid: opts.testid, role: 'img', 'aria-label': opts.title ?? 'Chart' });
  const fmt = opts.yFormat === 'percent' ? (v: number) => pct(v, 0) : (v: number) => num(v);
  const axisColor = css('--muted', '#666');
  const gridColor = css('--grid', 'rgba(0,0,0,0.08)');

  const series: uPlot.Series[] = [{ value: (_u, v) => (v == null ? '—' : utcLabel(v, !!opts.months)) }];
  const data: uPlot.AlignedData = [opts.x];
  for (const s of opts.series) {
    const base: uPlot.Series = {
      label: s.label,
      stroke: s.color,
      width: s.width ?? 2,
      dash: s.dash,
      spanGaps: false,
      value: (_u, v) => (v == null ? '—' : opts.yFormat === 'percent' ? pct(v) : num(v)),
      points: { show: opts.x.length <= 40 },
    };
    if (s.kind === 'bars') {
      base.paths = uPlot.paths.bars!({ size: [0.7, 40] });
      base.fill = `${s.color}99`;
      base.points = { show: false };
    } else if (s.kind === 'step') {
      base.paths = uPlot.paths.stepped!({ align: 1 });
      base.points = { show: false };
    }
    series.push(base);
    data.push(s.values);
  }
  if (opts.refLine !== undefined) {
    series.push({ label: 'Plan', stroke: axisColor, width: 1, dash: [6, 4], points: { show: false }, value: () => fmt(opts.refLine!) });
    data.push(opts.x.map(() => opts.refLine!));
  }

  const height = opts.height ?? (document.documentElement.classList.contains('wall') ? 380 : 260);
  const fontSize = document.documentElement.classList.contains('wall') ? 16 : 12;
  const font = `${fontSize}px system-ui, sans-serif`;
  const hasBars = opts.series.some((s) => s.kind === 'bars');
  // Bars need half a step of room at both ends; values start at 0; percents show 100.
  const step = opts.x.length > 1 ? (opts.x[opts.x.length - 1] - opts.x[0]) / (opts.x.length - 1) : 15 * 86400;
  const xRange: uPlot.Range.Function = (_u, min, max) =>
    hasBars || opts.x.length === 1 ? [min - step / 2, max + step / 2] : [min, max];
  const yRange: uPlot.Range.Function = (_u, min, max) => {
    if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
    if (opts.yFormat === 'percent') {
      const lo = Math.min(min, opts.refLine ?? min) ;
      const hi = Math.max(max, opts.refLine ?? max);
      const pad = Math.max(2, (hi - lo) * 0.1);
      return [Math.floor(lo - pad), Math.ceil(hi + pad)];
    }
    return [Math.min(0, min), max > 0 ? max * 1.08 : 1];
  };
  const uopts: uPlot.Options = {
    width: 600,
    height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    series,
    scales: { x: { time: true, range: xRange }, y: { range: yRange } },
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    axes: [
      {
        stroke: axisColor,
        grid: { stroke: gridColor },
        ticks: { stroke: gridColor },
        font,
        // months: one tick per data point (the month starts); days: uPlot's ticks, local labels
        splits: opts.months
          ? (u) => {
              const room = Math.max(1, Math.floor(u.bbox.width / (window.devicePixelRatio || 1) / (fontSize * 4)));
              const every = Math.ceil(opts.x.length / room);
              return opts.x.filter((_, i) => i % every === 0);
            }
          : undefined,
        values: (_u, splits) => splits.map((v) => utcLabel(v, !!opts.months, true)),
      },
      { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor }, font, size: 70, values: (_u, splits) => splits.map(fmt) },
    ],
  };
  const plot = new uPlot(uopts, data, el);
  if (opts.onPick) {
    plot.over.style.cursor = 'pointer';
    plot.over.addEventListener('click', () => {
      const idx = plot.cursor.idx;
      if (idx !== null && idx !== undefined) opts.onPick!(idx);
    });
  }
  const fit = () => {
    const w = Math.max(260, Math.floor(el.clientWidth || el.parentElement?.clientWidth || 600));
    const hh = document.documentElement.classList.contains('wall') ? Math.max(height, 380) : height;
    if (w !== plot.width || hh !== plot.height) plot.setSize({ width: w, height: hh });
  };
  const ro = new ResizeObserver(() => fit());
  ro.observe(el);
  requestAnimationFrame(fit);
  return {
    el,
    destroy: () => {
      ro.disconnect();
      plot.destroy();
    },
  };
}

const monthFmt = new Intl.DateTimeFormat(navigator.language || 'en', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthOnly = new Intl.DateTimeFormat(navigator.language || 'en', { month: 'short', timeZone: 'UTC' });
const dayFmt = new Intl.DateTimeFormat(navigator.language || 'en', { day: 'numeric', month: 'short', timeZone: 'UTC' });

function utcLabel(sec: number, months: boolean, short = false): string {
  const d = new Date(sec * 1000);
  if (months) return short ? monthOnly.format(d) : monthFmt.format(d);
  return dayFmt.format(d);
}

/** "2026-11-05" or "2026-11" → unix seconds at UTC midnight. */
export function toSec(period: string): number {
  const [y, m, d] = period.split('-').map(Number);
  return Date.UTC(y, (m || 1) - 1, d || 1) / 1000;
}

// ---- scatter with a frontier line (SVG: each point is an element, with a title) ----

export interface ScatterPoint {
  x: number;
  y: number;
  /** The point's name (a unit code): data-code, and the text of its title. */
  code: string;
  title: string;
  highlight?: boolean;
  href?: string;
}

export interface ScatterOpts {
  points: ScatterPoint[];
  /** The frontier: a polyline through these points (in order). */
  line?: [number, number][];
  /** Dashed continuations of the frontier (to the edges of the plot). */
  lineExtensions?: [number, number][][];
  xLabel: string;
  yLabel: string;
  title: string;
  testid?: string;
  height?: number;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...kids: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of kids) el.append(c);
  return el;
}

/** Round tick values covering [0, max]: 1, 2 or 5 times a power of ten apart. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1] < max) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

/**
 * A scatter of units in the plane of two ratios, from 0, with highlighted points drawn
 * on top and the frontier as a line. It scales with its container (viewBox); each point
 * links to its href and says its title on hover and to screen readers.
 */
export function scatterChart(opts: ScatterOpts): { el: HTMLElement; destroy: () => void } {
  const W = 720;
  const H = opts.height ?? 420;
  const m = { l: 64, r: 16, t: 12, b: 48 };
  const pts = opts.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs = niceTicks(Math.max(0, ...pts.map((p) => p.x)) * 1.04);
  const ys = niceTicks(Math.max(0, ...pts.map((p) => p.y)) * 1.04);
  const xMax = xs[xs.length - 1];
  const yMax = ys[ys.length - 1];
  const px = (x: number) => m.l + (Math.min(x, xMax) / xMax) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - (Math.min(y, yMax) / yMax) * (H - m.t - m.b);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'scatter', role: 'group', 'aria-label': opts.title, preserveAspectRatio: 'xMidYMid meet' });
  const grid = svg('g', { class: 'scatter-grid' });
  for (const v of xs) {
    grid.append(svg('line', { x1: px(v), x2: px(v), y1: m.t, y2: H - m.b }));
    grid.append(svg('text', { x: px(v), y: H - m.b + 16, 'text-anchor': 'middle', class: 'scatter-tick' }, num(v)));
  }
  for (const v of ys) {
    grid.append(svg('line', { x1: m.l, x2: W - m.r, y1: py(v), y2: py(v) }));
    grid.append(svg('text', { x: m.l - 6, y: py(v) + 4, 'text-anchor': 'end', class: 'scatter-tick' }, num(v)));
  }
  grid.append(svg('text', { x: (m.l + W - m.r) / 2, y: H - 8, 'text-anchor': 'middle', class: 'scatter-axis', 'data-testid': 'scatter-x-label' }, opts.xLabel));
  grid.append(svg('text', { x: 14, y: (m.t + H - m.b) / 2, 'text-anchor': 'middle', class: 'scatter-axis', transform: `rotate(-90 14 ${(m.t + H - m.b) / 2})`, 'data-testid': 'scatter-y-label' }, opts.yLabel));
  root.append(grid);
  const path = (line: [number, number][]) => line.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
  for (const ext of opts.lineExtensions ?? []) if (ext.length > 1) root.append(svg('path', { d: path(ext), class: 'scatter-frontier scatter-frontier-ext' }));
  if (opts.line && opts.line.length > 1) root.append(svg('path', { d: path(opts.line), class: 'scatter-frontier', 'data-testid': 'scatter-frontier' }));
  // Ordinary points first, highlighted ones on top.
  const ordered = [...pts.filter((p) => !p.highlight), ...pts.filter((p) => p.highlight)];
  for (const p of ordered) {
    const dot = svg('circle', {
      cx: px(p.x).toFixed(1),
      cy: py(p.y).toFixed(1),
      r: p.highlight ? 6 : 4,
      class: p.highlight ? 'scatter-point scatter-point-hi' : 'scatter-point',
      'data-testid': 'scatter-point',
      'data-code': p.code,
      'data-efficient': String(!!p.highlight),
    }, svg('title', {}, p.title));
    if (p.href) {
      const a = svg('a', { href: p.href, 'aria-label': p.title });
      a.append(dot);
      root.append(a);
    } else root.append(dot);
  }
  const el = h('div', { class: 'chart chart-scatter', testid: opts.testid, role: 'figure', 'aria-label': opts.title });
  el.append(root);
  return { el, destroy: () => el.replaceChildren() };
}

/**
 * The lower-left convex hull of points (input-oriented isoquant): from the point of
 * least x to the point of least y, convex, each step down and to the right.
 */
export function lowerLeftHull(points: [number, number][]): [number, number][] {
  const pts = [...points].filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const hull: [number, number][] = [];
  for (const p of pts) {
    while (hull.length >= 2) {
      const [o, a] = [hull[hull.length - 2], hull[hull.length - 1]];
      const cross = (a[0] - o[0]) * (p[1] - o[1]) - (a[1] - o[1]) * (p[0] - o[0]);
      if (cross <= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  // The lower hull runs left to right; keep it while it still goes down.
  const out: [number, number][] = [];
  for (const p of hull) {
    if (out.length && p[1] >= out[out.length - 1][1]) break;
    out.push(p);
  }
  return out;
}

/** The upper-right hull (output-oriented frontier): mirrored lower-left hull. */
export function upperRightHull(points: [number, number][]): [number, number][] {
  return lowerLeftHull(points.map(([x, y]) => [-x, -y])).map(([x, y]) => [-x, -y] as [number, number]);
}

/** A small line of values (nulls are gaps), with an optional zero line; for table cells. */
export function sparkline(values: (number | null)[], opts: { title: string; testid?: string; width?: number; height?: number; zero?: boolean }): SVGSVGElement {
  const W = opts.width ?? 120;
  const H = opts.height ?? 28;
  const vs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(0, ...vs);
  const hi = Math.max(0, ...vs);
  const span = hi - lo || 1;
  const px = (i: number) => (values.length > 1 ? (i / (values.length - 1)) * (W - 4) + 2 : W / 2);
  const py = (v: number) => H - 2 - ((v - lo) / span) * (H - 4);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${px(i).toFixed(1)},${py(v).toFixed(1)}`;
    pen = true;
  });
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'spark', role: 'img', 'aria-label': opts.title });
  if (opts.testid) root.setAttribute('data-testid', opts.testid);
  root.append(svg('title', {}, opts.title));
  if (opts.zero !== false && lo < 0 && hi > 0) root.append(svg('line', { x1: 0, x2: W, y1: py(0), y2: py(0), class: 'spark-zero' }));
  if (d) root.append(svg('path', { d, class: 'spark-line' }));
  const lastI = values.map((v, i) => (v === null ? -1 : i)).reduce((a, b) => Math.max(a, b), -1);
  if (lastI >= 0) root.append(svg('circle', { cx: px(lastI), cy: py(values[lastI]!), r: 2.5, class: 'spark-end' }));
  return root;
}

/** The upper-left hull (one input, one output: from the least input up to the most output). */
export function upperLeftHull(points: [number, number][]): [number, number][] {
  return lowerLeftHull(points.map(([x, y]) => [x, -y])).map(([x, y]) => [x, -y] as [number, number]);
}
