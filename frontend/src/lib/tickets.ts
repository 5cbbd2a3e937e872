// Ticket sync: the trackers the server is configured for, filing or linking
// a ticket for an action, and reading it back now. Server: api/ticket_handlers.go.
import { get, post } from './api'
import type { Action } from './actions'

export interface TicketSystem {
  name: string
  /** False when the server can only link existing tickets of this tracker. */
  can_create: boolean
}

export const systemLabels: Record<string, string> = {
  jira: 'Jira',
  redmine: 'Redmine',
  bugzilla: 'Bugzilla',
  mantis: 'MantisBT',
  github: 'GitHub',
}

export const systemLabel = (s: string) => systemLabels[s] ?? s

let systems: Promise<TicketSystem[]> | null = null

/** The configured trackers, asked once per page load (a failure is asked again next time). */
export function ticketSystems(): Promise<TicketSystem[]> {
  systems ??= get<{ items: TicketSystem[] }>('/tickets/systems')
    .then((r) => (Array.isArray(r.items) ? r.items.filter((s) => typeof s?.name === 'string') : []))
    .catch((e) => {
      systems = null
      throw e
    })
  return systems
}

/** Forgets the cached systems (tests). */
export function resetTicketSystems() {
  systems = null
}

/**
 * Files a new ticket for the action in system, or links key when given.
 * confirmRestricted says the person agreed that an action of a restricted
 * incident goes to the tracker (the server asks with a 422 otherwise).
 */
export const createTicket = (actionId: number, system: string, key = '', confirmRestricted = false) =>
  post<Action>(
    `/actions/${actionId}/ticket`,
    key.trim() ? { system, key: key.trim() } : confirmRestricted ? { system, confirm_restricted: true } : { system },
  )

/** Reads the action's ticket now; a closed ticket closes the action. */
export const syncTicket = (actionId: number) => post<Action>(`/actions/${actionId}/ticket/sync`)

/** "3 min ago", "2 h ago", "5 d ago" from an RFC 3339 time. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return ''
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (Number.isNaN(s)) return ''
  if (s < 60) return 'just now'
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`
  return `${Math.floor(s / 86400)} d ago`
}
