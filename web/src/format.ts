// Localized numbers and dates (Intl, navigator.language) and the fulfilment statuses.

import { h } from './dom';

export const lang = (typeof navigator !== 'undefined' && navigator.language) || 'en';

const nf0 = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
const nf3 = new Intl.NumberFormat(lang, { maximumSignificantDigits: 3 });
const pct1 = new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pct0 = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 });

export const DASH = '—';

/** A quantity: integers for large values, some decimals for small ones. */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const a = Math.abs(v);
  if (a >= 1000) return nf0.format(v);
  if (a >= 10) return nf1.format(v);
  if (a >= 0.01 || a === 0) return nf2.format(v);
  return nf3.format(v);
}

export function int(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return nf0.format(v);
}

export function compactNum(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return compact.format(v);
}

/** A percent given in percent units (103.4 → "103.4 %" as the locale writes it). */
export function pct(v: number | null | undefined, digits: 0 | 1 = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return (digits === 0 ? pct0 : pct1).format(v / 100);
}

/** Pace (a ratio, 1 = on plan) shown as a percent. */
export function pace(v: number | null | undefined): string {
  return v === null || v === undefined ? DASH : pct(v * 100);
}

// Dates in the API are calendar days (YYYY-MM-DD): format them in UTC so no
// time zone shifts them by a day.
function utcDate(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(day);
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, m[3] ? +m[3] : 1));
}

const dfDay = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
const dfMonth = new Intl.DateTimeFormat(lang, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const dfMonthShort = new Intl.DateTimeFormat(lang, { month: 'short', timeZone: 'UTC' });
const dfDayShort = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dfDateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });
const dfTime = new Intl.DateTimeFormat(lang, { timeStyle: 'medium' });

export function day(d: string | null | undefined): string {
  if (!d) return DASH;
  const t = utcDate(d);
  return t ? dfDay.format(t) : d;
}

export function dayShort(d: string): string {
  const t = utcDate(d);
  return t ? dfDayShort.format(t) : d;
}

export function monthShort(m: number): string {
  return dfMonthShort.format(new Date(Date.UTC(2000, m - 1, 1)));
}

/** A period identifier for humans: 2026 → "2026", 2026-11 → "November 2026", a day → its date. */
export function period(p: string | null | undefined): string {
  if (!p) return DASH;
  if (/^\d{4}-\d{2}$/.test(p)) return dfMonth.format(utcDate(p)!);
  if (/^\d{4}-\d{2}-\d{2}$/.test(p)) return day(p);
  return p;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : dfDateTime.format(t);
}

export function time(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : dfTime.format(t);
}

/** Parses a number typed by a person: accepts the locale's decimal comma. */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!t) return null;
  let s = t;
  if (/^-?\d+,\d+$/.test(s)) s = s.replace(',', '.');
  else if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  else if (/^-?\d{1,3}(\.\d{3})+,\d+$/.test(s)) s = s.replace(/\./g, '').replace(',', '.');
  if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

// ---- statuses -----------------------------------------------------------------

export interface StatusInfo {
  key: string;
  label: string;
  icon: string;
}

export const STATUSES: Record<string, StatusInfo> = {
  overfulfilled: { key: 'overfulfilled', label: 'Overfulfilled', icon: '▲' },
  fulfilled: { key: 'fulfilled', label: 'Fulfilled', icon: '✓' },
  on_track: { key: 'on_track', label: 'On track', icon: '→' },
  at_risk: { key: 'at_risk', label: 'At risk', icon: '!' },
  behind: { key: 'behind', label: 'Behind', icon: '▼' },
  no_plan: { key: 'no_plan', label: 'No plan', icon: '·' },
  no_report: { key: 'no_report', label: 'No report', icon: '·' },
  no_data: { key: 'no_report', label: 'No report', icon: '·' },
};

/** The counted statuses of a group row, in display order. */
export const COUNTED = ['overfulfilled', 'fulfilled', 'on_track', 'at_risk', 'behind'] as const;

export function statusInfo(s: string | null | undefined): StatusInfo {
  if (!s) return { key: 'unknown', label: 'Unknown', icon: '?' };
  const known = STATUSES[s];
  if (known) return known;
  const label = s.replace(/[_-]+/g, ' ');
  return { key: 'unknown', label: label.charAt(0).toUpperCase() + label.slice(1), icon: '?' };
}

/** A status badge: colour, an icon and the word (never colour alone). */
export function statusBadge(s: string | null | undefined, testid?: string): HTMLSpanElement {
  const st = statusInfo(s);
  return h(
    'span',
    { class: `status status-${st.key}`, 'data-status': s ?? '', testid },
    h('span', { class: 'status-icon', 'aria-hidden': 'true' }, st.icon),
    st.label,
  );
}
