// The alert inbox: alerts that webhooks delivered and that no incident took
// yet (GET /alerts); attach them to an incident, open one, or dismiss them.
// Server side: api/alert_handlers.go.
import { get, post, type Page } from '../../lib/api'

export interface Alert {
  id: number
  hook_id: number | null
  state: 'inbox' | 'routed' | 'dismissed'
  source: string
  alert_id: string
  occurred_at: string
  subtype: string
  severity: 'critical' | 'error' | 'warning' | 'info' | 'unknown' | ''
  service: string
  actor?: string
  body: string
  link?: string
  metadata?: Record<string, unknown>
  received_at: string
  incident?: string
}

export interface AttachResult {
  incident: { key: string; title: string }
  attached: number
  added: number
}

export const listAlerts = (limit = 20) => get<Page<Alert>>(`/alerts?state=inbox&limit=${limit}`)
export const attachAlerts = (ids: number[], incident: string) => post<AttachResult>('/alerts/attach', { alert_ids: ids, incident })
export const dismissAlerts = (ids: number[]) => post<{ dismissed: number }>('/alerts/dismiss', { alert_ids: ids })
export const openIncident = (id: number) => post<AttachResult>(`/alerts/${id}/incident`, {})

/** The alert's headline: the vendor's title, else the body's first line without "Triggered: ". */
export function alertTitle(a: Pick<Alert, 'body' | 'metadata'>): string {
  const t = a.metadata?.title
  if (typeof t === 'string' && t.trim()) return t.trim()
  const first = (a.body ?? '').split('\n').find((l) => l.trim()) ?? ''
  return first.replace(/^(Triggered|Resolved|Acknowledged):\s*/i, '').trim() || '(no text)'
}

/** The body without its first line when that line is the title (what is left to show under it). */
export function alertDetail(a: Pick<Alert, 'body' | 'metadata'>, max = 300): string {
  const lines = (a.body ?? '').split('\n')
  const i = lines.findIndex((l) => l.trim())
  const rest = (i >= 0 && lines[i].includes(alertTitle(a)) ? lines.slice(i + 1) : lines).join(' ').replace(/\s+/g, ' ').trim()
  return rest.length > max ? rest.slice(0, max - 1) + '…' : rest
}

/** An incident key as typed ("inc-7", " INC-7 ") in the server's spelling; '' when it is not one. */
export function incidentRef(s: string): string {
  const t = s.trim()
  if (/^\d+$/.test(t)) return t
  const m = /^([a-z][a-z0-9]*)-(\d+)$/i.exec(t)
  return m ? `${m[1].toUpperCase()}-${m[2]}` : ''
}

/** The badge kind for an alert severity (critical → SEV1 colours …). */
export function severityKind(s: Alert['severity']): string {
  return s === 'critical' ? 'SEV1' : s === 'error' ? 'SEV2' : s === 'warning' ? 'SEV3' : 'neutral'
}
