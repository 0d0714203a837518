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
