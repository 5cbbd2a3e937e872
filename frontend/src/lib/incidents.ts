// Incidents: the types every page shares and the calls to read and write them.
// (Owned by the incidents lane; other pages import from here.)
import { get, patch, post } from './api'

export type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' | 'SEV5'
export type IncidentStatus = 'open' | 'mitigated' | 'resolved'
export const severities: Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']
export const statuses: IncidentStatus[] = ['open', 'mitigated', 'resolved']

/** Derived lifecycle durations in whole SECONDS (null when an end is unknown); format.duration takes ms. */
export interface Durations {
  time_to_detect?: number | null
  time_to_acknowledge?: number | null
  time_to_mitigate?: number | null
  time_to_resolve?: number | null
}

export interface RcaSummary {
  status: 'draft' | 'in_review' | 'published'
  template: string
  version: number
  updated_at: string
  published_at: string | null
}

export interface Incident {
  id: number
  key: string
  title: string
  summary?: string
  severity: Severity
  status: IncidentStatus
  services?: string[]
  teams?: string[]
  tags?: string[]
  commander?: string
  visibility?: 'internal' | 'restricted'
  restricted_to?: string[]
  customer_impact?: string
  started_at?: string | null
  detected_at?: string | null
  acknowledged_at?: string | null
  mitigated_at?: string | null
  resolved_at?: string | null
  durations?: Durations
  /** Only from GET /incidents/KEY: where its RCA stands, null when none was started. */
  rca?: RcaSummary | null
  version: number
  created_at: string
  updated_at: string
}

/** One incident by key ("INC-4") or id. */
export const getIncident = (keyOrId: string | number, signal?: AbortSignal) =>
  get<Incident>(`/incidents/${encodeURIComponent(String(keyOrId))}`, undefined, { signal })

export const createIncident = (fields: Partial<Incident>) => post<Incident>('/incidents', fields)

/** Saves changed fields; version guards against overwriting someone else's change (409). */
export const updateIncident = (keyOrId: string | number, fields: Partial<Incident>, version: number) =>
  patch<Incident>(`/incidents/${encodeURIComponent(String(keyOrId))}`, { ...fields, version })

// ---------- the create/edit form ----------

export type Visibility = 'internal' | 'restricted'

/** The lifecycle times, in the order they happen. */
export const lifecycle = [
  { field: 'started_at', label: 'Started' },
  { field: 'detected_at', label: 'Detected' },
  { field: 'acknowledged_at', label: 'Acknowledged' },
  { field: 'mitigated_at', label: 'Mitigated' },
  { field: 'resolved_at', label: 'Resolved' },
] as const
export type LifecycleField = (typeof lifecycle)[number]['field']

/** What the form edits; times are datetime-local values in the browser's zone. */
export interface IncidentFormValues {
  title: string
  summary: string
  severity: Severity
  status: IncidentStatus
  services: string[]
  teams: string[]
  tags: string[]
  commander: string
  customer_impact: string
  visibility: Visibility
  restricted_to: string[]
  times: Record<LifecycleField, string>
}

export function emptyForm(): IncidentFormValues {
  return {
    title: '',
    summary: '',
    severity: 'SEV3',
    status: 'open',
    services: [],
    teams: [],
    tags: [],
    commander: '',
    customer_impact: '',
    visibility: 'internal',
    restricted_to: [],
    times: { started_at: '', detected_at: '', acknowledged_at: '', mitigated_at: '', resolved_at: '' },
  }
}

/** The form's values for an incident; toLocal converts an instant to a datetime-local value. */
export function formFromIncident(inc: Incident, toLocal: (iso: string | null | undefined) => string): IncidentFormValues {
  const f = emptyForm()
  f.title = inc.title ?? ''
  f.summary = inc.summary ?? ''
  f.severity = inc.severity
  f.status = inc.status
  f.services = [...(inc.services ?? [])]
  f.teams = [...(inc.teams ?? [])]
  f.tags = [...(inc.tags ?? [])]
  f.commander = inc.commander ?? ''
  f.customer_impact = inc.customer_impact ?? ''
  f.visibility = inc.visibility ?? 'internal'
  f.restricted_to = [...(inc.restricted_to ?? [])]
  for (const { field } of lifecycle) f.times[field] = toLocal(inc[field])
  return f
}

/**
 * The request body for the form's values; fromLocal converts a datetime-local
 * value to RFC 3339 (null when empty). With the incident as loaded
 * (`before`), a time whose minute was left alone keeps its exact instant
 * (seconds included) rather than being rounded to the minute the input shows.
 */
export function bodyFromForm(
  f: IncidentFormValues,
  fromLocal: (v: string) => string | null,
  before?: Partial<Incident> | null,
  toLocal?: (iso: string | null | undefined) => string,
): Partial<Incident> {
  const body: Partial<Incident> = {
    title: f.title.trim(),
    summary: f.summary,
    severity: f.severity,
    status: f.status,
    services: f.services,
    teams: f.teams,
    tags: f.tags,
    commander: f.commander.trim(),
    customer_impact: f.customer_impact,
    visibility: f.visibility,
    restricted_to: f.visibility === 'restricted' ? f.restricted_to : [],
  }
  for (const { field } of lifecycle) {
    const was = before?.[field]
    body[field] = was && toLocal && toLocal(was) === f.times[field] ? was : fromLocal(f.times[field])
  }
  return body
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i])
  return (a ?? null) === (b ?? null)
}

/** Only the fields of next that differ from before (what a PATCH sends). */
export function changedFields(before: Partial<Incident>, next: Partial<Incident>): Partial<Incident> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(next)) {
    const old = (before as Record<string, unknown>)[k]
    if (k.endsWith('_at') && typeof v === 'string' && typeof old === 'string') {
      // Same instant written differently ("…:00Z" vs "…:00.000Z") is no change.
      if (new Date(v).getTime() === new Date(old).getTime()) continue
    }
    if (!same(old, v)) out[k] = v
  }
  return out as Partial<Incident>
}

// ---------- chip inputs (services, teams, tags) ----------

/**
 * Splits what was typed into a chip input: every piece before a comma (or
 * all of it when commit is true, e.g. on Enter or blur) becomes a chip; the
 * text after the last comma stays in the input.
 */
export function parseChipInput(text: string, commit = false): { add: string[]; rest: string } {
  const parts = text.split(/[,\n]/)
  const rest = commit ? '' : (parts.pop() ?? '')
  const add = parts.map((p) => p.trim().replace(/\s+/g, ' ')).filter(Boolean)
  return { add, rest: commit ? rest : rest.replace(/^\s+/, '') }
}

/** existing plus the new values, leaving out those already there (ignoring case), in order. */
export function addChips(existing: string[], add: string[], max = 50): string[] {
  const out = [...existing]
  for (const v of add) {
    if (out.length >= max) break
    if (!out.some((x) => x.toLowerCase() === v.toLowerCase())) out.push(v)
  }
  return out
}

/** A title for text pasted from an alert: its first non-empty line, without "FIRING:"-style prefixes, cut at max. */
export function titleFromText(text: string, max = 120): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? ''
  const t = line.replace(/^\[?(FIRING|RESOLVED|ALERT|CRITICAL|WARNING)(:\d+)?\]?:?\s*/i, '').replace(/\s+/g, ' ')
  return t.length > max ? t.slice(0, max - 1).trimEnd() + '…' : t
}

/** A new incident's form prefilled from /incidents/new?title=…&summary=…&severity=…&service=a,b. */
export function prefillForm(f: IncidentFormValues, q: URLSearchParams): IncidentFormValues {
  const out = { ...f, times: { ...f.times } }
  const title = q.get('title')
  const summary = q.get('summary')
  const sev = q.get('severity')?.toUpperCase()
  if (title) out.title = title.slice(0, 300)
  if (summary) out.summary = summary
  if (sev && (severities as string[]).includes(sev)) out.severity = sev as Severity
  const services = q.get('service')
  if (services) out.services = addChips([], parseChipInput(services, true).add)
  return out
}
