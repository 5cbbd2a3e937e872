// Corrective actions across incidents: types, the board's filters and how
// they live in the URL, overdue, and the calls. Server: api/action_handlers.go.
import { get, patch, type Page } from './api'

export type ActionStatus = 'open' | 'in_progress' | 'done' | 'wont_do'
export type Priority = 'critical' | 'high' | 'medium' | 'low'
export type ActionType = 'corrective' | 'preventive' | 'detective' | 'mitigation'

export const actionStatuses: ActionStatus[] = ['open', 'in_progress', 'done', 'wont_do']
export const priorities: Priority[] = ['critical', 'high', 'medium', 'low']
export const statusLabels: Record<ActionStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Done',
  wont_do: 'Won’t do',
}

export interface Ticket {
  system: string
  key: string
  url: string
  status: string
  synced_at: string | null
  /** Why the last ticket sync (or creation) failed; empty after a success. */
  sync_error?: string
  sync_error_at?: string | null
}

export interface Action {
  id: number
  incident_id: number
  incident_key: string
  title: string
  description: string
  type: ActionType
  priority: Priority
  owner: string
  team: string
  /** "2026-12-01" (a date, no time). */
  due_date: string | null
  /** Who set the due date: the action policy, a person, or none (null). */
  due_date_source?: 'policy' | 'manual' | null
  status: ActionStatus
  completed_at: string | null
  overdue: boolean
  ticket: Ticket | null
  version: number
  created_at: string
  updated_at: string
}

/** Today as YYYY-MM-DD in the browser's zone. */
export function today(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

export const isClosed = (s: ActionStatus) => s === 'done' || s === 'wont_do'

/** Overdue: a due date before today and not done (nor given up). */
export function isOverdue(a: Pick<Action, 'due_date' | 'status'>, day = today()): boolean {
  return !!a.due_date && !isClosed(a.status) && a.due_date.slice(0, 10) < day
}

/** Whole days from today to the due date (negative: past). */
export function daysUntil(due: string, day = today()): number {
  const a = Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10))
  const b = Date.UTC(+due.slice(0, 4), +due.slice(5, 7) - 1, +due.slice(8, 10))
  return Math.round((b - a) / 86400e3)
}

/** "due in 3 days", "2 days overdue", "due today". */
export function dueText(a: Pick<Action, 'due_date' | 'status'>, day = today()): string {
  if (!a.due_date) return 'no due date'
  const d = daysUntil(a.due_date, day)
  if (isClosed(a.status)) return `was due ${a.due_date}`
  if (d === 0) return 'due today'
  if (d === 1) return 'due tomorrow'
  if (d > 0) return `due in ${d} days`
  return d === -1 ? '1 day overdue' : `${-d} days overdue`
}

/**
 * The note next to a due date that is shown anyway: dueText for open
 * actions; for a closed one whether it closed in time (not the date again).
 */
export function dueNote(a: Pick<Action, 'due_date' | 'status'> & { completed_at?: string | null }, day = today()): string {
  if (!a.due_date || !isClosed(a.status)) return dueText(a, day)
  if (!a.completed_at) return 'closed'
  const late = -daysUntil(a.due_date, a.completed_at.slice(0, 10))
  return late <= 0 ? 'closed in time' : late === 1 ? 'closed 1 day late' : `closed ${late} days late`
}

export type View = 'list' | 'board'

export interface ActionFilters {
  owner: string
  team: string
  status: ActionStatus | ''
  priority: Priority | ''
  overdue: boolean
  incident: string
  q: string
  view: View
}

export const emptyFilters: ActionFilters = { owner: '', team: '', status: '', priority: '', overdue: false, incident: '', q: '', view: 'list' }

/** Reads the filters from the page's query string (unknown values ignored). */
export function filtersFromQuery(q: URLSearchParams): ActionFilters {
  const status = q.get('status') ?? ''
  const priority = q.get('priority') ?? ''
  return {
    owner: q.get('owner')?.trim() ?? '',
    team: q.get('team')?.trim() ?? '',
    status: (actionStatuses as string[]).includes(status) ? (status as ActionStatus) : '',
    priority: (priorities as string[]).includes(priority) ? (priority as Priority) : '',
    overdue: q.get('overdue') === '1' || q.get('overdue') === 'true',
    incident: q.get('incident')?.trim() ?? '',
    q: q.get('q') ?? '',
    view: q.get('view') === 'board' ? 'board' : 'list',
  }
}

/** The query values for setQuery: empty ones are null (removed from the URL). */
export function filtersToQuery(f: ActionFilters): Record<string, string | null> {
  return {
    owner: f.owner.trim() || null,
    team: f.team.trim() || null,
    status: f.status || null,
    priority: f.priority || null,
    overdue: f.overdue ? '1' : null,
    incident: f.incident.trim() || null,
    q: f.q.trim() || null,
    view: f.view === 'board' ? 'board' : null,
  }
}

/** The API query of GET /actions for f (the text filter is applied here, the API has none). */
export function apiQuery(f: ActionFilters, opts: { status?: ActionStatus | null; limit?: number; cursor?: string } = {}) {
  const status = opts.status === null ? undefined : (opts.status ?? (f.view === 'board' ? undefined : f.status || undefined))
  return {
    owner: f.owner.trim() || undefined,
    team: f.team.trim() || undefined,
    priority: f.priority || undefined,
    overdue: f.overdue || undefined,
    status,
    limit: opts.limit,
    cursor: opts.cursor || undefined,
  }
}

/** The text filter: every word must appear in the title, description, owner, team, incident or ticket. */
export function matchesText(a: Action, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return true
  const hay = [a.title, a.description, a.owner, a.team, a.incident_key, a.ticket?.key, a.ticket?.system].join(' ').toLowerCase()
  return words.every((w) => hay.includes(w))
}

/** Actions grouped in the board's columns, in the list's order. */
export function groupByStatus(items: Action[]): Record<ActionStatus, Action[]> {
  const out: Record<ActionStatus, Action[]> = { open: [], in_progress: [], done: [], wont_do: [] }
  for (const a of items) (out[a.status] ?? out.open).push(a)
  return out
}

/** Ticket links only for http(s) URLs (never javascript: and the like). */
export function safeUrl(u: string | undefined | null): string | null {
  if (!u) return null
  try {
    const url = new URL(u)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}

function base(f: ActionFilters): string {
  return f.incident.trim() ? `/incidents/${encodeURIComponent(f.incident.trim())}/actions` : '/actions'
}

export const listActions = (f: ActionFilters, opts: { status?: ActionStatus | null; limit?: number; cursor?: string } = {}, signal?: AbortSignal) =>
  get<Page<Action>>(base(f), apiQuery(f, opts), { signal })

/** How many actions of each status match f (one small request per status). */
export async function countByStatus(f: ActionFilters, signal?: AbortSignal): Promise<Record<ActionStatus, number>> {
  const totals = await Promise.all(actionStatuses.map((s) => listActions(f, { status: s, limit: 1 }, signal).then((p) => p.total ?? 0)))
  return Object.fromEntries(actionStatuses.map((s, i) => [s, totals[i]])) as Record<ActionStatus, number>
}

export const getAction = (id: number) => get<Action>(`/actions/${id}`)

/** Changes fields of an action; a stale version answers 409 with the current action. */
export const updateAction = (id: number, fields: Partial<Action>, version: number) => patch<Action>(`/actions/${id}`, { ...fields, version })

/**
 * Keys that change a closed <select> (or a date field's part) in place and
 * make the browser fire `change` at once: arrows, Home/End, Page keys and
 * type-ahead characters. A change made with them is saved on Enter, on
 * leaving the field or after a pause, so arrowing from Open to Done is one
 * save, not one per step. Space and Enter open/choose and are not counted.
 */
export function changesInPlace(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey'>): boolean {
  if (e.altKey || e.ctrlKey || e.metaKey) return false
  if (['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown', 'Backspace', 'Delete'].includes(e.key)) return true
  return e.key.length === 1 && e.key !== ' '
}
