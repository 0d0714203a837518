// The JSON API under /api: one fetch wrapper, the types of its answers, and
// small caches for the data that rarely changes (indicators, hierarchies, groups).

export type Role = 'admin' | 'planner' | 'reporter' | 'viewer' | string;

export interface User {
  name: string;
  role: Role;
  scope: string | null;
  units: string[];
}

export interface Session {
  user: User;
  csrf: string;
}

export interface FieldError {
  path?: string;
  line?: number;
  column?: number;
  field?: string;
  reason?: string;
  message?: string;
}

export interface Row {
  kind: 'group' | 'unit' | 'total' | string;
  target: string;
  name: string;
  indicator: string;
  plan: number | null;
  actual: number | null;
  percent: number | null;
  plan_to_date: number | null;
  pace: number | null;
  forecast: number | null;
  status: string | null;
  reported_days: number | null;
  units: number | null;
  with_plan: number | null;
  overfulfilled: number | null;
  fulfilled: number | null;
  on_track: number | null;
  at_risk: number | null;
  behind: number | null;
  plan_difference: number | null;
}

export interface Fulfilment {
  period: string;
  as_of: string | null;
  rows: Row[];
}

export interface Indicator {
  code: string;
  name: string;
  measure: string;
  direction: 'higher' | 'lower' | string;
  aggregation: string;
  role: string;
  grain: string;
  numerator: string | null;
  denominator: string | null;
}

export interface Hierarchy {
  code: string;
  levels: number;
  groups: number;
}

export interface Group {
  hierarchy: string;
  code: string;
  name: string;
  parent: string | null;
  depth: number;
  units: number;
}

export interface UnitSummary {
  code: string;
  name: string;
  groups: Record<string, string>;
}

export interface UnitDetail extends UnitSummary {
  attributes: Record<string, unknown>;
}

export interface UnitList {
  total: number;
  offset: number;
  limit: number;
  units: UnitSummary[];
}

export interface SeriesPoint {
  period: string;
  plan: number | null;
  actual: number | null;
}

export interface Series {
  unit: string;
  indicator: string;
  grain: string;
  points: SeriesPoint[];
}

export interface Revision {
  seq: number;
  value: number | null;
  author: string | null;
  recorded_at: string | null;
  kind: string | null;
  source: string | null;
}

export interface ImportResult {
  rows: number;
  imported: number;
  updated: number;
  ignored: number;
}

export interface ReportInput {
  unit: string;
  indicator: string;
  date: string;
  value: number;
  key?: string;
}

// ---- emulation: drives, standings, records, outliers, standards -------------------

/** A participant of a drive, or a record holder: a unit or a group ("region/P01"). */
export interface Participant {
  kind: 'unit' | 'group' | string;
  code: string;
  name: string;
}

export interface DriveTerm {
  indicator: string;
  normalization: 'percent_of_plan' | 'growth' | 'per_capacity' | 'zscore' | string;
  weight: number;
  capacity: string | null;
}

export interface Season {
  index: number;
  begin: string;
  end: string;
}

export interface Drive {
  id: number;
  code: string;
  name: string;
  start: string;
  /** The last day, inclusive. */
  end: string;
  season_grain: string | null;
  participants: { kind: 'units' | 'groups' | string; hierarchy: string | null; level: number; within: string | null };
  terms: DriveTerm[];
  rule: string;
  growth_base: string;
  leagues: {
    hierarchy: string | null;
    level: number;
    size_attribute: string | null;
    size_bounds: number[];
    promote: number;
    relegate: number;
  };
  streak_grain: 'day' | 'month' | string;
  seasons: Season[];
  current_season: number | null;
}

export interface League {
  index: number;
  name: string;
  tier: number;
  peer_group: string | null;
}

export interface StandingPart {
  indicator: string;
  normalization: string;
  weight: number;
  raw: number | null;
  normalized: number | null;
  weighted: number | null;
}

export interface StandingRow {
  participant: Participant;
  league: number | null;
  scored: boolean;
  unscored_reason: string | null;
  score: number | null;
  rank: number | null;
  overall_rank: number | null;
  rank_change_day: number | null;
  rank_change_start: number | null;
  streak: number | null;
  promotion: boolean;
  relegation: boolean;
  parts: StandingPart[];
}

export interface Standings {
  drive: string;
  season: Season;
  as_of: string;
  level: string | null;
  leagues: League[];
  total: number;
  rows: StandingRow[];
}

export interface Honour {
  drive: string;
  season: number;
  participant: Participant;
  title: string;
  league: string | null;
  score: number | null;
}

export interface SeasonResult {
  participant: Participant;
  league: string | null;
  tier: number | null;
  rank: number | null;
  overall: number | null;
  score: number | null;
  title: 'winner' | 'league_winner' | 'promoted' | 'relegated' | string | null;
}

export interface Results {
  drive: string;
  season: Season;
  finalized: boolean;
  results: SeasonResult[];
}

export interface RecordEntry {
  indicator: string;
  grain: 'day' | 'month' | 'year' | string;
  scope: 'unit' | 'group' | 'all' | string;
  target: string | null;
  holder: Participant;
  period: string;
  value: number;
  previous: { holder: Participant; period: string; value: number } | null;
}

export interface Outlier {
  unit: Participant;
  indicator: string;
  date: string;
  value: number;
  expected: number | null;
  score: number | null;
  reason: 'history' | 'capacity' | string;
  confirmed: boolean | null;
}

export interface StandardRevision {
  from: string;
  value: number;
  source: 'manual' | 'derived' | string;
  note: string | null;
}

export interface Standard {
  indicator: string;
  peer_group: string | null;
  current: StandardRevision | null;
  history: StandardRevision[];
  season: string | null;
  units: number | null;
  meeting: number | null;
  advanced_level: number | null;
}

export interface Rebase {
  rebase: boolean;
  standard: StandardRevision | null;
  reason: string;
}

export interface StandingsQuery {
  as_of?: string;
  level?: string;
  league?: number | string;
  within?: string;
  offset?: number;
  limit?: number;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public errors: FieldError[] = [],
    public retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get forbidden(): boolean {
    return this.status === 403;
  }
}

let csrfToken = '';
export function setCsrf(token: string): void {
  csrfToken = token;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  json?: unknown;
  text?: string | Blob;
  contentType?: string;
  signal?: AbortSignal;
  /** Do not announce a 401 to the app (login and /me handle it themselves). */
  quiet401?: boolean;
}

/** Listeners told when any request answers 401 (the session ended). */
const unauthListeners = new Set<() => void>();
export function onUnauthenticated(fn: () => void): void {
  unauthListeners.add(fn);
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.text !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'text/csv';
    body = opts.text;
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection and try again.');
  }

  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; errors?: FieldError[] } } | null)?.error;
    const retry = res.headers.get('Retry-After');
    let retryAfter: number | null = null;
    if (retry) {
      const n = Number(retry);
      retryAfter = Number.isFinite(n) ? n : Math.max(0, Math.round((Date.parse(retry) - Date.now()) / 1000));
    }
    const e = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? (res.statusText || `HTTP ${res.status}`),
      Array.isArray(err?.errors) ? err!.errors : [],
      retryAfter,
    );
    if (res.status === 401 && !opts.quiet401) unauthListeners.forEach((fn) => fn());
    throw e;
  }
  if (data === null && text) throw new ApiError(res.status, 'bad_json', 'The server answered something that is not JSON.');
  return data as T;
}

// ---- endpoints -------------------------------------------------------------

export const api = {
  login: (name: string, password: string) =>
    request<Session>('/api/login', { method: 'POST', json: { name, password }, quiet401: true }),
  logout: () => request<unknown>('/api/logout', { method: 'POST', quiet401: true }),
  me: (signal?: AbortSignal) => request<Session>('/api/me', { signal, quiet401: true }),

  fulfilment: (
    q: { period: string; by?: string; within?: string; indicator?: string; units?: boolean; as_of?: string },
    signal?: AbortSignal,
  ) => request<Fulfilment>('/api/fulfilment', { query: q, signal }),

  units: (
    q: { within?: string; q?: string; sort?: string; offset?: number; limit?: number },
    signal?: AbortSignal,
  ) => request<UnitList>('/api/units', { query: q, signal }),
  unit: (code: string, signal?: AbortSignal) =>
    request<UnitDetail>(`/api/units/${encodeURIComponent(code)}`, { signal }),
  unitSeries: (
    code: string,
    q: { indicator: string; from: string; to: string; grain: 'day' | 'month' },
    signal?: AbortSignal,
  ) => request<Series>(`/api/units/${encodeURIComponent(code)}/series`, { query: q, signal }),
  unitFulfilment: (code: string, period: string, signal?: AbortSignal) =>
    request<Fulfilment>(`/api/units/${encodeURIComponent(code)}/fulfilment`, { query: { period }, signal }),

  history: (q: { unit: string; indicator: string; date: string }, signal?: AbortSignal) =>
    request<{ revisions: Revision[] }>('/api/reports/history', { query: q, signal }),
  postReports: (body: ReportInput | ReportInput[]) =>
    request<ImportResult>('/api/reports', { method: 'POST', json: body }),
  importCsv: (kind: string, csv: string | Blob, dryRun: boolean) =>
    request<ImportResult>(`/api/import/${encodeURIComponent(kind)}`, {
      method: 'POST',
      query: { dry_run: dryRun ? 'true' : undefined },
      text: csv,
      contentType: 'text/csv',
    }),

  drives: (signal?: AbortSignal) => request<{ drives: Drive[] }>('/api/drives', { signal }).then((r) => r.drives),
  drive: (code: string, signal?: AbortSignal) => request<Drive>(`/api/drives/${encodeURIComponent(code)}`, { signal }),
  standings: (code: string, q: StandingsQuery, signal?: AbortSignal) =>
    request<Standings>(`/api/drives/${encodeURIComponent(code)}/standings`, { query: { ...q }, signal }),
  results: (code: string, season: number, signal?: AbortSignal) =>
    request<Results>(`/api/drives/${encodeURIComponent(code)}/results`, { query: { season }, signal }),
  finalize: (code: string, season: number) =>
    request<Results>(`/api/drives/${encodeURIComponent(code)}/seasons/${season}/finalize`, { method: 'POST' }),
  honours: (drive: string, signal?: AbortSignal) =>
    request<{ honours: Honour[] }>('/api/honours', { query: { drive }, signal }).then((r) => r.honours),
  records: (q: { indicator?: string; grain?: string; scope?: string; target?: string }, signal?: AbortSignal) =>
    request<{ records: RecordEntry[] }>('/api/records', { query: q, signal }).then((r) => r.records),
  outliers: (q: { unit?: string; indicator?: string }, signal?: AbortSignal) =>
    request<{ outliers: Outlier[] }>('/api/outliers', { query: q, signal }).then((r) => r.outliers),
  reviewOutlier: (body: { unit: string; indicator: string; date: string; confirmed: boolean; note?: string }) =>
    request<unknown>('/api/outliers/review', { method: 'POST', json: body }),
  /** season: the grain of the seasons the rule looks at (month, quarter, half, year; the server's default: year). */
  standards: (asOf?: string, signal?: AbortSignal, season?: string) =>
    request<{ standards: Standard[] }>('/api/standards', { query: { as_of: asOf, season }, signal }).then((r) => r.standards),
  setStandard: (body: { indicator: string; peer_group: string | null; from: string; value: number; note: string }) =>
    // The server answers the stored revision (201).
    request<StandardRevision>('/api/standards', { method: 'POST', json: body }),
  rebase: (body: { indicator: string; peer_group: string | null; as_of?: string; season?: string; apply: boolean }) =>
    request<Rebase>('/api/standards/rebase', { method: 'POST', json: body }),

  hierarchies: cached('hierarchies', () =>
    request<{ hierarchies: Hierarchy[] }>('/api/hierarchies').then((r) => r.hierarchies),
  ),
  indicators: cached('indicators', () =>
    request<{ indicators: Indicator[] }>('/api/indicators').then((r) => r.indicators),
  ),
  groups: (hierarchy: string, parent?: string) =>
    cachedKey(`groups:${hierarchy}:${parent ?? ''}`, () =>
      request<{ groups: Group[] }>('/api/groups', { query: { hierarchy, parent } }).then((r) => r.groups),
    ),
};

// Promise caches: one request per key per session; a failed request is forgotten.
const cache = new Map<string, Promise<unknown>>();
function cachedKey<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
function cached<T>(key: string, load: () => Promise<T>): () => Promise<T> {
  return () => cachedKey(key, load);
}
export function clearCaches(): void {
  cache.clear();
}

/** Indicators by code (from the cached list). */
export async function indicatorMap(): Promise<Map<string, Indicator>> {
  const list = await api.indicators();
  return new Map(list.map((i) => [i.code, i]));
}

/** A unit's name, fetched once (used by the live feed and the report form). */
const unitNames = new Map<string, Promise<string>>();
export function unitName(code: string): Promise<string> {
  let p = unitNames.get(code);
  if (!p) {
    p = api.unit(code).then(
      (u) => u.name,
      () => {
        unitNames.delete(code);
        return '';
      },
    );
    unitNames.set(code, p);
  }
  return p;
}

/** Runs tasks with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A random idempotency key (randomUUID needs a secure context; fall back to getRandomValues). */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
