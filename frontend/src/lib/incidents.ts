// Incidents: the types every page shares and the calls to read and write them.
// (Owned by the incidents lane; other pages import from here.)
import { get, patch, post } from './api'

export type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' | 'SEV5'
export type IncidentStatus = 'open' | 'mitigated' | 'resolved'
export const severities: Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']
export const statuses: IncidentStatus[] = ['open', 'mitigated', 'resolved']

export interface Durations {
  time_to_detect?: number | null
  time_to_acknowledge?: number | null
  time_to_mitigate?: number | null
  time_to_resolve?: number | null
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
