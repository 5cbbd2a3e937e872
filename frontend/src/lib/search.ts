// Search and similar incidents: the API's shapes, the calls, and the pure
// mapping between the incident list's URL, its filters and the API's
// parameters. (Owned by the incidents lane.)
import { get, post, type Page } from './api'
import type { Incident } from './incidents'

// ---------- API shapes ----------

export interface FacetCount {
  value: string
  count: number
}

export interface EventMatch {
  id: number
  fragment: string
}

export interface SearchHit {
  id: number
  key: string
  title: string
  score: number
  severity?: string
  status?: string
  services?: string[]
  tags?: string[]
  started_at?: string | null
  published?: boolean
  /** Field → HTML-escaped fragments with matches in <mark>…</mark>. Render with lib/highlight.ts. */
  highlights: Record<string, string[]>
  events?: EventMatch[]
}

export interface SearchResult {
  items: SearchHit[]
  total: number
  facets: Record<string, FacetCount[]>
  next_cursor: string
  fuzzy: boolean
  any_word?: boolean
  /** What of q was left out, and why (a date bound that is no date). */
  notices?: string[]
  query: string
  took_ms: number
}

export interface Suggestion {
  kind: 'title' | 'service' | 'tag' | 'key'
  value: string
  key?: string
  id?: number
  count?: number
}

export type ReasonKind = 'terms' | 'service' | 'tag' | 'category' | 'team'

export interface Reason {
  kind: ReasonKind | string
  values: string[]
  text: string
}

export interface ActionsSummary {
  total: number
  open: number
  done: number
  wont_do: number
  all_closed: boolean
}

export interface SimilarIncident {
  id: number
  key: string
  title: string
  score: number
  status?: string
  severity?: string
  started_at?: string | null
  published?: boolean
  /** Score over the source's score against itself (0 for text). */
  relative?: number
  reasons: Reason[]
  actions: ActionsSummary
}

export interface RecurrenceSide {
  id: number
  key: string
  title: string
  status: string
}

export interface Recurrence {
  id: number
  incident: RecurrenceSide
  past_incident: RecurrenceSide
  relative: number
  score: number
  reasons: Reason[]
  actions_closed: number
  message: string
  created_at: string
  dismissed_at: string | null
  dismissed_by: string
}

// ---------- calls ----------

type Q = Record<string, string | number | boolean | undefined | null | (string | number)[]>

export const search = (params: Q, signal?: AbortSignal) => get<SearchResult>('/search', params, { signal })

export const listIncidents = (params: Q, signal?: AbortSignal) => get<Page<Incident>>('/incidents', params, { signal })

export const suggest = (prefix: string, limit = 8, signal?: AbortSignal) =>
  get<{ items: Suggestion[] }>('/search/suggest', { q: prefix, limit }, { signal }).then((r) => r.items ?? [])

/** The past incidents most like incident key. */
export const similarTo = (key: string, limit = 5, signal?: AbortSignal) =>
  get<{ items: SimilarIncident[] }>(`/incidents/${encodeURIComponent(key)}/similar`, { limit }, { signal }).then((r) => r.items ?? [])

/** The past incidents most like a piece of text (a pasted alert). */
export const similarText = (text: string, limit = 5, signal?: AbortSignal) =>
  post<{ items: SimilarIncident[] }>('/similar', { text, limit }, { signal }).then((r) => r.items ?? [])

export const listRecurrences = (params: Q, signal?: AbortSignal) => get<Page<Recurrence>>('/recurrences', params, { signal })

export const dismissRecurrence = (id: number) => post<Recurrence>(`/recurrences/${id}/dismiss`, {})

// ---------- the incident list's state ----------

export type Sort = 'relevance' | 'newest' | 'oldest'
export const sorts: Sort[] = ['relevance', 'newest', 'oldest']

/** Filters that take several values (OR within one field). */
export const listFields = ['service', 'severity', 'status', 'tag', 'team', 'category'] as const
export type ListField = (typeof listFields)[number]

export interface SearchState {
  q: string
  service: string[]
  severity: string[]
  status: string[]
  tag: string[]
  team: string[]
  category: string[]
  /** A year from the year facet ("2021"); becomes after/before. */
  year: string
  after: string
  before: string
  /** "true" / "false" / "" */
  published: string
  /** "" = the API's default (relevance with words, newest without). */
  sort: Sort | ''
}

export function emptyState(): SearchState {
  return { q: '', service: [], severity: [], status: [], tag: [], team: [], category: [], year: '', after: '', before: '', published: '', sort: '' }
}

function values(p: URLSearchParams, name: string): string[] {
  const out: string[] = []
  for (const v of p.getAll(name))
    for (const part of v.split(',')) {
      const t = part.trim()
      if (t && !out.includes(t)) out.push(t)
    }
  return out
}

/** Reads the list's state from the page URL's query. */
export function parseState(p: URLSearchParams): SearchState {
  const s = emptyState()
  s.q = p.get('q') ?? ''
  for (const f of listFields) s[f] = values(p, f)
  const year = p.get('year') ?? ''
  s.year = /^\d{4}$/.test(year) ? year : ''
  s.after = p.get('after') ?? ''
  s.before = p.get('before') ?? ''
  const pub = p.get('published') ?? ''
  s.published = pub === 'true' || pub === 'false' ? pub : ''
  const sort = p.get('sort') ?? ''
  s.sort = (sorts as string[]).includes(sort) ? (sort as Sort) : ''
  return s
}

/** Every key of the state as setQuery values (empty ones remove the key). */
export function stateToQuery(s: SearchState): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { q: s.q || undefined }
  for (const f of listFields) out[f] = s[f].length ? s[f].join(',') : undefined
  out.year = s.year || undefined
  out.after = s.after || undefined
  out.before = s.before || undefined
  out.published = s.published || undefined
  out.sort = s.sort || undefined
  return out
}

/** The list page's address for a state ("/incidents?q=disk&service=api"). */
export function stateToHref(s: SearchState, path = '/incidents'): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(stateToQuery(s))) if (v) p.set(k, v)
  const qs = p.toString()
  return qs ? `${path}?${qs}` : path
}

/** The after/before bounds of the state (a year becomes Jan 1 .. Jan 1 of the next year). */
function bounds(s: SearchState): { after?: string; before?: string } {
  if (s.year) {
    const y = Number(s.year)
    return { after: s.after || `${y}-01-01`, before: s.before || `${y + 1}-01-01` }
  }
  return { after: s.after || undefined, before: s.before || undefined }
}

/** Parameters of GET /search for the state. */
export function searchParams(s: SearchState, opts: { cursor?: string; limit?: number; facets?: boolean } = {}): Q {
  const { after, before } = bounds(s)
  return {
    q: s.q.trim() || undefined,
    service: s.service,
    severity: s.severity,
    status: s.status,
    tag: s.tag,
    team: s.team,
    category: s.category,
    after,
    before,
    published: s.published || undefined,
    sort: s.sort || undefined,
    limit: opts.limit,
    cursor: opts.cursor || undefined,
    facets: opts.facets === false ? 'false' : undefined,
  }
}

/** Whether any filter (not the text) is set. */
export function hasFilters(s: SearchState): boolean {
  return listFields.some((f) => s[f].length > 0) || !!(s.year || s.after || s.before || s.published)
}

/**
 * Parameters of GET /incidents (the database list, fresh even while the
 * index catches up) for the state, or null when only search can answer it
 * (words, or filters the list does not take). Used when nothing was typed.
 */
export function listParams(s: SearchState, opts: { cursor?: string; limit?: number } = {}): Q | null {
  if (s.q.trim() || hasFilters(s)) return null
  return {
    sort: s.sort === 'oldest' ? 'created_at' : '-created_at',
    limit: opts.limit,
    cursor: opts.cursor || undefined,
  }
}

/** Adds value to field, or removes it when present. */
export function toggleFilter(s: SearchState, field: ListField | 'year', value: string): SearchState {
  const next: SearchState = { ...s, ...Object.fromEntries(listFields.map((f) => [f, [...s[f]]])) } as SearchState
  if (field === 'year') {
    next.year = s.year === value ? '' : value
    return next
  }
  const i = next[field].findIndex((v) => v.toLowerCase() === value.toLowerCase())
  if (i >= 0) next[field].splice(i, 1)
  else next[field].push(value)
  return next
}

export function isActive(s: SearchState, field: ListField | 'year', value: string): boolean {
  if (field === 'year') return s.year === value
  return s[field].some((v) => v.toLowerCase() === value.toLowerCase())
}

export interface Chip {
  field: ListField | 'year' | 'after' | 'before' | 'published'
  value: string
  label: string
}

const fieldLabels: Record<Chip['field'], string> = {
  service: 'Service',
  severity: 'Severity',
  status: 'Status',
  tag: 'Tag',
  team: 'Team',
  category: 'Category',
  year: 'Year',
  after: 'From',
  before: 'Before',
  published: 'RCA',
}

/** The active filters as removable chips. */
export function chips(s: SearchState): Chip[] {
  const out: Chip[] = []
  for (const f of listFields) for (const v of s[f]) out.push({ field: f, value: v, label: `${fieldLabels[f]}: ${v}` })
  if (s.year) out.push({ field: 'year', value: s.year, label: `Year: ${s.year}` })
  if (s.after) out.push({ field: 'after', value: s.after, label: `From: ${s.after}` })
  if (s.before) out.push({ field: 'before', value: s.before, label: `Before: ${s.before}` })
  if (s.published) out.push({ field: 'published', value: s.published, label: s.published === 'true' ? 'RCA published' : 'RCA not published' })
  return out
}

/** The state without one chip. */
export function removeChip(s: SearchState, c: Chip): SearchState {
  if (c.field === 'after' || c.field === 'before' || c.field === 'published') return { ...s, [c.field]: '' }
  return toggleFilter(s, c.field, c.value)
}

/** The state without any filter (the words and sort stay). */
export function clearFilters(s: SearchState): SearchState {
  return { ...emptyState(), q: s.q, sort: s.sort }
}

// ---------- facets ----------

/** Facets shown in the sidebar, in order, with their filter field. */
export const facetGroups: { facet: string; field: ListField | 'year'; label: string }[] = [
  { facet: 'severity', field: 'severity', label: 'Severity' },
  { facet: 'status', field: 'status', label: 'Status' },
  { facet: 'service', field: 'service', label: 'Service' },
  { facet: 'tag', field: 'tag', label: 'Tag' },
  { facet: 'category', field: 'category', label: 'Root-cause category' },
  { facet: 'team', field: 'team', label: 'Team' },
  { facet: 'year', field: 'year', label: 'Year' },
]

/** A facet's values in display order: severities by level, years newest first, others by count. */
export function orderFacet(name: string, counts: FacetCount[] | undefined): FacetCount[] {
  const list = [...(counts ?? [])]
  if (name === 'severity') return list.sort((a, b) => a.value.localeCompare(b.value, 'en', { numeric: true }))
  if (name === 'year') return list.sort((a, b) => b.value.localeCompare(a.value))
  return list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
}

// ---------- highlights and hits ----------

/** Labels of the highlighted fields, in the order a result shows them. */
export const highlightFields: { field: string; label: string }[] = [
  { field: 'summary', label: 'Summary' },
  { field: 'root_causes', label: 'Root cause' },
  { field: 'rca', label: 'RCA' },
  { field: 'actions', label: 'Action' },
]

/** At most max fragments of a hit's highlighted fields (not title or timeline), in order. */
export function fragmentsOf(hit: SearchHit, max = 3): { label: string; fragment: string }[] {
  const out: { label: string; fragment: string }[] = []
  for (const { field, label } of highlightFields) {
    for (const f of hit.highlights?.[field] ?? []) {
      if (out.length >= max) return out
      out.push({ label, fragment: f })
    }
  }
  return out
}

/** The address of a timeline event of an incident. */
export function eventHref(key: string, eventId: number): string {
  return `/incidents/${encodeURIComponent(key)}#event-${eventId}`
}

// ---------- similar incidents ----------

/** Where the corrective actions stand, in words: "all 4 actions closed", "2 of 5 actions open". */
export function actionsText(a: ActionsSummary | undefined | null): string {
  if (!a || a.total === 0) return 'no corrective actions'
  const n = (k: number) => `${k} action${k === 1 ? '' : 's'}`
  if (a.all_closed) {
    if (a.total === 1) return 'its 1 action closed'
    return `all ${n(a.total)} closed`
  }
  return `${a.open} of ${n(a.total)} open`
}

/** The bar width (0–100) of a similar incident: its score against the best one of its list. */
/** Below this share of the best match's score, a similar incident is a weak match. */
export const WEAK_MATCH = 0.15

/**
 * Splits ranked similar incidents into the matches worth reading and the
 * weak tail (score under WEAK_MATCH of the best), which a list folds away.
 * The best match is never weak.
 */
export function splitWeak<T extends Pick<SimilarIncident, 'score'>>(items: T[], threshold = WEAK_MATCH): { strong: T[]; weak: T[] } {
  const best = Math.max(0, ...items.map((i) => i.score))
  const strong: T[] = []
  const weak: T[] = []
  items.forEach((it, i) => (i === 0 || (best > 0 && it.score >= best * threshold) ? strong : weak).push(it))
  return { strong, weak }
}

export function scorePercent(item: Pick<SimilarIncident, 'score'>, best: number): number {
  if (!best || best <= 0 || !(item.score > 0)) return 0
  return Math.max(2, Math.min(100, Math.round((item.score / best) * 100)))
}

/**
 * How alike, in words, from relative (the score over the incident's own
 * score against itself): from 0.5 the server flags a recurrence. Empty for
 * text (relative 0), where there is no self-score to compare with.
 */
export function similarityLabel(relative: number | undefined | null): string {
  if (!relative || relative <= 0) return ''
  if (relative >= 0.5) return 'nearly the same'
  if (relative >= 0.15) return 'quite similar'
  if (relative >= 0.05) return 'similar'
  return 'some overlap'
}

/** A reason as a short phrase when its text is empty. */
export function reasonText(r: Reason): string {
  if (r.text) return r.text
  const v = r.values.join(', ')
  switch (r.kind) {
    case 'terms':
      return `shared terms: ${v}`
    case 'service':
      return `same service: ${v}`
    case 'tag':
      return `same tag: ${v}`
    case 'category':
      return `same root-cause category: ${v}`
    case 'team':
      return `same team: ${v}`
    default:
      return v
  }
}

// ---------- search-box suggestions ----------

/**
 * What choosing a suggestion does: a title or key opens that incident; a
 * service or tag becomes a filter and the word being typed is dropped from
 * the box (the earlier words stay).
 */
export function applySuggestion(s: SearchState, text: string, sg: Suggestion): { href?: string; state?: SearchState; text?: string } {
  if ((sg.kind === 'title' || sg.kind === 'key') && (sg.key || sg.kind === 'key')) {
    return { href: `/incidents/${encodeURIComponent(sg.key ?? sg.value)}` }
  }
  const field: ListField = sg.kind === 'service' ? 'service' : 'tag'
  const words = text.trimEnd().split(/\s+/)
  words.pop()
  const rest = words.join(' ')
  const next = isActive(s, field, sg.value) ? { ...s } : toggleFilter(s, field, sg.value)
  next.q = rest
  return { state: next, text: rest }
}

/**
 * The values a facet group lists: the API's counts in display order, then
 * any active value the counts lack (so it can be unticked), or — when the
 * API counts nothing for the facet — the fallback values without counts
 * (count -1), e.g. the statuses.
 */
export function facetValues(name: string, counts: FacetCount[] | undefined, active: string[], fallback: string[] = []): FacetCount[] {
  const list = counts?.length ? orderFacet(name, counts) : fallback.map((value) => ({ value, count: -1 }))
  const have = new Set(list.map((c) => c.value.toLowerCase()))
  for (const a of active) if (!have.has(a.toLowerCase())) list.push({ value: a, count: 0 })
  return list
}

/** A reason in a few words for a narrow column: "words: dns, broke, sites +5", "tags: dns, github +7". */
export function shortReason(r: Reason, max = 3): string {
  const vals = r.values.slice(0, max).join(', ') + (r.values.length > max ? ` +${r.values.length - max}` : '')
  const name: Record<string, [string, string]> = {
    terms: ['word', 'words'],
    service: ['service', 'services'],
    tag: ['tag', 'tags'],
    category: ['category', 'categories'],
    team: ['team', 'teams'],
  }
  const n = name[r.kind]
  if (!n || r.values.length === 0) return reasonText(r)
  return `${r.values.length === 1 ? n[0] : n[1]}: ${vals}`
}
