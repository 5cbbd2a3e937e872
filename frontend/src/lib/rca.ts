// The RCA editor's model: the API's types and calls, the three-way merge
// that saves a user's text when someone else saved meanwhile, section
// diffing, the autosave state machine and small text helpers. Everything
// but the calls is pure and unit-tested (rca.test.ts).
import { del, get, patch, post, put, type Page } from './api'
import { actionStatuses as statusOrder, priorities, statusLabels, type Action, type ActionStatus, type ActionType, type Priority, type Ticket } from './actions'

export type RcaStatus = 'draft' | 'in_review' | 'published'
export type Audience = 'public' | 'customer_success' | 'internal'
export type Block = '' | 'timeline' | 'root_causes' | 'corrective_actions'
export type ReviewState = 'requested' | 'approved' | 'changes_requested'

export const audiences: { value: Audience; label: string }[] = [
  { value: 'public', label: 'Public' },
  { value: 'customer_success', label: 'Customer success' },
  { value: 'internal', label: 'Internal' },
]

export const audienceLabel = (a: string) => audiences.find((x) => x.value === a)?.label ?? a

export const statusLabel: Record<RcaStatus, string> = {
  draft: 'Draft',
  in_review: 'In review',
  published: 'Published',
}

export interface Section {
  key: string
  title: string
  body: string
  audience: Audience
  help: string
  required: boolean
  block: Block
}

export interface Reviewer {
  name: string
  state: ReviewState
  note: string
  requested_at: string
  decided_at: string | null
}

export interface Rca {
  id: number
  incident_id: number
  template: string
  status: RcaStatus
  sections: Section[]
  version: number
  created_at: string
  updated_at: string
  updated_by: string
  reviewers: Reviewer[]
  review_round: number
  published_at: string | null
  published_by: string
  amend_reason: string
}

export interface Template {
  key: string
  name: string
  description: string
  source: string
  sections: Section[]
  version: number
}

export interface Comment {
  id: number
  section_key: string
  author: string
  body: string
  created_at: string
  resolved_at: string | null
  resolved_by: string
}

export interface RevisionSummary {
  version: number
  status: RcaStatus
  author: string
  created_at: string
  reason: string
  changes: { added: string[]; removed: string[]; changed: string[] }
}

export interface SectionDiff {
  key: string
  title: string
  change: 'added' | 'removed' | 'changed' | 'unchanged'
  fields: string[]
  diff: string
}

export interface RevisionDiff {
  from: number
  to: number
  sections: SectionDiff[]
}

export const rootCauseCategories = [
  'config-change',
  'deploy',
  'capacity',
  'dependency',
  'hardware',
  'software-bug',
  'process',
  'security',
  'network',
  'data',
  'time',
  'unknown',
] as const
export type RootCauseCategory = (typeof rootCauseCategories)[number]

export interface RootCause {
  id: number
  incident_id: number
  description: string
  category: RootCauseCategory
  evidence_event_ids: number[]
  version: number
  created_at: string
  updated_at: string
}

// Corrective actions are the actions lane's types (lib/actions.ts); the RCA
// page edits them inline with its own status list (value + label).
export { priorities, type Action, type ActionStatus, type ActionType, type Priority, type Ticket }
export const actionStatuses: { value: ActionStatus; label: string }[] = statusOrder.map((value) => ({ value, label: statusLabels[value] }))
export const actionTypes: ActionType[] = ['corrective', 'preventive', 'detective', 'mitigation']

/** The inline-editable fields of an action row. */
export type ActionField = 'title' | 'owner' | 'team' | 'priority' | 'due_date' | 'status' | 'ticket'

/** A field of an action as its cell shows it (an input's value). */
export function actionFieldValue(a: Action, f: ActionField): string {
  if (f === 'ticket') return a.ticket?.url ?? ''
  if (f === 'due_date') return a.due_date ?? ''
  return a[f] ?? ''
}

/** The PATCH body for a cell's value. */
export function actionPatch(f: ActionField, raw: string): Record<string, unknown> {
  const v = raw.trim()
  if (f === 'ticket') return { ticket: v ? { url: v } : null }
  if (f === 'due_date') return { due_date: v || null }
  return { [f]: v }
}

/** Whether someone else changed the field between the user's view and the
 *  server's current row (a 409 the change cannot simply be re-applied to). */
export function actionClash(f: ActionField, before: Action, current: Action): boolean {
  return actionFieldValue(before, f) !== actionFieldValue(current, f)
}

export interface Finding {
  section_key: string
  start: number
  end: number
  line: number
  column: number
  match: string
  rule: string
  message: string
  suggestion: string
}

export interface TimelineEvent {
  id: number
  source: string
  occurred_at: string
  kind: string
  actor: string
  body: string
  key_event: boolean
  hidden: boolean
}

export interface ReportSection {
  key: string
  title: string
  audience: Audience
  required: boolean
  block: Block
  markdown: string
  /** Sanitized by the server (openapi: "Sanitized HTML of markdown"). */
  html: string
}

export interface Report {
  audience: Audience
  draft: boolean
  incident: Record<string, unknown>
  facts_text: Record<string, string>
  template: string
  rca_status: RcaStatus
  sections: ReportSection[]
}

// ---------- calls ----------

const inc = (key: string) => `/incidents/${encodeURIComponent(key)}`

export const rcaApi = {
  templates: () => get<Page<Template>>('/templates'),
  get: (key: string) => get<Rca>(`${inc(key)}/rca`),
  create: (key: string, template: string) => post<Rca>(`${inc(key)}/rca`, { template }),
  save: (key: string, r: { template: string; sections: Section[]; version: number }) =>
    put<Rca>(`${inc(key)}/rca`, { template: r.template, sections: r.sections, version: r.version }),
  /** idPrefix: every id (and in-page link) of the HTML gets it (see previewIdPrefix). */
  render: (markdown: string, signal?: AbortSignal, idPrefix?: string) =>
    post<{ html: string; text: string }>('/render', idPrefix ? { markdown, id_prefix: idPrefix } : { markdown }, { signal }),
  lint: (key: string, sections: Section[], signal?: AbortSignal) =>
    post<{ findings: Finding[]; total: number }>(`${inc(key)}/rca/lint`, { sections }, { signal }),
  submit: (key: string, reviewers: string[], version: number) =>
    post<Rca>(`${inc(key)}/rca/submit`, { reviewers, version }),
  approve: (key: string, note: string, version: number) => post<Rca>(`${inc(key)}/rca/approve`, { note, version }),
  requestChanges: (key: string, note: string, version: number) =>
    post<Rca>(`${inc(key)}/rca/request-changes`, { note, version }),
  publish: (key: string, version: number) => post<Rca>(`${inc(key)}/rca/publish`, { version }),
  amend: (key: string, reason: string, version: number) => post<Rca>(`${inc(key)}/rca/amend`, { reason, version }),
  comments: (key: string) => get<Page<Comment>>(`${inc(key)}/rca/comments`),
  addComment: (key: string, section_key: string, body: string) =>
    post<Comment>(`${inc(key)}/rca/comments`, { section_key, body }),
  resolveComment: (key: string, id: number) => post<Comment>(`${inc(key)}/rca/comments/${id}/resolve`, undefined),
  revisions: (key: string, cursor?: string) =>
    get<Page<RevisionSummary>>(`${inc(key)}/rca/revisions`, { limit: 50, cursor }),
  diff: (key: string, from: number, to: number) => get<RevisionDiff>(`${inc(key)}/rca/diff`, { from, to }),
  restore: (key: string, revision: number, version: number) =>
    post<Rca>(`${inc(key)}/rca/revisions/${revision}/restore`, { version }),
  rootCauses: (key: string) => get<Page<RootCause>>(`${inc(key)}/root-causes`),
  createRootCause: (key: string, rc: { description: string; category: string; evidence_event_ids: number[] }) =>
    post<RootCause>(`${inc(key)}/root-causes`, rc),
  updateRootCause: (id: number, fields: { description?: string; category?: string; evidence_event_ids?: number[] }, version: number) =>
    patch<RootCause>(`/root-causes/${id}`, { ...fields, version }),
  deleteRootCause: (id: number) => del<void>(`/root-causes/${id}`),
  actions: (key: string) => get<Page<Action>>(`${inc(key)}/actions`, { limit: 500 }),
  createAction: (key: string, a: Record<string, unknown>) => post<Action>(`${inc(key)}/actions`, a),
  updateAction: (id: number, fields: Record<string, unknown>, version: number) =>
    patch<Action>(`/actions/${id}`, { ...fields, version }),
  report: (key: string, audience: Audience) => get<Report>(`${inc(key)}/report`, { audience }),
  exportUrl: (key: string, format: 'md' | 'html' | 'pdf' | 'json', audience: Audience) =>
    `/api/v1${inc(key)}/export?format=${format}&audience=${audience}`,
}

// ---------- section diffing ----------

/** The editable part of a section: what a save changes. */
const sameSection = (a: Section, b: Section) => a.body === b.body && a.title === b.title

export interface SectionChanges {
  added: string[]
  removed: string[]
  changed: string[]
}

/** Which sections (by key) were added, removed or changed from `from` to `to`. */
export function diffSections(from: Section[], to: Section[]): SectionChanges {
  const before = new Map(from.map((s) => [s.key, s]))
  const after = new Map(to.map((s) => [s.key, s]))
  const out: SectionChanges = { added: [], removed: [], changed: [] }
  for (const s of to) {
    const o = before.get(s.key)
    if (!o) out.added.push(s.key)
    else if (!sameSection(o, s)) out.changed.push(s.key)
  }
  for (const s of from) if (!after.has(s.key)) out.removed.push(s.key)
  return out
}

/** True when two section lists hold the same text in the same order. */
export function sameSections(a: Section[], b: Section[]): boolean {
  return a.length === b.length && a.every((s, i) => s.key === b[i].key && sameSection(s, b[i]))
}

// ---------- three-way merge ----------

/** For each line of a, the index of its partner in b (or -1), on a longest common subsequence. */
function lcsMap(a: string[], b: string[]): Int32Array {
  const n = a.length
  const m = b.length
  const map = new Int32Array(n).fill(-1)
  // Trim a common prefix and suffix: edits are usually small.
  let pre = 0
  while (pre < n && pre < m && a[pre] === b[pre]) {
    map[pre] = pre
    pre++
  }
  let suf = 0
  while (suf < n - pre && suf < m - pre && a[n - 1 - suf] === b[m - 1 - suf]) {
    map[n - 1 - suf] = m - 1 - suf
    suf++
  }
  const an = n - pre - suf
  const bm = m - pre - suf
  if (an === 0 || bm === 0) return map
  if (an * bm > 4_000_000) throw new Error('too large to merge line by line')
  // table[i][j]: LCS length of a[pre+i..] and b[pre+j..]
  const w = bm + 1
  const table = new Uint32Array((an + 1) * w)
  for (let i = an - 1; i >= 0; i--) {
    for (let j = bm - 1; j >= 0; j--) {
      table[i * w + j] =
        a[pre + i] === b[pre + j] ? table[(i + 1) * w + j + 1] + 1 : Math.max(table[(i + 1) * w + j], table[i * w + j + 1])
    }
  }
  let i = 0
  let j = 0
  while (i < an && j < bm) {
    if (a[pre + i] === b[pre + j]) {
      map[pre + i] = pre + j
      i++
      j++
    } else if (table[(i + 1) * w + j] >= table[i * w + j + 1]) i++
    else j++
  }
  return map
}

const sameLines = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i])

/** A clean merge, or a clash: then `text` (when the texts could be compared
 *  line by line) is the merge with MY lines where we both changed the same
 *  lines and their changes everywhere else. */
export type TextMerge = { clean: true; text: string } | { clean: false; text?: string }

/**
 * Merges two edits of a text line by line (diff3): changes to different
 * parts of base combine; changes to the same (or adjacent) lines that
 * differ are a conflict.
 */
export function mergeText(base: string, mine: string, theirs: string): TextMerge {
  if (mine === theirs || theirs === base) return { clean: true, text: mine }
  if (mine === base) return { clean: true, text: theirs }
  const o = base.split('\n')
  const a = mine.split('\n')
  const b = theirs.split('\n')
  let ma: Int32Array
  let mb: Int32Array
  try {
    ma = lcsMap(o, a)
    mb = lcsMap(o, b)
  } catch {
    return { clean: false }
  }
  const out: string[] = []
  let clashes = 0
  let i = 0
  let ia = 0
  let ib = 0
  const chunk = (j: number, ja: number, jb: number) => {
    const co = o.slice(i, j)
    const ca = a.slice(ia, ja)
    const cb = b.slice(ib, jb)
    if (sameLines(ca, co)) out.push(...cb)
    else if (sameLines(cb, co) || sameLines(ca, cb)) out.push(...ca)
    else {
      clashes++
      out.push(...ca) // mine where we both changed the same lines
    }
  }
  for (let j = 0; j < o.length; j++) {
    if (ma[j] < 0 || mb[j] < 0) continue
    // o[j] is stable: in base, mine and theirs.
    chunk(j, ma[j], mb[j])
    out.push(o[j])
    i = j + 1
    ia = ma[j] + 1
    ib = mb[j] + 1
  }
  chunk(o.length, a.length, b.length)
  return clashes ? { clean: false, text: out.join('\n') } : { clean: true, text: out.join('\n') }
}

export interface SectionConflict {
  key: string
  title: string
  /** null when the section did not exist in base. */
  base: string | null
  /** null when I removed the section. */
  mine: string | null
  /** null when they removed the section. */
  theirs: string | null
  /** Mine where we both changed the same lines, their changes elsewhere
   *  (absent when the texts could not be merged line by line). */
  merged?: string
}

export interface MergeResult {
  /** The merged document; a conflicting section holds my text until resolved. */
  sections: Section[]
  conflicts: SectionConflict[]
  /** Sections whose text changed from mine (their changes merged in). */
  merged: string[]
}

/**
 * Merges my sections with theirs, both edited from base (the version I last
 * saved or loaded). Sections are matched by key. A section changed on one
 * side only takes that side; changed on both, its text is merged line by
 * line, and only overlapping edits are reported as conflicts. Order and
 * metadata (help, audience, block) follow theirs; sections only I added keep
 * their place after the section they followed.
 */
export function merge3(base: Section[], mine: Section[], theirs: Section[]): MergeResult {
  const B = new Map(base.map((s) => [s.key, s]))
  const M = new Map(mine.map((s) => [s.key, s]))
  const T = new Map(theirs.map((s) => [s.key, s]))
  const sections: Section[] = []
  const conflicts: SectionConflict[] = []
  const merged: string[] = []

  const pick = (b: string | undefined, m: string, t: string) => {
    if (m === t) return m
    if (b === m) return t
    if (b === t) return m
    return null
  }

  for (const t of theirs) {
    const m = M.get(t.key)
    const b = B.get(t.key)
    if (!m) {
      if (!b) {
        sections.push(t) // they added it
      } else if (sameSection(b, t)) {
        // I removed it and they did not touch it: stays removed.
      } else {
        conflicts.push({ key: t.key, title: t.title, base: b.body, mine: null, theirs: t.body })
        sections.push(t)
      }
      continue
    }
    const title = pick(b?.title, m.title, t.title) ?? m.title
    let body: string
    if (b) {
      const r = mergeText(b.body, m.body, t.body)
      if (r.clean) body = r.text
      else {
        conflicts.push({ key: t.key, title, base: b.body, mine: m.body, theirs: t.body, ...(r.text !== undefined && r.text !== m.body ? { merged: r.text } : {}) })
        body = m.body
      }
    } else if (m.body === t.body) {
      body = m.body
    } else {
      // Both added a section with this key and different text.
      conflicts.push({ key: t.key, title, base: null, mine: m.body, theirs: t.body })
      body = m.body
    }
    if (body !== m.body && !conflicts.some((c) => c.key === t.key)) merged.push(t.key)
    sections.push({ ...t, title, body })
  }

  // Sections that are mine only: added by me, or removed by them.
  mine.forEach((m, idx) => {
    if (T.has(m.key)) return
    const b = B.get(m.key)
    if (b) {
      if (sameSection(b, m)) return // they removed it and I did not change it
      conflicts.push({ key: m.key, title: m.title, base: b.body, mine: m.body, theirs: null })
    }
    // Place it after the nearest earlier section of mine that is in the result.
    let at = 0
    for (let k = idx - 1; k >= 0; k--) {
      const p = sections.findIndex((s) => s.key === mine[k].key)
      if (p >= 0) {
        at = p + 1
        break
      }
    }
    sections.splice(at, 0, m)
  })

  return { sections, conflicts, merged }
}

/**
 * The base to keep unsaved text against while conflicts are open. The page
 * has adopted their version (`server`), and `mine` holds their changes
 * merged in except in the conflicting sections, which still hold my text
 * written against the old base. Storing `server` as the base would make
 * a later merge take my text as a clean edit and overwrite theirs (reviewer
 * P1); so conflicting sections keep their old base text (and a section
 * that base did not have is left out), and the clash comes back on recovery.
 */
export function conflictStashBase(server: Section[], mine: Section[], conflicts: SectionConflict[]): Section[] {
  const C = new Map(conflicts.map((c) => [c.key, c]))
  const out: Section[] = []
  for (const s of server) {
    const c = C.get(s.key)
    if (!c) out.push(s)
    else if (c.base !== null) out.push({ ...s, body: c.base })
  }
  // Sections they removed while I changed them: the base had them.
  for (const c of conflicts) {
    if (c.theirs !== null || c.base === null || out.some((s) => s.key === c.key)) continue
    const m = mine.find((s) => s.key === c.key)
    if (m) out.push({ ...m, body: c.base })
  }
  return out
}

/**
 * Applies the user's resolution of a conflict: text null removes the section.
 */
export function resolveConflict(sections: Section[], key: string, text: string | null, theirs?: Section): Section[] {
  if (text === null) return sections.filter((s) => s.key !== key)
  if (!sections.some((s) => s.key === key) && theirs) return [...sections, { ...theirs, body: text }]
  return sections.map((s) => (s.key === key ? { ...s, body: text } : s))
}

// ---------- autosave state machine ----------

export type SaveKind = 'saved' | 'dirty' | 'saving' | 'conflict' | 'error'

export interface SaveState {
  kind: SaveKind
  /** When the last save succeeded (ISO). */
  savedAt: string | null
  /** Edits made while a save was in flight (so another save follows). */
  pending: boolean
  /** Failed attempts in a row (for the retry back-off). */
  attempts: number
  /** The error to show ("" when none). */
  message: string
  /** True when the failure is worth retrying by itself (network, 5xx). */
  retry: boolean
}

export type SaveEvent =
  | { type: 'edit' }
  | { type: 'start' }
  | { type: 'ok'; at: string }
  | { type: 'conflict' }
  | { type: 'resolved' }
  | { type: 'fail'; message: string; retry: boolean }

export const initialSave = (savedAt: string | null = null): SaveState => ({
  kind: 'saved',
  savedAt,
  pending: false,
  attempts: 0,
  message: '',
  retry: false,
})

/** The next state of the autosave indicator after an event. */
export function nextSave(s: SaveState, e: SaveEvent): SaveState {
  switch (e.type) {
    case 'edit':
      if (s.kind === 'saving') return { ...s, pending: true }
      if (s.kind === 'conflict') return s // stays until the user resolves it
      if (s.kind === 'error') return { ...s, pending: true }
      return { ...s, kind: 'dirty' }
    case 'start':
      if (s.kind === 'conflict') return s
      return { ...s, kind: 'saving', pending: false }
    case 'ok':
      return { ...s, kind: s.pending ? 'dirty' : 'saved', savedAt: e.at, attempts: 0, message: '', retry: false }
    case 'conflict':
      return { ...s, kind: 'conflict', message: '', retry: false }
    case 'resolved':
      return { ...s, kind: 'dirty', pending: false, attempts: 0, message: '' }
    case 'fail':
      return { ...s, kind: 'error', attempts: s.attempts + 1, message: e.message, retry: e.retry }
  }
}

/** Milliseconds to wait before retrying after `attempts` failures in a row: 2 s doubling up to 30 s. */
export const retryDelay = (attempts: number) => Math.min(30_000, 2000 * 2 ** Math.max(0, attempts - 1))

/** True when the user has changes the server does not have. */
export const unsaved = (s: SaveState) => s.kind !== 'saved' || s.pending

// ---------- text helpers ----------

/** Converts a UTF-8 byte offset into s to a UTF-16 index (what editors use). */
export function byteToIndex(s: string, bytes: number): number {
  let b = 0
  let i = 0
  while (i < s.length && b < bytes) {
    const c = s.codePointAt(i)!
    b += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
    i += c >= 0x10000 ? 2 : 1
  }
  return i
}

export interface DiffLine {
  kind: 'add' | 'del' | 'ctx' | 'hunk' | 'file'
  text: string
}

/** Splits a unified diff into lines to show as text, each with its kind. */
export function parseUnifiedDiff(diff: string): DiffLine[] {
  if (!diff) return []
  const lines = diff.replace(/\n$/, '').split('\n')
  return lines.map((l): DiffLine => {
    if (l.startsWith('+++') || l.startsWith('---')) return { kind: 'file', text: l }
    if (l.startsWith('@@') || l.startsWith('\\')) return { kind: 'hunk', text: l }
    if (l.startsWith('+')) return { kind: 'add', text: l.slice(1) }
    if (l.startsWith('-')) return { kind: 'del', text: l.slice(1) }
    return { kind: 'ctx', text: l.startsWith(' ') ? l.slice(1) : l }
  })
}

/** Why a workflow button is disabled ("" when it is allowed). */
export function workflowBlock(
  action: 'submit' | 'approve' | 'request_changes' | 'publish' | 'amend' | 'edit',
  r: Pick<Rca, 'status' | 'reviewers'>,
  user: { email: string; role: string } | null,
  unsavedChanges = false,
): string {
  if (!user || user.role === 'viewer') return 'Viewers can read the RCA but not change it'
  const me = user.email.toLowerCase()
  const reviewer = r.reviewers.find((x) => x.name.toLowerCase() === me)
  switch (action) {
    case 'edit':
      if (r.status === 'published') return 'The RCA is published: amend it to edit it'
      return ''
    case 'submit':
      if (r.status !== 'draft') return r.status === 'in_review' ? 'The RCA is already in review' : 'The RCA is published: amend it first'
      if (unsavedChanges) return 'Wait until your changes are saved'
      return ''
    case 'approve':
      if (r.status !== 'in_review') return 'Reviewers decide while the RCA is in review'
      if (!reviewer) return r.reviewers.length ? `Only the reviewers can approve (${r.reviewers.map((x) => x.name).join(', ')})` : 'No reviewers were named'
      if (reviewer.state === 'approved') return 'You already approved this round'
      return ''
    case 'request_changes':
      if (r.status !== 'in_review') return 'Reviewers decide while the RCA is in review'
      if (r.reviewers.length && !reviewer) return `Only the reviewers can request changes (${r.reviewers.map((x) => x.name).join(', ')})`
      return ''
    case 'publish':
      if (r.status === 'draft') return 'Submit the RCA for review before publishing'
      if (r.status === 'published') return 'The RCA is already published'
      if (r.reviewers.length && !r.reviewers.some((x) => x.state === 'approved'))
        return 'Publishing needs an approval from one of the reviewers'
      return ''
    case 'amend':
      if (r.status !== 'published') return 'Only a published RCA is amended; edit the draft directly'
      return ''
  }
}

// ---------- unsaved text kept for this tab ----------

/** What the editor keeps in sessionStorage until the server has it. */
export interface Stash {
  /** The id of the user who typed it: another user's stash is never recovered. */
  user: number
  version: number
  base: Section[]
  mine: Section[]
  at: number
}

/**
 * Brings unsaved text kept from an earlier visit (a reload, a page left
 * before its save finished) onto the RCA as the server has it now: null
 * when there is nothing to recover, else the merge (which may hold
 * conflicts to ask about). Text typed by someone else (a shared machine,
 * another user signed in in this tab) or of unknown origin is never
 * recovered: it would be saved under this user's name.
 */
export function recoverStash(stash: Stash | null, server: Pick<Rca, 'sections' | 'version'>, userId: number | undefined): MergeResult | null {
  if (!stash || !Array.isArray(stash.mine) || !Array.isArray(stash.base)) return null
  if (userId === undefined || stash.user !== userId) return null
  if (stash.version > server.version) return null
  if (sameSections(stash.mine, stash.base) || sameSections(stash.mine, server.sections)) return null
  const m = merge3(stash.base, stash.mine, server.sections)
  if (m.conflicts.length === 0 && sameSections(m.sections, server.sections)) return null
  return m
}

/** The id prefix of a section's preview, so footnotes and heading anchors of
 *  the sections on one page stay apart and never equal the card's own ids
 *  (`s-KEY`, `h-KEY`): ids become `s-KEY--id`. Undefined when the key cannot
 *  be used (the server accepts [a-z0-9_-]{1,80}). */
export function previewIdPrefix(key: string): string | undefined {
  const p = `s-${key}-`
  return /^[a-z0-9_-]{1,80}$/.test(p) ? p : undefined
}

/** What to tell the user when an export is refused (status and the JSON error body, if any). */
export function exportErrorMessage(format: string, status: number, body: unknown): string {
  const name = format === 'md' ? 'Markdown' : format.toUpperCase()
  if (format === 'pdf' && status === 501) return 'PDF export is not available on this server (it needs Chromium). Export HTML and print it to PDF instead.'
  const err = (body as { error?: { message?: unknown; code?: unknown } } | null)?.error
  const msg = typeof err?.message === 'string' && err.message ? err.message : ''
  if (status === 403) return `${name} export refused: ${msg || 'you may not export this incident'}`
  return `${name} export failed (${status})${msg ? `: ${msg}` : ''}`
}

/** The RCA a 409 of "create the RCA" carries (someone else created it), or
 *  null when `current` is not one. */
export function existingRca(current: unknown): Rca | null {
  const r = current as Partial<Rca> | null | undefined
  if (!r || typeof r !== 'object' || !Array.isArray(r.sections) || typeof r.version !== 'number') return null
  return r as Rca
}
