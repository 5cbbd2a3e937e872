// An incident's timeline: the event type and calls (api/timeline_handlers.go),
// and the pure logic of the timeline views — filtering, chat-thread folding,
// grouping by day in a time zone, wall-clock conversion for any IANA zone,
// and the time axis of the visual timeline (scale, ticks, density, zoom).
// Owned by the incident lane.
import { ApiError, get, patch, post, type Page } from './api'

// ---------- types and calls ----------

export type EventKind = 'chat' | 'alert' | 'ticket' | 'status' | 'call' | 'note' | 'change'
export const eventKinds: EventKind[] = ['chat', 'alert', 'ticket', 'status', 'call', 'note', 'change']

export interface TimelineEvent {
  id: number
  incident_id: number
  source: string
  external_id: string
  occurred_at: string
  original_occurred_at: string | null
  occurred_at_text: string
  kind: EventKind
  actor: string
  body: string
  link: string
  thread_id: string
  parent_id: string
  metadata: Record<string, unknown>
  key_event: boolean
  hidden: boolean
  import_batch_id: number | null
  corrected_by: string
  corrected_at: string | null
  /** Why the latest correction was made ("" when none was given). */
  correction_reason?: string
  version: number
  created_at: string
  updated_at: string
}

export interface EventInput {
  occurred_at: string
  body: string
  kind?: EventKind
  actor?: string
  source?: string
  link?: string
  metadata?: Record<string, unknown>
  key_event?: boolean
}

export interface AppendResult {
  added: number
  duplicates: number
  items: TimelineEvent[]
}

export interface EventPatch {
  key_event?: boolean
  hidden?: boolean
  occurred_at?: string
  body?: string
  actor?: string
  kind?: EventKind
  /** Why the time, text, actor or kind is corrected (≤ 500 characters). */
  reason?: string
}

/** Events typed in by a person (the only ones whose text and actor can be corrected). */
export const MANUAL = 'manual'

const inc = (key: string) => `/incidents/${encodeURIComponent(key)}`

/** The largest page the server gives. */
export const PAGE_SIZE = 500

/**
 * Every event of an incident, hidden ones included, in time order. Reads
 * page after page (500 each); onProgress gets the count so far and the total.
 */
export async function fetchTimeline(
  key: string,
  opts: { signal?: AbortSignal; onProgress?: (loaded: number, total: number) => void; maxPages?: number } = {},
): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = []
  let cursor: string | undefined
  for (let i = 0; i < (opts.maxPages ?? 200); i++) {
    const page = await get<Page<TimelineEvent>>(`${inc(key)}/timeline`, { include_hidden: true, limit: PAGE_SIZE, cursor }, { signal: opts.signal })
    out.push(...(page.items ?? []))
    opts.onProgress?.(out.length, page.total ?? out.length)
    if (!page.next_cursor) break
    cursor = page.next_cursor
  }
  return out
}

/**
 * Writes do not send the browser to the sign-in page when the session has
 * ended (what was typed would be lost): they fail with a message saying so.
 */
async function write<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (e) {
    if (e instanceof ApiError && e.status === 401)
      throw new ApiError(401, e.code, 'Your session has ended. Sign in again in another tab, then try again here — what you typed is still on this page.', {}, e.requestId)
    throw e
  }
}

export const appendEvent = (key: string, ev: EventInput) => write(post<AppendResult>(`${inc(key)}/timeline`, ev, { noRedirect: true }))

/** Stars, hides or corrects an event; a stale version answers 409 with the event as it is now. */
export const patchEvent = (key: string, id: number, fields: EventPatch, version: number) =>
  write(patch<TimelineEvent>(`${inc(key)}/timeline/${id}`, { ...fields, version }, { noRedirect: true }))

// ---------- kinds ----------

export const kindMeta: Record<EventKind, { label: string }> = {
  chat: { label: 'Chat' },
  alert: { label: 'Alert' },
  ticket: { label: 'Ticket' },
  status: { label: 'Status' },
  call: { label: 'Call' },
  note: { label: 'Note' },
  change: { label: 'Change' },
}

/** The kind used for colour and icon (unknown kinds show as notes). */
export function kindOf(e: Pick<TimelineEvent, 'kind'>): EventKind {
  return (eventKinds as string[]).includes(e.kind) ? e.kind : 'note'
}

/** The channel or place an event came from, when its metadata says so ("#general"). */
export function placeOf(e: Pick<TimelineEvent, 'metadata'>): string {
  const ch = e.metadata?.channel
  if (typeof ch === 'string' && ch) return ch.startsWith('#') || ch.startsWith('@') ? ch : '#' + ch
  return ''
}

export const time = (e: Pick<TimelineEvent, 'occurred_at'>) => Date.parse(e.occurred_at)

/** Time order, then id (the order the server gives). */
export function sortEvents<T extends Pick<TimelineEvent, 'occurred_at' | 'id'>>(events: T[]): T[] {
  return [...events].sort((a, b) => time(a) - time(b) || a.id - b.id)
}

// ---------- filters ----------

export interface TimelineFilter {
  sources: string[]
  kinds: EventKind[]
  actor: string
  keyOnly: boolean
  showHidden: boolean
  text: string
}

export const emptyFilter = (): TimelineFilter => ({ sources: [], kinds: [], actor: '', keyOnly: false, showHidden: false, text: '' })

export function isFiltering(f: TimelineFilter): boolean {
  return f.sources.length > 0 || f.kinds.length > 0 || !!f.actor || f.keyOnly || !!f.text.trim()
}

const list = (v: string | null) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])

/** The filter from the page's query (?source=slack,pagerduty&kind=chat&actor=ann&key=1&hidden=1&q=db). */
export function filterFromQuery(q: URLSearchParams): TimelineFilter {
  return {
    sources: list(q.get('source')),
    kinds: list(q.get('kind')).filter((k): k is EventKind => (eventKinds as string[]).includes(k)),
    actor: q.get('actor') ?? '',
    keyOnly: q.get('key') === '1',
    showHidden: q.get('hidden') === '1',
    text: q.get('q') ?? '',
  }
}

export function filterToQuery(f: TimelineFilter): Record<string, string | null> {
  return {
    source: f.sources.join(',') || null,
    kind: f.kinds.join(',') || null,
    actor: f.actor || null,
    key: f.keyOnly ? '1' : null,
    hidden: f.showHidden ? '1' : null,
    q: f.text.trim() || null,
  }
}

/** Lower-cased and without accents, for matching what people type. */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
}

/** Whether an event passes the filter. Every word of the text must occur in its body, actor, source or channel. */
export function matches(e: TimelineEvent, f: TimelineFilter): boolean {
  if (e.hidden && !f.showHidden) return false
  if (f.keyOnly && !e.key_event) return false
  if (f.sources.length && !f.sources.includes(e.source)) return false
  if (f.kinds.length && !f.kinds.includes(kindOf(e))) return false
  if (f.actor && fold(e.actor) !== fold(f.actor)) return false
  const words = fold(f.text).split(/\s+/).filter(Boolean)
  if (words.length) {
    const hay = fold(`${e.body}\n${e.actor}\n${e.source}\n${placeOf(e)}`)
    if (!words.every((w) => hay.includes(w))) return false
  }
  return true
}

export function filterEvents(events: TimelineEvent[], f: TimelineFilter): TimelineEvent[] {
  return events.filter((e) => matches(e, f))
}

export interface Facet {
  value: string
  count: number
}

function countBy(events: TimelineEvent[], key: (e: TimelineEvent) => string): Facet[] {
  const m = new Map<string, number>()
  for (const e of events) {
    const k = key(e)
    if (k) m.set(k, (m.get(k) ?? 0) + 1)
  }
  return [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
}

/** What the filters can offer: the sources, kinds and actors of the events, most frequent first. */
export function facets(events: TimelineEvent[]): { sources: Facet[]; kinds: Facet[]; actors: Facet[] } {
  return { sources: countBy(events, (e) => e.source), kinds: countBy(events, kindOf), actors: countBy(events, (e) => e.actor) }
}

// ---------- chat threads ----------

export interface Row {
  event: TimelineEvent
  /** Replies of a thread parent, in time order. */
  replies: TimelineEvent[]
  /** A reply shown on its own because its parent is not in the list (filtered out or not imported). */
  orphan: boolean
}

/**
 * Folds chat threads: a reply (parent_id set) goes under its parent — the
 * event of the same source whose external_id is the parent_id, or else the
 * thread's first message (same thread_id, no parent_id). Replies whose parent
 * is not among events stay rows of their own, marked orphan.
 */
export function foldThreads(events: TimelineEvent[]): Row[] {
  const byExternal = new Map<string, Row>()
  const byThread = new Map<string, Row>()
  const rows: Row[] = []
  const replies: TimelineEvent[] = []
  for (const e of events) {
    if (e.parent_id) {
      replies.push(e)
      continue
    }
    const row: Row = { event: e, replies: [], orphan: false }
    rows.push(row)
    if (e.external_id) byExternal.set(e.source + '\x00' + e.external_id, row)
    if (e.thread_id && !byThread.has(e.source + '\x00' + e.thread_id)) byThread.set(e.source + '\x00' + e.thread_id, row)
  }
  const orphans: Row[] = []
  for (const r of replies) {
    const parent = byExternal.get(r.source + '\x00' + r.parent_id) ?? (r.thread_id ? byThread.get(r.source + '\x00' + r.thread_id) : undefined)
    if (parent && parent.event.id !== r.id) parent.replies.push(r)
    else orphans.push({ event: r, replies: [], orphan: true })
  }
  if (orphans.length === 0) return rows
  // Put the orphans back in time order among the rows.
  const all = [...rows, ...orphans]
  return all.sort((a, b) => time(a.event) - time(b.event) || a.event.id - b.event.id)
}

/** The row (and whether it is a reply inside it) holding event id. */
export function findRow(rows: Row[], id: number): { index: number; reply: boolean } | null {
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].event.id === id) return { index: i, reply: false }
    if (rows[i].replies.some((r) => r.id === id)) return { index: i, reply: true }
  }
  return null
}

// ---------- time zones ----------

/** The zones offered besides local and UTC. */
export const commonZones = [
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Helsinki',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
]

/** Whether the runtime knows the zone ("local" and "UTC" always). */
export function validZone(zone: string): boolean {
  if (zone === 'local' || zone === 'UTC') return true
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const partsCache = new Map<string, Intl.DateTimeFormat>()
function wallFormat(zone: string): Intl.DateTimeFormat {
  let f = partsCache.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone === 'local' ? undefined : zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
    partsCache.set(zone, f)
  }
  return f
}

/** The wall clock of instant t (ms) in zone. */
export function wallClock(t: number, zone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, string> = {}
  for (const x of wallFormat(zone).formatToParts(new Date(t))) p[x.type] = x.value
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute, s: +p.second }
}

/** How far zone's wall clock is ahead of UTC at instant t, in ms (whole seconds). */
export function zoneOffset(t: number, zone: string): number {
  const w = wallClock(t, zone)
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s)
  return asUtc - Math.floor(t / 1000) * 1000
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** The value of <input type="datetime-local" step="1"> showing instant iso in zone. */
export function toZonedInput(iso: string | null | undefined, zone: string): string {
  if (!iso) return ''
  const t = Date.parse(iso)
  if (isNaN(t)) return ''
  const w = wallClock(t, zone)
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`
}

/**
 * The instant (RFC 3339, UTC) a datetime-local value means in zone, or null.
 * A wall time that does not exist (spring-forward gap) moves forward by the
 * gap; an ambiguous one (fall-back) is the earlier instant.
 */
export function fromZonedInput(value: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value.trim())
  if (!m) return null
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0))
  if (isNaN(wall)) return null
  // Try the offsets in force a day either side; keep those that give back the same wall clock.
  const offsets = [...new Set([zoneOffset(wall - 86400e3, zone), zoneOffset(wall, zone), zoneOffset(wall + 86400e3, zone)])]
  const fits = offsets.map((o) => wall - o).filter((t) => zoneOffset(t, zone) === wall - t)
  // In a gap no offset fits: the offset before the gap moves the time forward by the gap.
  const t = fits.length ? Math.min(...fits) : wall - zoneOffset(wall - 86400e3, zone)
  return new Date(t).toISOString()
}

/** "UTC+05:30" for the zone at instant t. */
export function offsetLabel(t: number, zone: string): string {
  const o = Math.round(zoneOffset(t, zone) / 60000)
  const sign = o < 0 ? '−' : '+'
  const a = Math.abs(o)
  return `UTC${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`
}

/** The browser's IANA zone ("Europe/Paris"), or "" when unknown. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? ''
  } catch {
    return ''
  }
}

/** The day an instant falls on in zone ("2026-11-24"). */
export function dayOf(iso: string, zone: string): string {
  const w = wallClock(Date.parse(iso), zone)
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`
}

/** Rows grouped by the day (in zone) their event happened, in order. */
export function groupByDay<T extends { event: Pick<TimelineEvent, 'occurred_at'> }>(rows: T[], zone: string): { day: string; rows: T[] }[] {
  const out: { day: string; rows: T[] }[] = []
  for (const r of rows) {
    const d = dayOf(r.event.occurred_at, zone)
    const last = out[out.length - 1]
    if (last && last.day === d) last.rows.push(r)
    else out.push({ day: d, rows: [r] })
  }
  return out
}

/** Seconds as "4m 30s", "2h 05m", "1d 3h"; "—" when missing. */
export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined || isNaN(s)) return '—'
  const neg = s < 0
  let r = Math.round(Math.abs(s))
  const d = Math.floor(r / 86400)
  r -= d * 86400
  const h = Math.floor(r / 3600)
  r -= h * 3600
  const m = Math.floor(r / 60)
  r -= m * 60
  const out = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${pad(m)}m` : m > 0 ? `${m}m ${pad(r)}s` : `${r}s`
  return neg ? '−' + out : out
}

// ---------- the visual timeline's axis ----------

export interface View {
  /** First and last instant shown (ms). */
  t0: number
  t1: number
}

/** A linear map from time (ms) to x (px) and back. */
export function scale(view: View, x0: number, x1: number) {
  const span = Math.max(1, view.t1 - view.t0)
  const k = (x1 - x0) / span
  return {
    x: (t: number) => x0 + (t - view.t0) * k,
    t: (x: number) => view.t0 + (x - x0) / k,
  }
}

const SEC = 1000
const MIN = 60 * SEC
const HOUR = 60 * MIN
const DAY = 24 * HOUR
/** Tick steps people read easily. */
export const tickSteps = [
  SEC, 2 * SEC, 5 * SEC, 10 * SEC, 15 * SEC, 30 * SEC,
  MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
]

/** The smallest readable step giving at most maxTicks ticks over the view. */
export function tickStep(view: View, maxTicks: number): number {
  const span = view.t1 - view.t0
  for (const s of tickSteps) if (span / s <= Math.max(1, maxTicks)) return s
  return Math.ceil(span / Math.max(1, maxTicks) / DAY) * DAY
}

export interface Tick {
  t: number
  label: string
  /** The first tick of a new day (labelled with the date). */
  major: boolean
}

/**
 * Ticks over the view at a readable step, aligned to the zone's wall clock
 * (every 15 minutes on the quarter hour, days at midnight of that zone).
 */
export function ticks(view: View, maxTicks: number, zone: string): Tick[] {
  const step = tickStep(view, maxTicks)
  const out: Tick[] = []
  let prevDay = ''
  // Align in the zone's wall clock: wall = t + offset.
  const off0 = zoneOffset(view.t0, zone)
  let wall = Math.ceil((view.t0 + off0) / step) * step
  if (step >= DAY) wall = Math.ceil((view.t0 + off0) / DAY) * DAY
  for (let i = 0; i < 1000; i++) {
    // Find the instant showing that wall time (offset can change across the view).
    let t = wall - off0
    const o = zoneOffset(t, zone)
    t = wall - o
    if (t > view.t1) break
    if (t >= view.t0) {
      const w = wallClock(t, zone)
      const day = `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`
      const major = day !== prevDay
      prevDay = day
      let label: string
      if (step >= DAY) label = `${pad(w.mo)}-${pad(w.d)}`
      else if (step < MIN) label = `${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`
      else label = `${pad(w.h)}:${pad(w.mi)}`
      out.push({ t, label, major })
    }
    wall += step
  }
  return out
}

/** How many events fall into each of n equal bins over the view. */
export function density(times: number[], view: View, n: number): number[] {
  const bins = new Array<number>(Math.max(1, n)).fill(0)
  const span = view.t1 - view.t0
  if (span <= 0) return bins
  for (const t of times) {
    if (t < view.t0 || t > view.t1) continue
    const i = Math.min(bins.length - 1, Math.floor(((t - view.t0) / span) * bins.length))
    bins[i]++
  }
  return bins
}

/** The whole span to show: the events and lifecycle times, with a margin on each side. */
export function fullView(times: number[], margin = 0.03): View {
  const ok = times.filter((t) => !isNaN(t))
  if (ok.length === 0) {
    const now = Date.now()
    return { t0: now - HOUR, t1: now }
  }
  // A loop, not Math.min(...times): a spread of 100,000 arguments overflows the stack.
  let t0 = Infinity
  let t1 = -Infinity
  for (const t of ok) {
    if (t < t0) t0 = t
    if (t > t1) t1 = t
  }
  if (t1 - t0 < MIN) {
    t0 -= 5 * MIN
    t1 += 5 * MIN
  }
  const m = (t1 - t0) * margin
  return { t0: t0 - m, t1: t1 + m }
}

/** The smallest span one can zoom to. */
export const MIN_SPAN = 10 * SEC

/** Zooms by factor (> 1 zooms in) keeping instant at the same place, within the full view. */
export function zoom(view: View, factor: number, at: number, full: View): View {
  const span = view.t1 - view.t0
  const fullSpan = full.t1 - full.t0
  const next = Math.min(fullSpan, Math.max(MIN_SPAN, span / factor))
  const ratio = span > 0 ? (at - view.t0) / span : 0.5
  const t0 = at - ratio * next
  return clampView({ t0, t1: t0 + next }, full)
}

/** Moves the view by dt (ms), within the full view. */
export function pan(view: View, dt: number, full: View): View {
  return clampView({ t0: view.t0 + dt, t1: view.t1 + dt }, full)
}

/** Keeps the view inside full (its span unchanged when it fits). */
export function clampView(view: View, full: View): View {
  const span = Math.min(view.t1 - view.t0, full.t1 - full.t0)
  let t0 = view.t0
  if (t0 < full.t0) t0 = full.t0
  if (t0 + span > full.t1) t0 = full.t1 - span
  return { t0, t1: t0 + span }
}

export interface LifecycleMark {
  field: 'started_at' | 'detected_at' | 'acknowledged_at' | 'mitigated_at' | 'resolved_at'
  label: string
  t: number
}

export interface Phase {
  label: string
  t0: number
  t1: number
  cls: string
}

const lifecycleFields = [
  ['started_at', 'Started'],
  ['detected_at', 'Detected'],
  ['acknowledged_at', 'Acknowledged'],
  ['mitigated_at', 'Mitigated'],
  ['resolved_at', 'Resolved'],
] as const

/** The incident's lifecycle times that are set, in time order. */
export function lifecycleMarks(inc: Partial<Record<LifecycleMark['field'], string | null | undefined>>): LifecycleMark[] {
  const out: LifecycleMark[] = []
  for (const [field, label] of lifecycleFields) {
    const v = inc[field]
    if (!v) continue
    const t = Date.parse(v)
    if (!isNaN(t)) out.push({ field, label, t })
  }
  return out.sort((a, b) => a.t - b.t)
}

/**
 * The phases between lifecycle marks: detecting (started → detected),
 * responding (detected → acknowledged), mitigating (… → mitigated),
 * recovering (mitigated → resolved); an open incident's last phase runs to `now`.
 */
export function phases(marks: LifecycleMark[], now?: number): Phase[] {
  const at = (f: LifecycleMark['field']) => marks.find((m) => m.field === f)?.t
  const start = at('started_at')
  const det = at('detected_at')
  const ack = at('acknowledged_at')
  const mit = at('mitigated_at')
  const res = at('resolved_at')
  const out: Phase[] = []
  const add = (label: string, cls: string, a?: number, b?: number) => {
    if (a !== undefined && b !== undefined && b > a) out.push({ label, cls, t0: a, t1: b })
  }
  add('Undetected', 'detect', start, det)
  add('Responding', 'respond', det ?? start, ack)
  add('Mitigating', 'mitigate', ack ?? det ?? start, mit)
  add('Recovering', 'recover', mit, res)
  if (res === undefined && now !== undefined) {
    const last = mit ?? ack ?? det ?? start
    if (last !== undefined && now > last) add(mit !== undefined ? 'Recovering' : 'Ongoing', mit !== undefined ? 'recover' : 'mitigate', last, now)
  }
  return out
}

// ---------- text ----------

export interface TextPart {
  text: string
  mark: boolean
}

/** Splits text into parts, marking where any of the words occur (ignoring case); rendered as text, never HTML. */
export function markWords(text: string, query: string): TextPart[] {
  const words = query
    .split(/\s+/)
    .map((w) => w.trim())
    .filter((w) => w.length > 0)
  if (!words.length || !text) return [{ text, mark: false }]
  const esc = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length)
  const re = new RegExp(`(${esc.join('|')})`, 'giu')
  const out: TextPart[] = []
  let last = 0
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0
    if (m[0].length === 0) continue
    if (i > last) out.push({ text: text.slice(last, i), mark: false })
    out.push({ text: m[0], mark: true })
    last = i + m[0].length
  }
  if (last < text.length) out.push({ text: text.slice(last), mark: false })
  return out.length ? out : [{ text, mark: false }]
}

/** Long bodies are cut at about max characters (at a line or word end) until expanded. */
export function clip(text: string, max = 700): { text: string; clipped: boolean } {
  if (text.length <= max) return { text, clipped: false }
  let cut = text.lastIndexOf('\n', max)
  if (cut < max * 0.6) cut = text.lastIndexOf(' ', max)
  if (cut < max * 0.6) cut = max
  return { text: text.slice(0, cut).trimEnd() + '…', clipped: true }
}

/** Links only for http(s) URLs (never javascript: and the like). */
export function safeLink(u: string | null | undefined): string | null {
  if (!u) return null
  try {
    const url = new URL(u)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}

// ---------- lifecycle milestones in the list ----------

export type Item<R> = { type: 'row'; row: R; t: number } | { type: 'mark'; mark: LifecycleMark; t: number }

/**
 * The rows with the lifecycle milestones put where they happened (a
 * milestone at the same instant as an event goes before it). Milestones after
 * the last row are added only when the list is complete (not cut short by
 * progressive rendering).
 */
export function withMilestones<R extends { event: Pick<TimelineEvent, 'occurred_at'> }>(rows: R[], marks: LifecycleMark[], complete: boolean): Item<R>[] {
  const out: Item<R>[] = []
  let m = 0
  for (const row of rows) {
    const t = Date.parse(row.event.occurred_at)
    while (m < marks.length && marks[m].t <= t) {
      out.push({ type: 'mark', mark: marks[m], t: marks[m].t })
      m++
    }
    out.push({ type: 'row', row, t })
  }
  if (complete) for (; m < marks.length; m++) out.push({ type: 'mark', mark: marks[m], t: marks[m].t })
  return out
}

/** Items grouped by the day (in zone) they happened. */
export function groupItemsByDay<R>(items: Item<R>[], zone: string): { day: string; items: Item<R>[] }[] {
  const out: { day: string; items: Item<R>[] }[] = []
  for (const it of items) {
    const d = dayOf(new Date(it.t).toISOString(), zone)
    const last = out[out.length - 1]
    if (last && last.day === d) last.items.push(it)
    else out.push({ day: d, items: [it] })
  }
  return out
}

/** People on a call and how long it took, from an event's metadata (as text). */
export function callDetails(e: Pick<TimelineEvent, 'metadata'>): string {
  const md = e.metadata ?? {}
  const parts: string[] = []
  const p = md.participants
  if (Array.isArray(p) && p.length) parts.push('With ' + p.map(String).join(', '))
  const mins = md.duration_minutes
  if (typeof mins === 'number' && isFinite(mins)) parts.push(`${mins} min`)
  return parts.join(' · ')
}

// ---------- fast formatting (cached formatters; same output as lib/format.ts) ----------

/** "14:05:09" in zone. */
export function clock(iso: string, zone: string): string {
  const w = wallClock(Date.parse(iso), zone)
  return `${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`
}

/** "2026-11-24 14:05" (or with seconds) in zone; "—" when missing. */
export function stamp(iso: string | null | undefined, zone: string, withSeconds = false): string {
  if (!iso) return '—'
  const t = Date.parse(iso)
  if (isNaN(t)) return '—'
  const w = wallClock(t, zone)
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}${withSeconds ? ':' + pad(w.s) : ''}`
}
