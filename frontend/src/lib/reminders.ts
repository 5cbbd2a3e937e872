// Action policies (due-date defaults) and reminders, as admins manage them:
// GET/PUT /settings/action-policy, GET /reminders, POST /reminders/run.
import { get, post, put } from './api'

/** Days until due, by severity (SEV1..SEV5), then priority. */
export type PolicyDays = Record<string, Record<string, number>>

export interface ActionPolicy {
  days: PolicyDays
  defaults: PolicyDays
  severities: string[]
  priorities: string[]
  min_days: number
  max_days: number
  updated_by: string
  updated_at: string | null
}

export interface ReminderSettings {
  enabled: boolean
  test_mode: boolean
  due_soon_days: number
  throttle: string
  public_url: string
  default_slack: boolean
  slack_teams: string[]
  email: boolean
  email_teams: string[]
}

export interface ReminderSend {
  id: number
  sent_at: string
  channel: 'slack' | 'email'
  recipient: string
  scope: 'owner' | 'team'
  subject: string
  action_ids: number[]
  action_count: number
  overdue: number
  status: 'ok' | 'error' | 'test'
  error: string
}

export interface ReminderLine {
  action_id: number
  incident_key: string
  incident_title: string
  title: string
  priority: string
  owner: string
  team: string
  due_date: string
  days_overdue: number
  days_left: number
  url: string
}

export interface ReminderDigest {
  channel: 'slack' | 'email'
  recipient: string
  scope: 'owner' | 'team'
  subject: string
  overdue: ReminderLine[]
  due_soon: ReminderLine[]
  list_url: string
  throttled: boolean
  status: string
  error: string
  text: string
}

export interface ReminderRun {
  at: string
  dry_run: boolean
  test_mode: boolean
  sent: number
  failed: number
  throttled: number
  warnings: string[]
  digests: ReminderDigest[]
}

export interface ReminderPage {
  items: ReminderSend[]
  next_cursor: string
  settings: ReminderSettings
  /** The server running the reminders job; null when none holds it. */
  job: { holder: string; last_tick: string; expires_at: string } | null
}

export const getActionPolicy = () => get<ActionPolicy>('/settings/action-policy')
export const saveActionPolicy = (days: PolicyDays) => put<ActionPolicy>('/settings/action-policy', { days })
export const listReminders = (q: { limit?: string; cursor?: string } = {}) => get<ReminderPage>('/reminders', q)
export const runReminders = (dryRun: boolean) => post<ReminderRun>('/reminders/run', { dry_run: dryRun })

/** A deep copy of a grid, so edits never touch the loaded one. */
export function copyDays(d: PolicyDays): PolicyDays {
  const out: PolicyDays = {}
  for (const [sev, row] of Object.entries(d)) out[sev] = { ...row }
  return out
}

/**
 * The cells a person must fix before saving, keyed like the server's
 * fields ("days.SEV1.high"): every cell a whole number from min to max.
 */
export function policyProblems(p: Pick<ActionPolicy, 'severities' | 'priorities' | 'min_days' | 'max_days'>, days: PolicyDays): Record<string, string> {
  const out: Record<string, string> = {}
  for (const sev of p.severities) {
    for (const pri of p.priorities) {
      const v = days[sev]?.[pri]
      if (typeof v !== 'number' || !Number.isInteger(v) || v < p.min_days || v > p.max_days) {
        out[`days.${sev}.${pri}`] = `Whole days from ${p.min_days} to ${p.max_days}`
      }
    }
  }
  return out
}

/** The cells of a that differ from b, as "SEV1/high". */
export function changedCells(a: PolicyDays, b: PolicyDays): string[] {
  const out: string[] = []
  for (const [sev, row] of Object.entries(a)) {
    for (const [pri, v] of Object.entries(row)) {
      if (b[sev]?.[pri] !== v) out.push(`${sev}/${pri}`)
    }
  }
  return out
}

/** "2 overdue, 1 due soon" for a digest. */
export function digestSummary(d: Pick<ReminderDigest, 'overdue' | 'due_soon'>): string {
  const parts: string[] = []
  if (d.overdue.length) parts.push(`${d.overdue.length} overdue`)
  if (d.due_soon.length) parts.push(`${d.due_soon.length} due soon`)
  return parts.join(', ') || 'nothing'
}
