// Timeline imports: the importers the server offers, the upload (multipart,
// with progress through XMLHttpRequest, which fetch cannot report), the dry
// run's preview and undo. Server side: api/import_handlers.go.
import { API, ApiError, del, get, type Page } from './api'

/** How an importer takes its input. */
export type InputKind = 'zip' | 'file' | 'zip-or-file'

export interface SourceInfo {
  /** The server's source name (form field "source"). */
  id: string
  label: string
  group: 'Chat' | 'Calls' | 'Alerts & monitoring' | 'Tickets' | 'Generic'
  /** What file the importer expects, in one sentence. */
  expects: string
  input: InputKind
  /** accept attribute of the file input. */
  accept: string
  /** The channel/room filter makes sense for this source. */
  channels?: boolean
  /** Needs the call's start time (transcripts). */
  callStart?: boolean
  /** Takes a field mapping (generic importers). */
  mapping?: boolean
  /** The CLI can pull from the vendor's API instead (the HTTP API takes files only): arguments after the incident, and the settings it reads. */
  pull?: { args: string; env: string }
}

// The importers of cmd/hindsight/import_source.go (the server has no list
// route; an unknown source answers 422 naming the known ones).
export const sources: SourceInfo[] = [
  { id: 'slack', label: 'Slack', group: 'Chat', input: 'zip', accept: '.zip,application/zip', channels: true,
    pull: { args: '--channel C0123ABCD', env: 'HINDSIGHT_SLACK_TOKEN' },
    expects: 'A workspace export as a .zip: users.json, channels.json and one folder per channel with a JSON file per day.' },
  { id: 'mattermost', label: 'Mattermost', group: 'Chat', input: 'zip-or-file', accept: '.zip,.jsonl,.json', channels: true,
    pull: { args: '--channel <channel id>', env: 'HINDSIGHT_MATTERMOST_URL, HINDSIGHT_MATTERMOST_TOKEN' },
    expects: 'A bulk export (mmctl export): the .zip or its JSON Lines file.' },
  { id: 'teams', label: 'Microsoft Teams', group: 'Chat', input: 'zip-or-file', accept: '.zip,.json', channels: true,
    expects: 'Messages from the Graph API or the Teams export, as JSON (one file or a .zip of them).' },
  { id: 'skype', label: 'Skype', group: 'Chat', input: 'zip-or-file', accept: '.zip,.tar,.json', channels: true,
    expects: 'messages.json from “Export your Skype data”, or the .zip/.tar around it.' },
  { id: 'hipchat', label: 'HipChat', group: 'Chat', input: 'zip-or-file', accept: '.zip,.json', channels: true,
    expects: 'One room’s history.json, or a whole HipChat Server export (.zip with rooms.json, users.json, rooms/<id>/history.json).' },
  { id: 'email', label: 'E-mail', group: 'Chat', input: 'file', accept: '.mbox,.eml,.txt',
    expects: 'Alert or status mails as an mbox file or a single .eml message.' },
  { id: 'call', label: 'Call transcript', group: 'Calls', input: 'file', accept: '.vtt,.srt', callStart: true,
    expects: 'A bridge call transcript in WebVTT (.vtt) or SubRip (.srt); give the time the call began.' },
  { id: 'pagerduty', label: 'PagerDuty', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.csv,.zip',
    pull: { args: '--id P1ABC23', env: 'HINDSIGHT_PAGERDUTY_TOKEN' },
    expects: 'Incident log entries or webhook payloads saved as JSON / JSON Lines (or a .zip of them).' },
  { id: 'opsgenie', label: 'Opsgenie', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    pull: { args: '--id <alert id>', env: 'HINDSIGHT_OPSGENIE_TOKEN' },
    expects: 'Alert logs or webhook payloads as JSON / JSON Lines.' },
  { id: 'victorops', label: 'VictorOps (Splunk On-Call)', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    pull: { args: '--id <incident number>', env: 'HINDSIGHT_VICTOROPS_API_ID, HINDSIGHT_VICTOROPS_API_KEY' },
    expects: 'Incident timeline or outgoing webhook payloads as JSON / JSON Lines.' },
  { id: 'zabbix', label: 'Zabbix', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    pull: { args: '--id <problem event id>', env: 'HINDSIGHT_ZABBIX_URL, HINDSIGHT_ZABBIX_TOKEN' },
    expects: 'Problem/event JSON from the Zabbix API, or webhook payloads as JSON Lines.' },
  { id: 'zenoss', label: 'Zenoss', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    expects: 'Event console JSON (EventsRouter query result), an array or JSON Lines of events.' },
  { id: 'newrelic', label: 'New Relic', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    expects: 'Alert notification webhooks (Workflows or legacy channel) saved as JSON / JSON Lines.' },
  { id: 'alertmanager', label: 'Prometheus Alertmanager', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    expects: 'Webhook notifications (version 4) as JSON / JSON Lines, or GET /api/v2/alerts output.' },
  { id: 'grafana', label: 'Grafana', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    expects: 'Webhook contact point notifications (unified or legacy alerting) as JSON / JSON Lines.' },
  { id: 'icinga', label: 'Icinga', group: 'Alerts & monitoring', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    expects: 'Event-stream JSON (one event per line) from the Icinga 2 API.' },
  { id: 'jira', label: 'Jira', group: 'Tickets', input: 'zip-or-file', accept: '.json,.csv,.zip',
    pull: { args: '--id OPS-12', env: 'HINDSIGHT_JIRA_URL, HINDSIGHT_JIRA_TOKEN' },
    expects: 'Issue or search JSON from the REST API, webhook payloads, or a CSV export.' },
  { id: 'github', label: 'GitHub', group: 'Tickets', input: 'zip-or-file', accept: '.json,.jsonl,.zip',
    pull: { args: '--id owner/repo#12', env: 'HINDSIGHT_GITHUB_TOKEN' },
    expects: 'Issue, comment and event JSON from the REST API, or webhook payloads.' },
  { id: 'redmine', label: 'Redmine', group: 'Tickets', input: 'zip-or-file', accept: '.json,.zip',
    pull: { args: '--id 42', env: 'HINDSIGHT_REDMINE_URL, HINDSIGHT_REDMINE_KEY' },
    expects: 'Issue JSON with journals (GET /issues/<id>.json?include=journals).' },
  { id: 'bugzilla', label: 'Bugzilla', group: 'Tickets', input: 'zip-or-file', accept: '.json,.zip',
    pull: { args: '--id 42', env: 'HINDSIGHT_BUGZILLA_URL, HINDSIGHT_BUGZILLA_KEY' },
    expects: 'REST bug, comment and history JSON.' },
  { id: 'mantis', label: 'Mantis', group: 'Tickets', input: 'zip-or-file', accept: '.json,.zip',
    pull: { args: '--id 42', env: 'HINDSIGHT_MANTIS_URL, HINDSIGHT_MANTIS_TOKEN' },
    expects: 'REST issue JSON (with notes and history).' },
  { id: 'statuspage', label: 'Statuspage', group: 'Tickets', input: 'zip-or-file', accept: '.json,.zip',
    pull: { args: '--id PAGE_ID/INCIDENT_ID', env: 'HINDSIGHT_STATUSPAGE_TOKEN' },
    expects: 'Incident JSON with its updates from the Statuspage API.' },
  { id: 'csv', label: 'CSV', group: 'Generic', input: 'file', accept: '.csv,.tsv,.txt', mapping: true,
    expects: 'Any CSV with a header row; map its columns to time, actor, text (and optionally id, thread, kind, link).' },
  { id: 'jsonl', label: 'JSON Lines', group: 'Generic', input: 'file', accept: '.jsonl,.ndjson,.json', mapping: true,
    expects: 'One JSON object per line; map its fields to time, actor, text (and optionally id, thread, kind, link).' },
]

export const sourceGroups = ['Chat', 'Calls', 'Alerts & monitoring', 'Tickets', 'Generic'] as const

/** The source-picker search: every word in the id, name, group or description. */
export function matchesSource(s: SourceInfo, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean)
  const hay = `${s.id} ${s.label} ${s.group} ${s.expects}`.toLowerCase()
  return words.every((w) => hay.includes(w))
}

export function sourceById(id: string): SourceInfo | undefined {
  return sources.find((s) => s.id === id)
}

/** Checks the picked file against what the source takes; returns a message or ''. */
export function checkFile(src: SourceInfo, name: string, size: number, maxBytes = 200 << 20): string {
  if (size === 0) return 'The file is empty.'
  if (size > maxBytes) return `The file is ${formatBytes(size)}; the server takes at most ${formatBytes(maxBytes)}.`
  const lower = name.toLowerCase()
  if (src.input === 'zip' && !lower.endsWith('.zip')) {
    return `${src.label} expects a .zip export: choose the .zip, or the unpacked export folder (“Choose a folder”, zipped here in the browser).`
  }
  return ''
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`
}

export interface TimelineEvent {
  id: number
  source: string
  external_id: string
  occurred_at: string
  occurred_at_text?: string
  kind: string
  actor: string
  body: string
  link?: string
  thread_id?: string
  metadata?: Record<string, unknown>
}

export interface Rejection {
  file: string
  line: number
  field: string
  reason: string
}

export interface ImportBatch {
  id: number
  incident_id: number
  source: string
  file_name: string
  sha256: string
  window_from: string | null
  window_to: string | null
  added: number
  duplicates: number
  rejected: number
  created_by: string
  created_at: string
  undone_at: string | null
}

export interface ImportReport {
  batch: ImportBatch | null
  dry_run: boolean
  parsed: number
  added: number
  duplicates: number
  rejected: number
  filtered: number
  preview: TimelineEvent[]
  rejections: Rejection[]
}

/** The choices of one import (form fields of POST /incidents/:id/imports). */
export interface ImportOptions {
  source: string
  /** 'incident': the server's default window (start − 1 h … resolution + 1 h); 'all': every event; 'custom': from/to. */
  window: 'incident' | 'all' | 'custom'
  from?: string | null
  to?: string | null
  channels?: string
  timezone?: string
  skipInvalid?: boolean
  threads?: boolean
  callStart?: string | null
  map?: string
}

/** Earliest time we send for "all events" (the server then keeps everything after it, with no end). */
export const ALL_FROM = '1970-01-01T00:00:00Z'

/** The multipart form fields for opts (the file is added by the caller). */
export function importFields(opts: ImportOptions, dryRun: boolean): [string, string][] {
  const f: [string, string][] = [['source', opts.source]]
  if (dryRun) f.push(['dry_run', 'true'])
  if (opts.window === 'all') f.push(['from', ALL_FROM])
  if (opts.window === 'custom') {
    if (opts.from) f.push(['from', opts.from])
    if (opts.to) f.push(['to', opts.to])
  }
  if (opts.channels?.trim()) f.push(['channel', opts.channels.trim()])
  if (opts.timezone?.trim()) f.push(['timezone', opts.timezone.trim()])
  if (opts.skipInvalid) f.push(['skip_invalid', 'true'])
  if (opts.threads) f.push(['threads_touching_window', 'true'])
  if (opts.callStart) f.push(['call_start', opts.callStart])
  if (opts.map?.trim()) f.push(['map', opts.map.trim()])
  return f
}

/** Turns an XHR answer into an ApiError like api.ts does for fetch. */
export function xhrError(status: number, statusText: string, body: string): ApiError {
  let data: any = null
  try {
    data = JSON.parse(body)
  } catch {
    /* not JSON */
  }
  const e = data?.error
  if (e) {
    const err = new ApiError(status, e.code ?? 'error', e.message ?? statusText, e.fields ?? {}, e.request_id ?? '', data.current ?? e.current)
    // import_rejected carries the rejections next to the message.
    ;(err as ImportApiError).rejections = e.rejections ?? data.rejections ?? []
    ;(err as ImportApiError).rejected = e.rejected ?? data.rejected ?? 0
    return err
  }
  if (status === 413) return new ApiError(413, 'too_large', 'The file is larger than the server accepts.')
  return new ApiError(status, 'http_' + status, `${status} ${statusText}`.trim())
}

export type ImportApiError = ApiError & { rejections?: Rejection[]; rejected?: number }

export interface UploadHandle {
  promise: Promise<ImportReport>
  abort: () => void
}

/**
 * Uploads file to POST /incidents/:key/imports with the session cookie,
 * reporting progress (0..1) of the upload; the promise settles with the
 * server's report, or rejects with an ApiError.
 */
export function uploadImport(key: string, file: File, opts: ImportOptions, dryRun: boolean, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest()
  const form = new FormData()
  for (const [k, v] of importFields(opts, dryRun)) form.append(k, v)
  form.append('file', file, file.name)
  const promise = new Promise<ImportReport>((resolve, reject) => {
    xhr.open('POST', `${API}/incidents/${encodeURIComponent(key)}/imports`)
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total)
    }
    xhr.upload.onload = () => onProgress(1)
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as ImportReport)
        } catch {
          reject(new ApiError(xhr.status, 'bad_response', 'The server answered with something that is not JSON.'))
        }
        return
      }
      if (xhr.status === 401) {
        reject(new ApiError(401, 'unauthenticated', 'Your session ended. Sign in again (in another tab, to keep this page) and retry.'))
        return
      }
      reject(xhrError(xhr.status, xhr.statusText, xhr.responseText))
    }
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload failed: the server could not be reached. Check your connection and try again.'))
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'))
    xhr.send(form)
  })
  return { promise, abort: () => xhr.abort() }
}

/**
 * After a real import was aborted, finds the batch the server wrote anyway:
 * the newest batch not in `before` with the same source and file name (an
 * abort does not stop the server once the body has arrived).
 */
export function batchWrittenAnyway(before: ImportBatch[], after: ImportBatch[], source: string, fileName: string): ImportBatch | null {
  const known = new Set(before.map((b) => b.id))
  let found: ImportBatch | null = null
  for (const b of after) {
    if (known.has(b.id) || b.undone_at || b.source !== source || b.file_name !== fileName) continue
    if (!found || b.id > found.id) found = b
  }
  return found
}

/** A result report for a batch known only from the list (the upload's answer was lost). */
export function reportFromBatch(b: ImportBatch, filtered = 0): ImportReport {
  return {
    batch: b,
    dry_run: false,
    parsed: b.added + b.duplicates + b.rejected + filtered,
    added: b.added,
    duplicates: b.duplicates,
    rejected: b.rejected,
    filtered,
    preview: [],
    rejections: [],
  }
}

export const listImports = (key: string) => get<Page<ImportBatch>>(`/incidents/${encodeURIComponent(key)}/imports`)

/** Undoes a batch: its events go, the batch stays marked undone. */
export const undoImport = (id: number) => del<void>(`/imports/${id}`)

export interface Count {
  name: string
  count: number
}

export interface PreviewSummary {
  total: number
  byKind: Count[]
  byActor: Count[]
  from: string | null
  to: string | null
}

function counted(m: Map<string, number>): Count[] {
  return [...m.entries()].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
}

/** Counts the previewed events by kind and by actor, with their time range. */
export function summarizePreview(events: TimelineEvent[]): PreviewSummary {
  const kinds = new Map<string, number>()
  const actors = new Map<string, number>()
  let from: number | null = null
  let to: number | null = null
  for (const e of events) {
    kinds.set(e.kind || 'unknown', (kinds.get(e.kind || 'unknown') ?? 0) + 1)
    const actor = e.actor?.trim() || '(no actor)'
    actors.set(actor, (actors.get(actor) ?? 0) + 1)
    const t = new Date(e.occurred_at).getTime()
    if (!isNaN(t)) {
      if (from === null || t < from) from = t
      if (to === null || t > to) to = t
    }
  }
  return {
    total: events.length,
    byKind: counted(kinds),
    byActor: counted(actors),
    from: from === null ? null : new Date(from).toISOString(),
    to: to === null ? null : new Date(to).toISOString(),
  }
}

/** "file:line: field: reason" as the CLI prints a rejection. */
export function formatRejection(r: Rejection): string {
  let s = r.file || ''
  if (r.line > 0) s += `:${r.line}`
  if (r.field) s += `${s ? ': ' : ''}${r.field}`
  return `${s ? s + ': ' : ''}${r.reason}`
}

/** One line of text for a previewed event (the body's first line, shortened). */
export function eventLine(e: TimelineEvent, max = 160): string {
  const body = (e.body ?? '').replace(/\s+/g, ' ').trim()
  return body.length > max ? body.slice(0, max - 1) + '…' : body
}

const columnGuesses: [string, RegExp][] = [
  ['time', /^(time|timestamp|ts|date|datetime|when|created|created_at|occurred|occurred_at|at)$|time|date|when/i],
  ['actor', /^(actor|user|author|who|from|sender|name|username|by)$|user|author|who/i],
  ['text', /^(text|message|msg|body|what|summary|description|content|note)$|message|text|body/i],
]

/** A mapping of our fields to the given columns, guessed from their names ("time=when,actor=who,text=what"). */
export function guessMapping(columns: string[]): string {
  const used = new Set<string>()
  const parts: string[] = []
  for (const [field, re] of columnGuesses) {
    const c = columns.find((x) => !used.has(x) && re.test(x))
    if (c) {
      used.add(c)
      parts.push(`${field}=${c}`)
    }
  }
  return parts.join(',')
}

/**
 * The generic importers' column problems, for the browser's "Field mapping"
 * box (the server's message names the CLI flag --map): what to say under the
 * box and, when the file's columns are listed, a mapping to try.
 */
export function mappingProblem(message: string): { text: string; suggestion: string } | null {
  const none = /no (\w+) column: name one with --map \w+=<column> \(tried [^;]*; columns: ([^)]*)\)/.exec(message)
  if (none) {
    const cols = none[2].split(',').map((c) => c.trim()).filter(Boolean)
    const suggestion = guessMapping(cols)
    return { text: `No ${none[1]} column found. Say which column holds it here (the file has: ${cols.join(', ')}).`, suggestion }
  }
  const missing = /mapping (\w+)=([^:]*): no column "[^"]*" in the header \(columns: ([^)]*)\)/.exec(message)
  if (missing) {
    const cols = missing[3].split(',').map((c) => c.trim()).filter(Boolean)
    return { text: `There is no column “${missing[2]}” (the file has: ${cols.join(', ')}).`, suggestion: guessMapping(cols) }
  }
  const bad = /mapping: (.*)$/.exec(message)
  if (bad) return { text: bad[1], suggestion: '' }
  return null
}
