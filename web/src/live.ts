// The live event stream: one EventSource on /api/events for the whole session,
// so events keep arriving while the user is on other pages.
//
// EventSource only delivers named events to listeners registered for that name,
// so every name the server may send is listed in EVENT_TYPES; unnamed events
// arrive as "message". Events of a type the dashboard does not know are shown
// generically (their JSON data).

export const EVENT_TYPES = [
  'status',
  'statuses',
  'record',
  'records',
  'overtaking',
  'overtake',
  'overtakings',
  'join',
  'joins',
  'adoption',
  'movement',
  'commitment',
  'delivery',
  'drive',
  'standing',
  'standings',
  'honour',
  'standard',
  'outlier',
  'bulletin',
  'report',
  'reports',
  'import',
  'plan',
  'model',
  'model_overtaken',
  'models_overtaken',
  'message',
];
const IGNORED = new Set(['ping', 'heartbeat', 'keepalive']);
export const CAP = 200;

export interface LiveEvent {
  seq: number;
  id: string;
  type: string;
  data: unknown;
  raw: string;
  received: Date;
}

export type LiveState = 'off' | 'connecting' | 'open' | 'reconnecting';

let es: EventSource | null = null;
let state: LiveState = 'off';
let events: LiveEvent[] = [];
let seq = 0;
let unseen = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryDelay = 2000;
const seenIds = new Set<string>();
const listeners = new Set<() => void>();
const eventListeners = new Set<(e: LiveEvent) => void>();

export function liveState(): LiveState {
  return state;
}
export function liveEvents(): readonly LiveEvent[] {
  return events;
}
export function unseenCount(): number {
  return unseen;
}
export function markSeen(): void {
  if (unseen) {
    unseen = 0;
    notify();
  }
}
/** Called on any change (state, new event, seen counter). */
export function onLive(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
/** Called for each new event. */
export function onLiveEvent(fn: (e: LiveEvent) => void): () => void {
  eventListeners.add(fn);
  return () => eventListeners.delete(fn);
}

function notify(): void {
  listeners.forEach((fn) => fn());
}

function setState(s: LiveState): void {
  if (state !== s) {
    state = s;
    notify();
  }
}

function receive(type: string, ev: MessageEvent): void {
  if (IGNORED.has(type)) return;
  const id = ev.lastEventId || '';
  if (id) {
    // After a reconnect the server may replay from Last-Event-ID: keep each event once.
    if (seenIds.has(`${type}:${id}`)) return;
    seenIds.add(`${type}:${id}`);
    if (seenIds.size > CAP * 4) {
      const keep = events.map((e) => `${e.type}:${e.id}`);
      seenIds.clear();
      keep.forEach((k) => seenIds.add(k));
    }
  }
  let data: unknown = ev.data;
  try {
    data = JSON.parse(ev.data);
  } catch {
    /* plain text data */
  }
  seq += 1;
  const e: LiveEvent = { seq, id, type, data, raw: String(ev.data), received: new Date() };
  events = [e, ...events].slice(0, CAP);
  unseen += 1;
  eventListeners.forEach((fn) => fn(e));
  notify();
}

export function startLive(): void {
  if (es) return;
  if (typeof EventSource === 'undefined') return;
  clearTimeout(retryTimer);
  setState(state === 'off' ? 'connecting' : 'reconnecting');
  const source = new EventSource('/api/events');
  es = source;
  source.onopen = () => {
    retryDelay = 2000;
    setState('open');
  };
  source.onerror = () => {
    if (es !== source) return;
    if (source.readyState === EventSource.CLOSED) {
      // The browser gives up on an HTTP error answer: retry ourselves, with backoff.
      es = null;
      setState('reconnecting');
      retryTimer = setTimeout(startLive, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    } else {
      setState('reconnecting'); // the browser reconnects by itself
    }
  };
  for (const t of EVENT_TYPES) source.addEventListener(t, (ev) => receive(t, ev as MessageEvent));
}

export function stopLive(): void {
  clearTimeout(retryTimer);
  if (es) es.close();
  es = null;
  events = [];
  seenIds.clear();
  unseen = 0;
  setState('off');
}

// ---- emulation events (the drive board and the feed read these shapes) ----------

export interface EventParticipant {
  kind: string;
  code: string;
  name: string;
}

/** `overtaking`: one participant passed another in a drive's standings. */
export interface OvertakingEvent {
  drive: string;
  drive_name: string;
  league: number | null;
  league_name: string | null;
  level: string | null;
  overtaker: EventParticipant;
  overtaken: EventParticipant;
  margin: number;
  new_rank: number;
  at: string;
}

/** `record`: a new record (or one withdrawn by a correction, the previous restored). */
export interface RecordEvent {
  kind: 'new' | 'withdrawn' | string;
  indicator: string;
  grain: string;
  scope: string;
  target: string | null;
  record: { holder: EventParticipant; period: string; value: number } | null;
  previous: { holder: EventParticipant; period: string; value: number } | null;
  at: string;
}

function isParticipant(v: unknown): v is EventParticipant {
  return !!v && typeof v === 'object' && typeof (v as EventParticipant).code === 'string';
}

/** The event as an overtaking, when it is one (type and shape checked). */
export function asOvertaking(e: LiveEvent): OvertakingEvent | null {
  if (e.type !== 'overtaking' && e.type !== 'overtake') return null;
  const d = e.data as OvertakingEvent | null;
  return d && typeof d === 'object' && typeof d.drive === 'string' && isParticipant(d.overtaker) && isParticipant(d.overtaken) ? d : null;
}

/** The event as a record event, when it is one of the contract's shape. */
export function asRecord(e: LiveEvent): RecordEvent | null {
  if (e.type !== 'record' && e.type !== 'records') return null;
  const d = e.data as RecordEvent | null;
  return d && typeof d === 'object' && typeof d.indicator === 'string' && typeof d.kind === 'string' ? d : null;
}

/** `model_overtaken`: a follower passed its model on a compared indicator this month. */
export interface ModelOvertakenEvent {
  model: EventParticipant;
  follower: EventParticipant;
  peer_group: { kind: string; code?: string; name?: string; drive?: string; league?: string } | null;
  indicator: string;
  month: string;
  model_value: number | null;
  follower_value: number | null;
  at?: string;
}

/** The event as a model overtaken (units as {code,name} or bare codes). */
export function asModelOvertaken(e: LiveEvent): ModelOvertakenEvent | null {
  if (e.type !== 'model_overtaken') return null;
  const d = e.data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object' || typeof d.indicator !== 'string') return null;
  const unit = (v: unknown): EventParticipant | null =>
    typeof v === 'string' ? { kind: 'unit', code: v, name: '' } : isParticipant(v) ? { kind: 'unit', code: v.code, name: v.name ?? '' } : null;
  const model = unit(d.model);
  const follower = unit(d.follower);
  if (!model || !follower) return null;
  return { ...(d as unknown as ModelOvertakenEvent), model, follower };
}
