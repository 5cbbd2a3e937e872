// The dashboard page with the server's answers mocked: cards and charts
// render from the JSON, the filters in the URL reach the API and the CSV
// links, an older server without a burn-down is tolerated, one failing half
// leaves the other readable, and an empty answer shows an empty state.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import Dashboard from './Dashboard.svelte'
import { route } from '../lib/router.svelte'
import type { ActionMetrics, IncidentMetrics } from '../lib/dashboard'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  history.replaceState(null, '', '/')
  route.query = new URLSearchParams()
})

const counts = (open: number, in_progress: number, done: number, wont_do: number, overdue: number) => ({ open, in_progress, done, wont_do, overdue })

const actionsFixture = (): ActionMetrics => ({
  counts: counts(4, 2, 7, 1, 3),
  by_team: { payments: counts(3, 1, 4, 0, 2), '': counts(1, 1, 3, 1, 1) },
  by_owner: { ann: counts(2, 2, 7, 1, 3) },
  by_service: { checkout: counts(4, 2, 7, 1, 3) },
  by_priority: { high: counts(4, 2, 7, 1, 3) },
  completion_within_policy: { done: 6, on_time: 5, share: 5 / 6, no_due_date: 1 },
  days_to_close: { p50: 4, p90: 12.5, count: 7 },
  oldest_overdue: [{ id: 9, incident_key: 'INC-3', title: 'Add <b>alert</b>', owner: 'ann', team: 'payments', due_date: '2026-09-01', days_overdue: 84 }],
  burndown: {
    bucket: 'week',
    points: [
      { start: '2026-11-02', open: 5, opened: 5, closed: 0 },
      { start: '2026-11-09', open: 7, opened: 3, closed: 1 },
      { start: '2026-11-16', open: 6, opened: 0, closed: 1 },
    ],
  },
})

const ttx = (p50: number | null, p90: number | null, count: number) => ({ p50, p90, count })
const timeToX = () => ({
  time_to_detect: ttx(60, 300, 3),
  time_to_acknowledge: ttx(120, 600, 3),
  time_to_mitigate: ttx(1800, 7200, 3),
  time_to_resolve: ttx(3600, 86400, 3),
})

const incidentsFixture = (): IncidentMetrics => ({
  per_month: [
    { month: '2026-09', count: 1, by_severity: { SEV2: 1 }, by_service: { checkout: 0, search: 1 }, ...timeToX() },
    { month: '2026-10', count: 2, by_severity: { SEV1: 1, SEV3: 1 }, by_service: { checkout: 2, search: 0 }, ...timeToX(), time_to_detect: ttx(null, null, 0) },
  ],
  by_severity: { SEV1: timeToX(), SEV2: timeToX() },
  by_service: [{ key: 'checkout', count: 2 }, { key: 'search', count: 1 }],
  without_published_rca: { count: 1, items: [{ key: 'INC-2', title: 'DB failover', severity: 'SEV2', resolved_at: '2026-10-01T00:00:00Z', days: 54 }] },
  top_root_cause_categories: [{ key: 'config', count: 2 }],
  recurrences: { count: 3, open: 2, dismissed: 1 },
})

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function settle() {
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await tick()
  }
  flushSync()
}

async function render(opts: { query?: string; actions?: () => Response; incidents?: () => Response } = {}) {
  history.replaceState(null, '', '/dashboard' + (opts.query ? '?' + opts.query : ''))
  route.path = '/dashboard'
  route.query = new URLSearchParams(opts.query ?? '')
  const urls: string[] = []
  // jsdom measures nothing: the charts draw at their fallback width.
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    urls.push(url)
    if (url.startsWith('/api/v1/metrics/actions')) return opts.actions ? opts.actions() : json(200, actionsFixture())
    if (url.startsWith('/api/v1/metrics/incidents')) return opts.incidents ? opts.incidents() : json(200, incidentsFixture())
    return json(404, { error: { code: 'not_found', message: 'no' } })
  }))
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(Dashboard, { target, props: {} })
  cleanup.push(() => unmount(c))
  await settle()
  return { target, urls }
}

const card = (t: HTMLElement, status: string) => t.querySelector(`[data-test=action-card][data-status="${status}"] .stat-value`)?.textContent

describe('Dashboard', () => {
  it('renders the cards, charts and lists from the metrics', async () => {
    const { target } = await render()
    expect(card(target, 'open')).toBe('4')
    expect(card(target, 'overdue')).toBe('3')
    expect(card(target, 'done')).toBe('7')
    expect(card(target, 'policy')).toBe('83%')
    expect(card(target, 'days-to-close')).toBe('4 days')
    // the by-team bars: one row per team, the empty team labelled
    const byTeam = target.querySelector('[data-test=chart-actions-by]')!
    expect(byTeam.querySelectorAll('tbody tr')).toHaveLength(2)
    expect(byTeam.textContent).toContain('No team')
    expect(byTeam.querySelector('svg[role=img]')?.getAttribute('aria-labelledby')).toBeTruthy()
    // the burn-down: one point per week on the line, and the bars
    const burn = target.querySelector('[data-test=chart-burndown]')!
    expect(burn.querySelectorAll('circle')).toHaveLength(3)
    expect(burn.querySelectorAll('rect').length).toBe(4) // opened 5,3 and closed 1,1 (zeros are not drawn)
    // overdue rows link to the incident; the title is text, not HTML
    const row = target.querySelector('[data-test=overdue-row]')!
    expect(row.querySelector('a[href="/incidents/INC-3"]')).not.toBeNull()
    expect(row.querySelector('b')).toBeNull()
    expect(row.textContent).toContain('Add <b>alert</b>')
    // incidents
    expect(target.querySelector('[data-test=incident-card][data-kind=count] .stat-value')?.textContent).toBe('3')
    expect(target.querySelector('[data-test=chart-per-month] tbody')?.textContent).toContain('Oct 2026')
    expect(target.querySelectorAll('[data-test=chart-by-service] tbody tr')).toHaveLength(2)
    expect(target.querySelector('[data-test=missing-rca-list] a')?.getAttribute('href')).toBe('/incidents/INC-2/rca')
    expect(target.querySelectorAll('[data-test=ttx-by-severity] tbody tr')).toHaveLength(2)
    expect(target.querySelector('[data-test=incident-card][data-kind=recurrences]')?.textContent).toContain('1 dismissed')
  })

  it('stacks the months by service on demand', async () => {
    const { target } = await render()
    expect(target.querySelector('[data-test=chart-per-month-service]')).toBeNull()
    ;(target.querySelector('[data-test=months-by-service]') as HTMLButtonElement).click()
    await settle()
    const chart = target.querySelector('[data-test=chart-per-month-service]')!
    expect(target.querySelector('[data-test=chart-per-month]')).toBeNull()
    expect(target.querySelector('[data-test=months-by-service]')?.getAttribute('aria-pressed')).toBe('true')
    // one row per month, a column per service, most incidents first
    expect([...chart.querySelectorAll('thead th')].map((th) => th.textContent?.trim())).toEqual(['Month', 'checkout', 'search', 'Total'])
    const cells = (month: string) =>
      [...chart.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent?.trim())).find((r) => r[0] === month)
    expect(cells('Sep 2026')).toEqual(['Sep 2026', '0', '1', '1'])
    expect(cells('Oct 2026')).toEqual(['Oct 2026', '2', '0', '2'])
  })

  it('suggests the teams, owners and services the answers named', async () => {
    const { target } = await render()
    const opts = (id: string) => [...target.querySelectorAll(`#${id} option`)].map((o) => o.getAttribute('value'))
    expect(opts('db-teams')).toEqual(['payments'])
    expect(opts('db-owners')).toEqual(['ann'])
    expect(opts('db-services')).toEqual(['checkout', 'search'])
  })

  it('sends the URL filters to both endpoints and into the CSV links', async () => {
    const { target, urls } = await render({ query: 'range=custom&from=2026-01-01&to=2026-03-31&team=payments&severity=SEV1&owner=ann&rca_days=30' })
    const a = urls.find((u) => u.includes('/metrics/actions'))!
    const i = urls.find((u) => u.includes('/metrics/incidents'))!
    expect(a).toBe('/api/v1/metrics/actions?from=2026-01-01&to=2026-03-31&team=payments&severity=SEV1&owner=ann')
    expect(i).toBe('/api/v1/metrics/incidents?from=2026-01-01&to=2026-03-31&team=payments&severity=SEV1&rca_days=30')
    const links = [...target.querySelectorAll<HTMLAnchorElement>('a[data-test=export-csv]')].map((l) => l.getAttribute('href'))
    expect(links).toContain(a + '&format=csv')
    expect(links).toContain(i + '&format=csv')
    expect(target.querySelector<HTMLAnchorElement>('a[data-test=export-csv]')!.hasAttribute('download')).toBe(true)
  })

  it('saves the rows of a chart the API CSV does not hold', async () => {
    const { target } = await render()
    // jsdom has no object URLs and does not download: record both.
    const blobs: Blob[] = []
    const names: string[] = []
    const u = URL as unknown as Record<string, unknown>
    const orig = { create: u.createObjectURL, revoke: u.revokeObjectURL }
    u.createObjectURL = (b: Blob) => (blobs.push(b), 'blob:test')
    u.revokeObjectURL = () => {}
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download)
    })
    try {
      target.querySelector<HTMLButtonElement>('[data-test=panel-by-service] button[data-test=export-csv]')!.click()
    } finally {
      click.mockRestore()
      u.createObjectURL = orig.create
      u.revokeObjectURL = orig.revoke
    }
    expect(names).toEqual(['incidents-by-service.csv'])
    expect(await blobs[0].text()).toBe('service,incidents\r\ncheckout,2\r\nsearch,1\r\n')
  })

  it('links the monthly report of last month, and of a month picked', async () => {
    const { target } = await render()
    const md = target.querySelector<HTMLAnchorElement>('[data-test=report-markdown]')!
    expect(md.getAttribute('href')).toMatch(/^\/api\/v1\/reports\/monthly\?month=\d{4}-\d{2}&format=markdown$/)
    expect(md.hasAttribute('download')).toBe(true)
    const month = target.querySelector<HTMLInputElement>('[data-test=report-month]')!
    month.value = '2026-03'
    month.dispatchEvent(new Event('input', { bubbles: true }))
    await settle()
    expect(target.querySelector('[data-test=report-csv]')?.getAttribute('href')).toBe('/api/v1/reports/monthly?month=2026-03&format=csv')
  })

  it('changes the grouping and the time-to-x in the URL', async () => {
    const { target } = await render()
    target.querySelector<HTMLButtonElement>('[data-test=actions-by-owner]')!.click()
    target.querySelector<HTMLButtonElement>('[data-test=ttx-time_to_detect]')!.click()
    await settle()
    expect(location.search).toContain('by=owner')
    expect(location.search).toContain('ttx=time_to_detect')
    expect(target.querySelector('[data-test=chart-actions-by] tbody')?.textContent).toContain('ann')
    // October has no time to detect: the line breaks there (one point, not two)
    expect(target.querySelectorAll('[data-test=chart-ttx] circle[style*="accent"]')).toHaveLength(1)
  })

  it('copies typed filters to the URL after a pause, and follows the URL back', async () => {
    const { target, urls } = await render()
    const team = target.querySelector<HTMLInputElement>('[data-test=dashboard-team]')!
    team.value = 'payments'
    team.dispatchEvent(new Event('input', { bubbles: true }))
    await new Promise((r) => setTimeout(r, 400))
    await settle()
    expect(location.search).toContain('team=payments')
    expect(urls.some((u) => u.includes('/metrics/actions') && u.includes('team=payments'))).toBe(true)
    // Back to a URL without the team: the field empties.
    history.replaceState(null, '', '/dashboard')
    route.query = new URLSearchParams()
    await settle()
    expect(team.value).toBe('')
  })

  it('tolerates a server without a burn-down', async () => {
    const { target } = await render({ actions: () => json(200, { ...actionsFixture(), burndown: undefined }) })
    expect(target.querySelector('[data-test=chart-burndown]')).toBeNull()
    expect(target.querySelector('[data-test=burndown-none]')?.textContent).toContain('does not report one yet')
    expect(card(target, 'open')).toBe('4')
  })

  it('shows one half failing and the other working', async () => {
    const { target } = await render({ incidents: () => json(500, { error: { code: 'internal', message: 'boom', request_id: 'r-1' } }) })
    expect(card(target, 'open')).toBe('4')
    const err = target.querySelector('[data-test=dashboard-incidents] [role=alert]')
    expect(err?.textContent).toContain('could not be loaded')
    expect(err?.textContent).toContain('r-1')
  })

  it('shows empty states when nothing matches', async () => {
    const empty: ActionMetrics = {
      ...actionsFixture(),
      counts: counts(0, 0, 0, 0, 0),
      by_team: {},
      oldest_overdue: [],
    }
    const none: IncidentMetrics = { ...incidentsFixture(), per_month: [], by_service: [] }
    const { target } = await render({ query: 'team=ghosts', actions: () => json(200, empty), incidents: () => json(200, none) })
    expect(target.querySelector('[data-test=dashboard-actions]')?.textContent).toContain('No corrective action matches these filters')
    expect(target.querySelector('[data-test=dashboard-incidents]')?.textContent).toContain('No incident matches these filters')
    expect(target.querySelector('[data-test=dashboard-clear]')).not.toBeNull()
  })

  it('refuses a custom range that ends before it starts without asking the server', async () => {
    const { target, urls } = await render({ query: 'range=custom&from=2026-05-01&to=2026-04-01' })
    expect(urls).toEqual([])
    expect(target.querySelector('[data-test=dashboard-filters] [role=alert]')?.textContent).toContain('must not be before')
  })
})
