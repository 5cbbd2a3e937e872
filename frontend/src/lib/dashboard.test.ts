import { describe, expect, it } from 'vitest'
import {
  actionQuery,
  csvHref,
  dashboardFromQuery,
  dashboardToQuery,
  durationTicks,
  fillMonths,
  emptyDashboardFilters,
  incidentQuery,
  monthLabel,
  monthlyReportHref,
  previousMonth,
  monthRows,
  monthServiceRows,
  monthServices,
  niceStep,
  percent,
  rangeDays,
  rangeError,
  scale,
  seconds,
  shortSeconds,
  stackSegments,
  statusRows,
  ticks,
  toCsv,
  actionSummaryRows,
  incidentSummaryRows,
  severityTtxRows,
  type ActionMetrics,
  type IncidentMetrics,
  topN,
  type DashboardFilters,
  type MonthMetrics,
} from './dashboard'

const f = (p: Partial<DashboardFilters>): DashboardFilters => ({ ...emptyDashboardFilters, ...p })

describe('ticks', () => {
  const cases = [
    { name: 'zero max gives a unit axis', max: 0, count: 5, integer: false, want: [0, 1] },
    { name: 'round max', max: 10, count: 5, integer: false, want: [0, 2, 4, 6, 8, 10] },
    { name: 'rounds the top up', max: 13, count: 5, integer: false, want: [0, 2, 4, 6, 8, 10, 12, 14] },
    { name: 'fractions', max: 0.9, count: 4, integer: false, want: [0, 0.2, 0.4, 0.6, 0.8, 1] },
    { name: 'counts stay whole', max: 3, count: 5, integer: true, want: [0, 1, 2, 3] },
    { name: 'big numbers', max: 4200, count: 4, integer: true, want: [0, 1000, 2000, 3000, 4000, 5000] },
    { name: 'NaN', max: NaN, count: 5, integer: false, want: [0, 1] },
  ]
  for (const c of cases) {
    it(c.name, () => expect(ticks(c.max, c.count, c.integer)).toEqual(c.want))
  }
  it('the last tick always covers the maximum', () => {
    for (const max of [1, 7, 19, 99, 101, 555, 86400 * 3.3]) {
      const t = ticks(max)
      expect(t[t.length - 1]).toBeGreaterThanOrEqual(max)
      expect(t.length).toBeLessThanOrEqual(12)
    }
  })
  it('steps durations in units people read', () => {
    expect(durationTicks(0)).toEqual([0, 60])
    expect(durationTicks(50 * 60)).toEqual([0, 900, 1800, 2700, 3600])
    expect(durationTicks(5 * 3600)).toEqual([0, 7200, 14400, 21600])
    expect(durationTicks(3 * 86400)).toEqual([0, 86400, 2 * 86400, 3 * 86400])
    const long = durationTicks(400 * 86400)
    expect(long[long.length - 1]).toBeGreaterThanOrEqual(400 * 86400)
    expect(long.length).toBeLessThanOrEqual(6)
  })
  it('niceStep picks 1, 2 or 5 × 10^k', () => {
    expect(niceStep(100, 5)).toBe(20)
    expect(niceStep(7, 5)).toBe(1)
    expect(niceStep(13, 5)).toBe(2)
    expect(niceStep(0)).toBe(1)
  })
})

describe('scale and stacks', () => {
  it('maps linearly and clamps negatives', () => {
    const s = scale(10, 200)
    expect(s(5)).toBe(100)
    expect(s(10)).toBe(200)
    expect(s(-3)).toBe(0)
    expect(scale(0, 200)(5)).toBe(0)
  })
  it('stacks segments end to end', () => {
    expect(stackSegments([2, 0, 3])).toEqual([{ start: 0, end: 2 }, { start: 2, end: 2 }, { start: 2, end: 5 }])
  })
  it('keeps the top N and sums the rest as Others', () => {
    const rows = ['a', 'b', 'c', 'd', 'e'].map((k, i) => ({ key: k, label: k, values: [i + 1, 1] }))
    const out = topN(rows, 2)
    expect(out.map((r) => r.label)).toEqual(['e', 'd', 'Others (3)'])
    expect(out[2].values).toEqual([1 + 2 + 3, 3])
  })
  it('shows a single leftover row as itself', () => {
    const rows = ['a', 'b', 'c'].map((k, i) => ({ key: k, label: k, values: [i] }))
    expect(topN(rows, 2).map((r) => r.label)).toEqual(['c', 'b', 'a'])
  })
  it('labels the empty key and orders statuses', () => {
    const rows = statusRows({ '': { open: 1, in_progress: 2, done: 3, wont_do: 4, overdue: 1 } }, 'No team')
    expect(rows).toEqual([{ key: '', label: 'No team', values: [1, 2, 3, 4] }])
    expect(statusRows(null, 'x')).toEqual([])
  })
  it('stacks months by severity', () => {
    const m = { month: '2026-10', count: 3, by_severity: { SEV1: 1, SEV3: 2 } } as unknown as MonthMetrics
    expect(monthRows([m])).toEqual([{ key: '2026-10', label: 'Oct 2026', values: [1, 0, 2, 0, 0] }])
  })
  it('stacks months by the services with most incidents, in their order', () => {
    const months = [
      { month: '2026-09', count: 2, by_service: { web: 0, api: 2 } },
      { month: '2026-10', count: 3, by_service: { web: 2, api: 1 } },
      { month: '2026-11', count: 0, by_service: {} },
    ] as unknown as MonthMetrics[]
    const m = { per_month: months, by_service: [{ key: 'api', count: 3 }, { key: 'web', count: 2 }, { key: 'db', count: 1 }] } as unknown as IncidentMetrics
    // db is not among the months' services (beyond the breakdown): left out
    expect(monthServices(m)).toEqual(['api', 'web'])
    expect(monthServiceRows(months, ['api', 'web']).map((r) => r.values)).toEqual([[2, 0], [1, 2], [0, 0]])
    expect(monthServices({ per_month: null, by_service: null } as unknown as IncidentMetrics)).toEqual([])
  })
})

describe('fillMonths', () => {
  const mo = (month: string, count: number) => ({ month, count, by_severity: { SEV1: count } }) as unknown as MonthMetrics
  it('fills the whole range with empty months', () => {
    const out = fillMonths([mo('2026-03', 2)], '2025-12-01', '2026-04-20')
    expect(out.map((m) => `${m.month}:${m.count}`)).toEqual(['2025-12:0', '2026-01:0', '2026-02:0', '2026-03:2', '2026-04:0'])
    expect(out[0].time_to_resolve).toEqual({ p50: null, p90: null, count: 0 })
  })
  it('keeps the server months on an open-ended side', () => {
    expect(fillMonths([mo('2026-01', 1), mo('2026-03', 1)], '', '').map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03'])
    expect(fillMonths([], '', '')).toEqual([])
  })
  it('leaves a very long or odd answer as it is', () => {
    const have = [mo('2020-01', 1)]
    expect(fillMonths(have, '2020-01-01', '2026-01-01')).toBe(have)
    expect(fillMonths([mo('2027-01', 1)], '2026-01-01', '2026-02-01')).toEqual([mo('2027-01', 1)])
  })
})

describe('filters in the URL', () => {
  it('round-trips every filter', () => {
    const want = f({ range: 'custom', from: '2026-01-01', to: '2026-03-31', team: 'payments', service: 'api', severity: 'SEV2', owner: 'ann', rcaDays: 30, ttx: 'time_to_detect', by: 'owner' })
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(dashboardToQuery(want))) if (v) q.set(k, v)
    expect(dashboardFromQuery(q)).toEqual(want)
  })
  it('leaves defaults out of the URL', () => {
    expect(Object.values(dashboardToQuery(emptyDashboardFilters)).every((v) => v === null)).toBe(true)
  })
  const cases = [
    { name: 'empty query is the default', q: '', want: {} },
    { name: 'a preset', q: 'range=90d', want: { range: '90d' } },
    { name: 'dates alone mean custom', q: 'from=2026-02-01', want: { range: 'custom', from: '2026-02-01' } },
    { name: 'bad dates are dropped', q: 'from=2026-13-45&to=yesterday', want: {} },
    { name: 'unknown severity, metric and grouping are ignored', q: 'severity=SEV9&ttx=mood&by=colour', want: {} },
    { name: 'rca_days out of range is ignored', q: 'rca_days=0', want: {} },
    { name: 'rca_days in range', q: 'rca_days=7', want: { rcaDays: 7 } },
    { name: 'trims text', q: 'team=%20ops%20', want: { team: 'ops' } },
  ]
  for (const c of cases) {
    it(c.name, () => expect(dashboardFromQuery(new URLSearchParams(c.q))).toEqual(f(c.want as Partial<DashboardFilters>)))
  }
  it('flags a custom range that ends before it starts', () => {
    expect(rangeError(f({ range: 'custom', from: '2026-05-01', to: '2026-04-01' }))).not.toBe('')
    expect(rangeError(f({ range: 'custom', from: '2026-04-01', to: '2026-05-01' }))).toBe('')
  })
})

describe('ranges and API queries', () => {
  const today = '2026-11-24'
  const cases: { name: string; range: DashboardFilters['range']; want: { from: string; to: string } }[] = [
    { name: '30 days includes today', range: '30d', want: { from: '2026-10-26', to: today } },
    { name: '90 days', range: '90d', want: { from: '2026-08-27', to: today } },
    { name: 'quarter', range: 'quarter', want: { from: '2026-10-01', to: today } },
    { name: '12 whole months', range: '12m', want: { from: '2025-12-01', to: today } },
    { name: 'all time', range: 'all', want: { from: '', to: '' } },
  ]
  for (const c of cases) {
    it(c.name, () => expect(rangeDays(f({ range: c.range }), today)).toEqual(c.want))
  }
  it('custom uses the typed days', () => {
    expect(rangeDays(f({ range: 'custom', from: '2026-01-01', to: '' }), today)).toEqual({ from: '2026-01-01', to: '' })
  })
  it('sends owner only for actions and rca_days only for incidents', () => {
    const filters = f({ range: 'all', owner: 'ann', team: 'ops', rcaDays: 30 })
    expect(actionQuery(filters, today)).toMatchObject({ owner: 'ann', team: 'ops' })
    expect(incidentQuery(filters, today)).not.toHaveProperty('owner')
    expect(incidentQuery(filters, today).rca_days).toBe('30')
  })
  it('builds the CSV link with the same filters', () => {
    const href = csvHref('/metrics/actions', actionQuery(f({ range: '30d', team: 'a b' }), today))
    expect(href).toBe('/api/v1/metrics/actions?from=2026-10-26&to=2026-11-24&team=a+b&format=csv')
  })
})

describe('monthly report', () => {
  it('defaults to the month before', () => {
    expect(previousMonth('2026-11-24')).toBe('2026-10')
    expect(previousMonth('2026-01-05')).toBe('2025-12')
  })
  it('links the download, dropping a malformed month', () => {
    expect(monthlyReportHref('2026-10', 'markdown')).toBe('/api/v1/reports/monthly?month=2026-10&format=markdown')
    expect(monthlyReportHref('', 'csv')).toBe('/api/v1/reports/monthly?format=csv')
    expect(monthlyReportHref('10/2026', 'csv')).toBe('/api/v1/reports/monthly?format=csv')
  })
})

describe('toCsv', () => {
  it('quotes, escapes and defuses formulas', () => {
    expect(toCsv([['service', 'count'], ['check,out', 2], ['=cmd()', 1], ['say "hi"', null], ['-1', -1]])).toBe(
      'service,count\r\n"check,out",2\r\n\'=cmd(),1\r\n"say ""hi""",\r\n\'-1,-1\r\n',
    )
  })
})

describe('summary rows', () => {
  const pct = (p50: number | null, p90: number | null, count: number) => ({ p50, p90, count })
  it('lists the action figures', () => {
    const m = {
      counts: { open: 1, in_progress: 2, done: 3, wont_do: 4, overdue: 1 },
      completion_within_policy: { done: 2, on_time: 1, share: 0.5, no_due_date: 1 },
      days_to_close: { p50: 4, p90: 9, count: 3 },
    } as ActionMetrics
    expect(toCsv(actionSummaryRows(m))).toContain('overdue,1\r\ndone,3\r\nwont_do,4\r\ndone_with_due_date,2\r\ndone_on_time,1\r\non_time_share,0.5\r\n')
  })
  it('lists the incident figures and time-to-x per severity', () => {
    const t = { time_to_detect: pct(60, 120, 2), time_to_acknowledge: pct(null, null, 0), time_to_mitigate: pct(1, 2, 1), time_to_resolve: pct(3, 4, 1) }
    const m = {
      per_month: [{ count: 2 }, { count: 3 }],
      by_severity: { SEV2: t },
      without_published_rca: { count: 1, items: [] },
      recurrences: { count: 3, open: 2, dismissed: 1 },
    } as unknown as IncidentMetrics
    expect(incidentSummaryRows(m, 14)).toContainEqual(['incidents', 5])
    const rows = severityTtxRows(m)
    expect(rows).toHaveLength(2)
    expect(rows[0].slice(0, 4)).toEqual(['severity', 'time_to_detect_p50', 'time_to_detect_p90', 'time_to_detect_count'])
    expect(toCsv(rows).split('\r\n')[1]).toBe('SEV2,60,120,2,,,0,1,2,1,3,4,1')
  })
})

describe('formatting', () => {
  it('formats seconds', () => {
    expect(seconds(null)).toBe('—')
    expect(seconds(42)).toBe('42s')
    expect(seconds(600)).toBe('10m')
    expect(seconds(3 * 3600 + 5 * 60)).toBe('3h 05m')
    expect(seconds(2 * 86400 + 4 * 3600)).toBe('2d 4h')
  })
  it('formats axis durations short', () => {
    expect([0, 45, 900, 12 * 3600, 86400, 1.5 * 86400, 5400].map(shortSeconds)).toEqual(['0', '45s', '15m', '12h', '1d', '1.5d', '1.5h'])
  })
  it('formats shares and months', () => {
    expect(percent(0.834)).toBe('83%')
    expect(percent(null)).toBe('—')
    expect(monthLabel('2026-01')).toBe('Jan 2026')
    expect(monthLabel('bogus')).toBe('bogus')
  })
})
