// Accounts, API tokens, users, RCA templates, webhook integrations and the
// audit log: types, calls and the small pure helpers their pages share.
// Server: api/{auth,token,user,template,hook,audit}_handlers.go.
import { del, get, patch, post, put } from './api'
import type { Role, User } from './session.svelte'

// ---------- account ----------

export const changePassword = (current_password: string, new_password: string) =>
  put<User>('/auth/password', { current_password, new_password })

/** The server's password policy (internal/auth/password.go), checked before sending. */
export const MIN_PASSWORD = 12

export function passwordProblem(pw: string, again: string, current = ''): string {
  if ([...pw].length < MIN_PASSWORD) return `Use at least ${MIN_PASSWORD} characters.`
  if (pw !== again) return 'The two new passwords differ.'
  if (current && pw === current) return 'The new password must differ from the current one.'
  return ''
}

// ---------- API tokens ----------

export type Scope = 'read' | 'write' | 'import' | 'admin'

export const scopeInfo: { id: Scope; label: string; help: string }[] = [
  { id: 'read', label: 'read', help: 'Read everything you can see (every GET).' },
  { id: 'write', label: 'write', help: 'Change incidents, timelines, RCAs, root causes and actions.' },
  { id: 'import', label: 'import', help: 'Import timelines and incidents (CI, scripts).' },
  { id: 'admin', label: 'admin', help: 'Manage users, tokens, templates and integrations (admins only).' },
]

export interface Token {
  id: number
  user_id: number
  user_email: string
  name: string
  scopes: Scope[]
  prefix: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
  created_at: string
}

export interface CreatedToken extends Token {
  /** The secret, in this answer only. */
  token: string
}

export type TokenState = 'active' | 'expired' | 'revoked'

export function tokenState(t: Pick<Token, 'expires_at' | 'revoked_at'>, now = Date.now()): TokenState {
  if (t.revoked_at) return 'revoked'
  if (t.expires_at && new Date(t.expires_at).getTime() <= now) return 'expired'
  return 'active'
}

/** Expiry choice of the create form: days, a date ("2027-01-31"), or never. */
export type Expiry = { kind: 'days'; days: number } | { kind: 'date'; date: string } | { kind: 'never' }

export interface TokenRequest {
  name: string
  scopes: Scope[]
  expires_in_days?: number
  expires_at?: string
}

/** The body of POST /tokens; a date lasts to the end of that day in the browser's zone. */
export function tokenRequest(name: string, scopes: Scope[], exp: Expiry): TokenRequest {
  const r: TokenRequest = { name: name.trim(), scopes: [...scopes] }
  if (exp.kind === 'days') r.expires_in_days = exp.days
  if (exp.kind === 'date' && exp.date) {
    const [y, m, d] = exp.date.split('-').map(Number)
    r.expires_at = new Date(y, m - 1, d, 23, 59, 59).toISOString()
  }
  return r
}

export const listOwnTokens = () => get<{ items: Token[] }>('/tokens')
export const createOwnToken = (r: TokenRequest) => post<CreatedToken>('/tokens', r)
export const revokeToken = (id: number) => del<Token>(`/tokens/${id}`)
export const listUserTokens = (userId: number) => get<{ items: Token[] }>(`/users/${userId}/tokens`)
export const createUserToken = (userId: number, r: TokenRequest) => post<CreatedToken>(`/users/${userId}/tokens`, r)

/** Sorts tokens: active first, then newest. */
export function sortTokens(ts: Token[], now = Date.now()): Token[] {
  const rank = { active: 0, expired: 1, revoked: 2 }
  return [...ts].sort((a, b) => rank[tokenState(a, now)] - rank[tokenState(b, now)] || b.created_at.localeCompare(a.created_at))
}

// ---------- users ----------

export const roles: { id: Role; help: string }[] = [
  { id: 'viewer', help: 'Reads incidents and RCAs.' },
  { id: 'editor', help: 'Also writes incidents, timelines, RCAs and actions, and imports.' },
  { id: 'admin', help: 'Also manages users, templates, integrations and the audit log.' },
]

export const listUsers = () => get<{ items: User[] }>('/users')
export const createUser = (u: { email: string; name: string; role: Role; password?: string }) =>
  post<{ user: User; one_time_password?: string }>('/users', u)
export const updateUser = (id: number, p: { name?: string; role?: Role; disabled?: boolean }) => patch<User>(`/users/${id}`, p)
export const resetPassword = (id: number) => post<{ one_time_password: string }>(`/users/${id}/reset-password`, {})

/** Users matching a text (e-mail, name, role, group). */
export function filterUsers(us: User[], q: string, show: 'all' | 'active' | 'disabled' = 'all'): User[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean)
  return us.filter((u) => {
    if (show === 'active' && u.disabled) return false
    if (show === 'disabled' && !u.disabled) return false
    const hay = [u.email, u.name, u.role, ...(u.groups ?? [])].join(' ').toLowerCase()
    return words.every((w) => hay.includes(w))
  })
}

// ---------- templates ----------

export type Audience = 'public' | 'customer_success' | 'internal'
export type Block = '' | 'timeline' | 'root_causes' | 'corrective_actions'

export interface Section {
  key: string
  title: string
  body: string
  audience: Audience
  help: string
  required: boolean
  block: Block
}

export interface Template {
  key: string
  name: string
  description: string
  source: 'builtin' | 'dir' | 'custom'
  sections: Section[]
  version: number
  created_by: string
  updated_by: string
  created_at: string | null
  updated_at: string | null
}

export const audiences: Audience[] = ['internal', 'customer_success', 'public']
export const blocks: { id: Block; label: string }[] = [
  { id: '', label: 'Text only' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'root_causes', label: 'Root causes' },
  { id: 'corrective_actions', label: 'Corrective actions' },
]

export const listTemplates = () => get<{ items: Template[] }>('/templates')
export const getTemplate = (key: string) => get<Template>(`/templates/${encodeURIComponent(key)}`)
export const createTemplate = (t: TemplateDraft) => post<Template>('/templates', t)
export const updateTemplate = (key: string, t: TemplateDraft, version: number) => put<Template>(`/templates/${encodeURIComponent(key)}`, { ...t, version })
export const deleteTemplate = (key: string) => del<void>(`/templates/${encodeURIComponent(key)}`)

export type TemplateDraft = Pick<Template, 'key' | 'name' | 'description' | 'sections'>

/** "Customer impact & scope" → "customer_impact_scope". */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60)
}

export function emptySection(): Section {
  return { key: '', title: '', body: '', audience: 'internal', help: '', required: false, block: '' }
}

/** Problems of a draft before it is sent, by field as the server names them ("sections[2].title"). */
export function templateProblems(t: TemplateDraft): Record<string, string> {
  const out: Record<string, string> = {}
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(t.key) || t.key.length > 64) out.key = 'Use lower-case letters a-z, digits and - (up to 64), such as “my-template”.'
  if (!t.name.trim()) out.name = 'Give the template a name.'
  if (t.sections.length === 0) out.sections = 'Add at least one section.'
  const seen = new Set<string>()
  t.sections.forEach((s, i) => {
    if (!s.title.trim()) out[`sections[${i}].title`] = 'Every section needs a title.'
    const k = s.key || slug(s.title)
    if (k && seen.has(k)) out[`sections[${i}].key`] = `Two sections have the key “${k}”.`
    seen.add(k)
  })
  return out
}

/** The draft as sent: section keys filled from titles, text trimmed. */
export function normalizeDraft(t: TemplateDraft): TemplateDraft {
  return {
    key: t.key.trim(),
    name: t.name.trim(),
    description: t.description.trim(),
    sections: t.sections.map((s) => ({ ...s, key: s.key.trim() || slug(s.title), title: s.title.trim(), help: s.help.trim() })),
  }
}

// ---------- webhook integrations ----------

export interface Hook {
  id: number
  source: string
  name: string
  url: string
  signed: boolean
  mapping: Record<string, string>
  created_by: string
  created_at: string
  last_delivery_at: string | null
}

export interface HookWithToken extends Hook {
  token: string
  url_with_token: string
}

export const listHooks = () => get<{ items: Hook[]; sources: string[] }>('/integrations/hooks')
export const createHook = (h: { source: string; name: string; signing_secret?: string }) => post<HookWithToken>('/integrations/hooks', h)
export const rotateHook = (ref: string | number) => post<HookWithToken>(`/integrations/hooks/${encodeURIComponent(String(ref))}/rotate`, {})
export const deleteHook = (ref: string | number) => del<void>(`/integrations/hooks/${encodeURIComponent(String(ref))}`)

/** How to point a vendor at the hook URL, per source. */
export const hookHelp: Record<string, string> = {
  generic: 'POST JSON to the URL from any tool; send the token in the X-Hindsight-Token header (or ?token=).',
  zabbix: 'Administration → Media types → Webhook: set the URL (with ?token=) and send the event as JSON.',
  zenoss: 'Add a push notification (webhook) with the URL; send the event fields as JSON.',
  newrelic: 'Alerts → Destinations → Webhook: the URL; add the X-Hindsight-Token header with the token.',
  pagerduty: 'Integrations → Generic Webhooks (v3): add a subscription with the URL with ?token=.',
  opsgenie: 'Settings → Integrations → Webhook: the URL with ?token=, “Add alert description” on.',
  alertmanager: 'alertmanager.yml: receivers → webhook_configs → url: the URL; http_config.authorization.credentials: the token.',
  grafana: 'Alerting → Contact points → Webhook: the URL; Authorization header “Bearer <token>”.',
  victorops: 'Integrations → Outgoing Webhooks: the URL with ?token=, content type application/json.',
  icinga: 'A notification command that POSTs the event JSON to the URL with the X-Hindsight-Token header.',
  jira: 'System → WebHooks: the URL with ?token=, events “Issue updated” (ticket status sync for linked actions).',
  github: 'Repository → Settings → Webhooks: payload URL with ?token=, content type application/json; set the signing secret as “Secret”.',
}

// ---------- audit log ----------

export interface AuditEntry {
  id: number
  actor: string
  action: string
  object_type: string
  object_id: number
  incident_id: number | null
  detail: string
  remote_addr: string
  request_id: string
  created_at: string
}

export interface AuditFilters {
  actor: string
  action: string
  object_type: string
  object_id: string
  since: string
}

export const emptyAuditFilters: AuditFilters = { actor: '', action: '', object_type: '', object_id: '', since: '' }
const auditKeys = Object.keys(emptyAuditFilters) as (keyof AuditFilters)[]

export const auditActions = [
  'auth.login', 'auth.login_failed', 'auth.logout', 'auth.denied', 'user.create', 'user.update', 'user.role',
  'user.password_change', 'user.password_reset', 'token.create', 'token.use', 'token.revoke',
]

export function auditFiltersFromQuery(q: URLSearchParams): AuditFilters {
  const f = { ...emptyAuditFilters }
  for (const k of auditKeys) f[k] = q.get(k)?.trim() ?? ''
  if (f.object_id && !/^[1-9][0-9]*$/.test(f.object_id)) f.object_id = ''
  return f
}

export function auditFiltersToQuery(f: AuditFilters): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const k of auditKeys) out[k] = f[k].trim() || null
  return out
}

export const listAudit = (f: AuditFilters, cursor = '', limit = 100) =>
  get<{ items: AuditEntry[]; next_cursor: string }>('/audit', { ...auditFiltersToQuery(f), cursor: cursor || undefined, limit } as Record<string, string | number | undefined | null>)
