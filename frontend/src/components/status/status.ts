// The public status page, as editors and admins manage it: an incident's
// public fields and customer updates, and the list of public services.
// Nothing is public until an editor says so; the page itself is /status.
import { del, get, patch, post, put } from '../../lib/api'

export type PublicImpact = 'degraded' | 'partial_outage' | 'major_outage'
export type UpdateStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved'

export const impacts: { value: PublicImpact; label: string }[] = [
  { value: 'degraded', label: 'Degraded performance' },
  { value: 'partial_outage', label: 'Partial outage' },
  { value: 'major_outage', label: 'Major outage' },
]

export const updateStatuses: { value: UpdateStatus; label: string }[] = [
  { value: 'investigating', label: 'Investigating' },
  { value: 'identified', label: 'Identified' },
  { value: 'monitoring', label: 'Monitoring' },
  { value: 'resolved', label: 'Resolved' },
]

export const impactLabel = (v: string | null | undefined) => impacts.find((i) => i.value === v)?.label ?? 'None'
export const updateLabel = (v: string) => updateStatuses.find((s) => s.value === v)?.label ?? v

/** The status-page fields of an incident (part of the incident JSON). */
export interface PublicFields {
  public: boolean
  public_title: string
  public_summary: string
  public_impact: PublicImpact | ''
  impact_started_at: string | null
  impact_ended_at: string | null
  /** Where the status page shows the incident while public (an opaque name, not the key); read-only. */
  public_path?: string
}

export interface IncidentUpdate {
  id: number
  status: UpdateStatus
  body: string
  eta: string | null
  posted_at: string
  author: string
}

export interface StatusService {
  name: string
  display_name: string
  description: string
}

/** Limits the server enforces (internal/incident/status.go). */
export const maxPublicSummary = 5000
export const maxUpdateBody = 5000
export const maxTitle = 300

/** What the panel's form edits: times as datetime-local values. */
export interface PublicForm {
  public: boolean
  public_title: string
  public_summary: string
  public_impact: PublicImpact | ''
  impact_started_at: string
  impact_ended_at: string
}

/** The form for an incident's stored public fields. */
export function formFrom(inc: Partial<PublicFields>, toLocal: (iso: string | null | undefined) => string): PublicForm {
  return {
    public: !!inc.public,
    public_title: inc.public_title ?? '',
    public_summary: inc.public_summary ?? '',
    public_impact: inc.public_impact ?? '',
    impact_started_at: toLocal(inc.impact_started_at),
    impact_ended_at: toLocal(inc.impact_ended_at),
  }
}

/** The PATCH body of the fields that changed. */
export function patchFrom(before: Partial<PublicFields>, f: PublicForm, fromLocal: (v: string) => string | null): Partial<PublicFields> {
  const next: PublicFields = {
    public: f.public,
    public_title: f.public_title.trim(),
    public_summary: f.public_summary,
    public_impact: f.public_impact,
    impact_started_at: fromLocal(f.impact_started_at),
    impact_ended_at: fromLocal(f.impact_ended_at),
  }
  const out: Partial<PublicFields> = {}
  for (const k of Object.keys(next) as (keyof PublicFields)[]) {
    const a = before[k] ?? (k.endsWith('_at') ? null : k === 'public' ? false : '')
    const b = next[k]
    if (k.endsWith('_at') && typeof a === 'string' && typeof b === 'string' && new Date(a).getTime() === new Date(b).getTime()) continue
    if (a !== b) (out as Record<string, unknown>)[k] = b
  }
  return out
}

/** Problems the server would report, said before sending. */
export function formProblems(f: PublicForm, restricted: boolean): Record<string, string> {
  const p: Record<string, string> = {}
  if (f.public && restricted) p.public = 'a restricted incident cannot be public'
  if (f.public && !f.public_title.trim()) p.public_title = 'is required when the incident is public'
  if (f.public_title.length > maxTitle) p.public_title = `must be at most ${maxTitle} characters`
  if (f.public && !f.public_impact) p.public_impact = 'is required when the incident is public'
  if (f.public_summary.length > maxPublicSummary) p.public_summary = `must be at most ${maxPublicSummary} characters`
  if (f.impact_started_at && f.impact_ended_at && f.impact_ended_at < f.impact_started_at) {
    p.impact_ended_at = 'must not be before the impact start'
  }
  return p
}

const base = (key: string) => `/incidents/${encodeURIComponent(key)}`

export const savePublic = (key: string, fields: Partial<PublicFields>, version: number) =>
  patch<PublicFields & { version: number }>(base(key), { ...fields, version })

export const listUpdates = (key: string, signal?: AbortSignal) =>
  get<{ items: IncidentUpdate[] }>(`${base(key)}/updates`, undefined, { signal })

export const postUpdate = (key: string, u: { status: UpdateStatus; body: string; eta: string | null }) =>
  post<IncidentUpdate>(`${base(key)}/updates`, u)

export const deleteUpdate = (key: string, id: number) => del<void>(`${base(key)}/updates/${id}`)

export const listStatusServices = () => get<{ services: StatusService[] }>('/status/services')

export const saveStatusServices = (services: StatusService[]) => put<{ services: StatusService[] }>('/status/services', { services })


/** Moves item i of list by (−1 up, +1 down); a new array, or the same one at an edge. */
export function moved<T>(list: T[], i: number, by: number): T[] {
  const j = i + by
  if (j < 0 || j >= list.length) return list
  const out = [...list]
  ;[out[i], out[j]] = [out[j], out[i]]
  return out
}

/** Problems of a service list: names required and unique (ignoring case). */
export function serviceProblems(list: StatusService[]): Record<string, string> {
  const p: Record<string, string> = {}
  const seen = new Map<string, number>()
  list.forEach((s, i) => {
    const n = s.name.trim().toLowerCase()
    if (!n) p[`services[${i}].name`] = 'is required'
    else if (/[,\u0000-\u001f]/.test(n)) p[`services[${i}].name`] = 'must not contain commas or control characters'
    else if (seen.has(n)) p[`services[${i}].name`] = `repeats services[${seen.get(n)}].name`
    else seen.set(n, i)
  })
  return p
}
