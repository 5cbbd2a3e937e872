// The dashboard: the metrics answers of the server (api/metric_handlers.go),
// the filters and how they live in the URL, and the pure helpers the charts
// draw with (scales, ticks, top N + others). Nothing here touches the DOM.
import { API, get, qs } from './api'
import { severities, type Severity } from './incidents'
import { actionStatuses, type ActionStatus } from './actions'
import { saveFile } from './download'

// ---------- the server's answers ----------

export interface StatusCounts {
  open: number
  in_progress: number
  done: number
  wont_do: number
  /** Open and in-progress actions past their due date (counted in those too). */
  overdue: number
}

export interface BurndownPoint {
  /** The first day of the bucket, YYYY-MM-DD. */
  start: string
  /** Open + in progress at the end of the bucket. */
  open: number
  opened: number
  closed: number
}

export interface Burndown {
  bucket: 'day' | 'week'
  points: BurndownPoint[]
}

export interface OverdueAction {
  id: number
  incident_key: string
  title: string
  owner: string
  team: string
  due_date: string
  days_overdue: number
}

export interface ActionMetrics {
  counts: StatusCounts
  by_team: Record<string, StatusCounts> | null
  by_owner: Record<string, StatusCounts> | null
  by_service: Record<string, StatusCounts> | null
  by_priority: Record<string, StatusCounts> | null
  completion_within_policy: { done: number; on_time: number; share: number | null; no_due_date: number }
  days_to_close: { p50: number | null; p90: number | null; count: number }
  oldest_overdue: OverdueAction[] | null
  /** Missing on servers older than the burn-down. */
  burndown?: Burndown | null
}

export interface Percentiles {
  p50: number | null
  p90: number | null
  count: number
}

export const ttxKeys = ['time_to_detect', 'time_to_acknowledge', 'time_to_mitigate', 'time_to_resolve'] as const
export type TtxKey = (typeof ttxKeys)[number]
export const ttxLabels: Record<TtxKey, string> = {
  time_to_detect: 'Time to detect',
  time_to_acknowledge: 'Time to acknowledge',
  time_to_mitigate: 'Time to mitigate',
  time_to_resolve: 'Time to resolve',
}

/** The interval alone, for buttons and table headers. */
export const ttxShort: Record<TtxKey, string> = {
  time_to_detect: 'Detect',
  time_to_acknowledge: 'Acknowledge',
  time_to_mitigate: 'Mitigate',
  time_to_resolve: 'Resolve',
}

export type TimeToX = Record<TtxKey, Percentiles>

export interface MonthMetrics extends TimeToX {
  month: string
  count: number
  by_severity: Record<string, number> | null
  /** The month's incidents of each of the 8 services with most incidents over the selection. */
  by_service?: Record<string, number> | null
}

export interface KeyCount {
  key: string
  count: number
}

export interface MissingRCA {
  key: string
  title: string
  severity: Severity
  resolved_at: string
  days: number
}

export interface IncidentMetrics {
  per_month: MonthMetrics[] | null
  by_severity: Record<string, TimeToX> | null
  by_service: KeyCount[] | null
  without_published_rca: { count: number; items: MissingRCA[] | null }
  top_root_cause_categories: KeyCount[] | null
  recurrences: { count: number; open: number; dismissed: number }
}

// ---------- filters ----------

/** What the stacked action bars group by. */
export type Dimension = 'team' | 'owner' | 'service' | 'priority'
export const dimensions: Dimension[] = ['team', 'owner', 'service', 'priority']

export type RangePreset = '30d' | '90d' | 'quarter' | '12m' | 'all' | 'custom'
export const rangePresets: RangePreset[] = ['30d', '90d', 'quarter', '12m', 'all', 'custom']
export const rangeLabels: Record<RangePreset, string> = {
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  quarter: 'This quarter',
  '12m': 'Last 12 months',
  all: 'All time',
  custom: 'Custom',
}

export interface DashboardFilters {
  range: RangePreset
  /** YYYY-MM-DD; only read when range is custom. */
  from: string
  to: string
  team: string
  service: string
  severity: Severity | ''
  owner: string
  /** Days after resolution an RCA should be published by. */
  rcaDays: number
  /** The time-to-x the monthly line chart shows. */
  ttx: TtxKey
  /** What the stacked action bars group by. */
  by: Dimension
}

export const defaultRange: RangePreset = '12m'
export const defaultRcaDays = 14

export const emptyDashboardFilters: DashboardFilters = {
  range: defaultRange,
  from: '',
  to: '',
  team: '',
  service: '',
  severity: '',
  owner: '',
  rcaDays: defaultRcaDays,
  ttx: 'time_to_resolve',
  by: 'team',
}

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !isNaN(Date.parse(s + 'T00:00:00Z'))

/** Reads the filters from the page's query string (unknown or malformed values ignored). */
export function dashboardFromQuery(q: URLSearchParams): DashboardFilters {
  const from = q.get('from') ?? ''
  const to = q.get('to') ?? ''
  const range = q.get('range') ?? ''
  const sev = q.get('severity') ?? ''
  const ttx = q.get('ttx') ?? ''
  const by = q.get('by') ?? ''
  const days = Number(q.get('rca_days'))
  const custom = isDay(from) || isDay(to)
  return {
    range: (rangePresets as string[]).includes(range) && range !== 'custom' ? (range as RangePreset) : custom ? 'custom' : defaultRange,
    from: isDay(from) ? from : '',
    to: isDay(to) ? to : '',
    team: q.get('team')?.trim() ?? '',
    service: q.get('service')?.trim() ?? '',
    severity: (severities as string[]).includes(sev) ? (sev as Severity) : '',
    owner: q.get('owner')?.trim() ?? '',
    rcaDays: Number.isInteger(days) && days >= 1 && days <= 3650 ? days : defaultRcaDays,
    ttx: (ttxKeys as readonly string[]).includes(ttx) ? (ttx as TtxKey) : 'time_to_resolve',
    by: (dimensions as string[]).includes(by) ? (by as Dimension) : 'team',
  }
}

/** The query values for setQuery: defaults and empty ones are null (removed from the URL). */
export function dashboardToQuery(f: DashboardFilters): Record<string, string | null> {
  const custom = f.range === 'custom'
  return {
    range: custom || f.range === defaultRange ? null : f.range,
    from: custom && f.from ? f.from : null,
    to: custom && f.to ? f.to : null,
    team: f.team.trim() || null,
    service: f.service.trim() || null,
    severity: f.severity || null,
    owner: f.owner.trim() || null,
    rca_days: f.rcaDays === defaultRcaDays ? null : String(f.rcaDays),
    ttx: f.ttx === 'time_to_resolve' ? null : f.ttx,
    by: f.by === 'team' ? null : f.by,
  }
}

const pad = (n: number) => String(n).padStart(2, '0')
const ymd = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`

/** The from/to days (inclusive) of f's range, judged from today (YYYY-MM-DD); '' is open-ended. */
export function rangeDays(f: Pick<DashboardFilters, 'range' | 'from' | 'to'>, today: string): { from: string; to: string } {
  const t = new Date(today + 'T00:00:00Z')
  const back = (days: number) => ymd(new Date(t.getTime() - days * 86400e3))
  switch (f.range) {
    case '30d':
      return { from: back(29), to: today }
    case '90d':
      return { from: back(89), to: today }
    case 'quarter':
      return { from: ymd(new Date(Date.UTC(t.getUTCFullYear(), Math.floor(t.getUTCMonth() / 3) * 3, 1))), to: today }
    case '12m':
      // The 12 calendar months up to this one, so the monthly charts have whole months.
      return { from: ymd(new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() - 11, 1))), to: today }
    case 'all':
      return { from: '', to: '' }
    default:
      return { from: f.from, to: f.to }
  }
}

/** A custom range whose end is before its start (the server would refuse it). */
export function rangeError(f: DashboardFilters): string {
  if (f.range === 'custom' && f.from && f.to && f.to < f.from) return '“To” must not be before “From”.'
  return ''
}

/** The API query of GET /metrics/actions. */
export function actionQuery(f: DashboardFilters, today: string) {
  const r = rangeDays(f, today)
  return { from: r.from, to: r.to, team: f.team.trim(), service: f.service.trim(), severity: f.severity, owner: f.owner.trim() }
}

/** The API query of GET /metrics/incidents (no owner: incidents have none). */
export function incidentQuery(f: DashboardFilters, today: string) {
  const r = rangeDays(f, today)
  return {
    from: r.from,
    to: r.to,
    team: f.team.trim(),
    service: f.service.trim(),
    severity: f.severity,
    rca_days: f.rcaDays === defaultRcaDays ? '' : String(f.rcaDays),
  }
}

/** The CSV download of a dashboard with the same filters. */
export function csvHref(path: string, query: Record<string, string>): string {
  return API + path + qs({ ...query, format: 'csv' })
}

/** The calendar month before today's (YYYY-MM): the monthly report's default. */
export function previousMonth(today: string): string {
  const y = Number(today.slice(0, 4))
  const m = Number(today.slice(5, 7))
  return m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`
}

/** The download of the monthly review (GET /reports/monthly) of month as Markdown or CSV. */
export function monthlyReportHref(month: string, format: 'markdown' | 'csv'): string {
  return API + '/reports/monthly' + qs({ month: /^\d{4}-\d{2}$/.test(month) ? month : '', format })
}

/**
 * CSV text of rows (RFC 4180: quoted when needed, CRLF line ends). A cell
 * a spreadsheet would read as a formula (=, +, -, @ first) gets a leading
 * apostrophe, as the server's CSV does; numbers are left alone.
 */
export function toCsv(rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return ''
    if (typeof v === 'number') return String(v)
    let s = v
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s
  }
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n'
}

type Row = (string | number | null)[]

/** The figures of the actions' cards as CSV rows (metric,value). */
export function actionSummaryRows(m: ActionMetrics): Row[] {
  const p = m.completion_within_policy
  const d = m.days_to_close
  return [
    ['metric', 'value'],
    ['open', m.counts.open],
    ['in_progress', m.counts.in_progress],
    ['overdue', m.counts.overdue],
    ['done', m.counts.done],
    ['wont_do', m.counts.wont_do],
    ['done_with_due_date', p.done],
    ['done_on_time', p.on_time],
    ['on_time_share', p.share],
    ['done_without_due_date', p.no_due_date],
    ['days_to_close_p50', d.p50],
    ['days_to_close_p90', d.p90],
    ['days_to_close_count', d.count],
  ]
}

/** The figures of the incidents' cards as CSV rows (metric,value). */
export function incidentSummaryRows(m: IncidentMetrics, rcaDays: number): Row[] {
  return [
    ['metric', 'value'],
    ['incidents', (m.per_month ?? []).reduce((a, x) => a + x.count, 0)],
    ['without_published_rca', m.without_published_rca.count],
    ['rca_days', rcaDays],
    ['recurrences', m.recurrences.count],
    ['recurrences_open', m.recurrences.open],
    ['recurrences_dismissed', m.recurrences.dismissed],
  ]
}

/** Time-to-x per severity as CSV rows: severity, then p50/p90/count in seconds per interval. */
export function severityTtxRows(m: IncidentMetrics): Row[] {
  const head: Row = ['severity']
  for (const k of ttxKeys) head.push(`${k}_p50`, `${k}_p90`, `${k}_count`)
  const rows: Row[] = [head]
  for (const s of severities) {
    const t = m.by_severity?.[s]
    if (!t) continue
    const row: Row = [s]
    for (const k of ttxKeys) row.push(t[k].p50, t[k].p90, t[k].count)
    rows.push(row)
  }
  return rows
}

/** Saves text as a file download named filename (CSV built in the page). */
export function download(filename: string, text: string, type = 'text/csv;charset=utf-8') {
  saveFile(filename, new Blob([text], { type }))
}

export const getActionMetrics = (f: DashboardFilters, today: string, signal?: AbortSignal) =>
  get<ActionMetrics>('/metrics/actions', actionQuery(f, today), { signal })

export const getIncidentMetrics = (f: DashboardFilters, today: string, signal?: AbortSignal) =>
  get<IncidentMetrics>('/metrics/incidents', incidentQuery(f, today), { signal })

// ---------- chart helpers ----------

/** The round step (1, 2 or 5 × 10^k) nearest to span/count. */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !isFinite(span)) return 1
  const raw = span / Math.max(1, count)
  const mag = Math.pow(10, Math.floor(Math.log10(raw)))
  const f = raw / mag
  const nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
  return nice * mag
}

/**
 * Ticks from 0 to a round maximum ≥ max, about count of them. Whole
 * numbers when integer is set (counts), so the axis never says "2.5 incidents".
 */
export function ticks(max: number, count = 5, integer = false): number[] {
  if (!(max > 0) || !isFinite(max)) return [0, 1]
  let step = niceStep(max, count)
  if (integer) step = Math.max(1, Math.round(step))
  const top = Math.ceil(max / step - 1e-9) * step
  const out: number[] = []
  for (let v = 0; v <= top + step / 2; v += step) out.push(Number(v.toPrecision(12)))
  return out
}

const durationSteps = [60, 300, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400]

/**
 * Ticks for durations in seconds: steps people read (5m, 1h, 6h, 1d, 1w…)
 * from 0 past max, at most count+1 of them.
 */
export function durationTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !isFinite(max)) return [0, 60]
  const step = durationSteps.find((s) => max / s <= count) ?? niceStep(max / 86400, count) * 86400
  const out: number[] = []
  for (let v = 0; v < max + step; v += step) out.push(v)
  return out
}

/** A linear map from [0, domainMax] to [0, length]; a domain of 0 maps everything to 0. */
export function scale(domainMax: number, length: number): (v: number) => number {
  if (!(domainMax > 0)) return () => 0
  return (v) => (Math.max(0, v) / domainMax) * length
}

/** A row of a stacked chart: its label and one value per series. */
export interface StackRow {
  key: string
  label: string
  values: number[]
}

/** The segments [start, end) of each value of a stacked row. */
export function stackSegments(values: number[]): { start: number; end: number }[] {
  let at = 0
  return values.map((v) => {
    const start = at
    at += Math.max(0, v)
    return { start, end: at }
  })
}

export const total = (values: number[]) => values.reduce((a, b) => a + Math.max(0, b), 0)

/**
 * The n biggest rows by total, then one "Others" row summing the rest (only
 * when there is more than one left over — a single row is shown as itself).
 */
export function topN(rows: StackRow[], n: number, othersLabel = 'Others'): StackRow[] {
  const sorted = [...rows].sort((a, b) => total(b.values) - total(a.values) || a.label.localeCompare(b.label))
  if (sorted.length <= n + 1) return sorted
  const rest = sorted.slice(n)
  const sums = rest[0].values.map((_, i) => rest.reduce((s, r) => s + (r.values[i] ?? 0), 0))
  return [...sorted.slice(0, n), { key: '\u0000others', label: `${othersLabel} (${rest.length})`, values: sums }]
}

/** The statuses the stacked action bars show (overdue is part of open and in progress). */
export const stackStatuses: ActionStatus[] = actionStatuses

/** Status counts per key as stacked rows; an empty key is labelled by none ("No team"). */
export function statusRows(groups: Record<string, StatusCounts> | null | undefined, none: string): StackRow[] {
  return Object.entries(groups ?? {}).map(([k, c]) => ({ key: k, label: k || none, values: stackStatuses.map((s) => c[s] ?? 0) }))
}

/** Incidents per month stacked by severity (SEV1 first). */
export function monthRows(months: MonthMetrics[] | null | undefined): StackRow[] {
  return (months ?? []).map((m) => ({ key: m.month, label: monthLabel(m.month), values: severities.map((s) => m.by_severity?.[s] ?? 0) }))
}

/**
 * Incidents per month stacked by service: one value per service of
 * services (the server's 8 with most incidents, most first).
 */
export function monthServiceRows(months: MonthMetrics[] | null | undefined, services: string[]): StackRow[] {
  return (months ?? []).map((m) => ({ key: m.month, label: monthLabel(m.month), values: services.map((s) => m.by_service?.[s] ?? 0) }))
}

/** The services the months are broken down by, most incidents first (the keys of by_service, in the order of by_service overall). */
export function monthServices(m: IncidentMetrics): string[] {
  const have = new Set<string>()
  for (const mo of m.per_month ?? []) for (const k of Object.keys(mo.by_service ?? {})) have.add(k)
  return (m.by_service ?? []).map((k) => k.key).filter((k) => have.has(k))
}

const emptyTtx = (): TimeToX => ({
  time_to_detect: { p50: null, p90: null, count: 0 },
  time_to_acknowledge: { p50: null, p90: null, count: 0 },
  time_to_mitigate: { p50: null, p90: null, count: 0 },
  time_to_resolve: { p50: null, p90: null, count: 0 },
})

/**
 * The months of the range from..to (YYYY-MM-DD; '' open-ended), the
 * server's where it has them and empty ones elsewhere, so a chart shows the
 * whole period asked for and not just the months with an incident. An
 * open-ended side stops at the server's first or last month; more than
 * maxMonths months are left as the server sent them.
 */
export function fillMonths(months: MonthMetrics[] | null | undefined, from: string, to: string, maxMonths = 60): MonthMetrics[] {
  const have = months ?? []
  const first = from ? from.slice(0, 7) : have[0]?.month
  const last = to ? to.slice(0, 7) : have[have.length - 1]?.month
  if (!first || !last || first > last) return have
  const byMonth = new Map(have.map((m) => [m.month, m]))
  const out: MonthMetrics[] = []
  let y = Number(first.slice(0, 4))
  let mo = Number(first.slice(5, 7))
  for (let key = first; key <= last; ) {
    out.push(byMonth.get(key) ?? { month: key, count: 0, by_severity: {}, by_service: {}, ...emptyTtx() })
    if (out.length > maxMonths) return have
    mo++
    if (mo > 12) {
      mo = 1
      y++
    }
    key = `${y}-${pad(mo)}`
  }
  // A month of the server's outside the range (never expected) is kept, not dropped.
  for (const m of have) if (m.month < first || m.month > last) return have
  return out
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "2026-10" as "Oct 2026". */
export function monthLabel(m: string): string {
  const i = Number(m.slice(5, 7)) - 1
  return /^\d{4}-\d{2}$/.test(m) && i >= 0 && i < 12 ? `${monthNames[i]} ${m.slice(0, 4)}` : m
}

/** "2026-10-05" as "5 Oct". */
export function dayLabel(d: string): string {
  const i = Number(d.slice(5, 7)) - 1
  return /^\d{4}-\d{2}-\d{2}$/.test(d) && i >= 0 && i < 12 ? `${Number(d.slice(8, 10))} ${monthNames[i]}` : d
}

/** Seconds as "45s", "12m", "3h 05m", "2d 4h"; null as "—". */
export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !isFinite(s)) return '—'
  const v = Math.round(Math.abs(s))
  const d = Math.floor(v / 86400)
  const h = Math.floor((v % 86400) / 3600)
  const m = Math.floor((v % 3600) / 60)
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${pad(m)}m`
  if (m > 0) return `${m}m`
  return `${v}s`
}

/** A round duration for an axis: "0", "15m", "12h", "1d", "1.5d". */
export function shortSeconds(s: number): string {
  if (!(s > 0) || !isFinite(s)) return '0'
  const unit = (n: number, u: string) => `${Number.isInteger(n) ? n : n.toFixed(1)}${u}`
  if (s >= 86400) return unit(s / 86400, 'd')
  if (s >= 3600) return unit(s / 3600, 'h')
  if (s >= 60) return unit(s / 60, 'm')
  return unit(s, 's')
}

/** A share 0..1 as "83%"; null as "—". */
export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined || !isFinite(share)) return '—'
  return `${Math.round(share * 100)}%`
}

/** Days as "4.5 days", "1 day"; null as "—". */
export function days(v: number | null | undefined): string {
  if (v === null || v === undefined || !isFinite(v)) return '—'
  const r = Math.round(v * 10) / 10
  return r === 1 ? '1 day' : `${r} days`
}

/** Whether the actions answer has nothing to show (no action matched). */
export function noActions(m: ActionMetrics): boolean {
  const c = m.counts
  return c.open + c.in_progress + c.done + c.wont_do === 0
}

/** Whether the incidents answer has nothing to show (no incident matched). */
export function noIncidents(m: IncidentMetrics): boolean {
  return (m.per_month ?? []).every((x) => x.count === 0) && (m.by_service ?? []).length === 0
}
