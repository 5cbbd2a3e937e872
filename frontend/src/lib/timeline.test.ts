import { describe, expect, it } from 'vitest'
import {
  clampView,
  density,
  emptyFilter,
  facets,
  filterEvents,
  filterFromQuery,
  filterToQuery,
  findRow,
  foldThreads,
  fromZonedInput,
  fullView,
  groupByDay,
  lifecycleMarks,
  markWords,
  appendEvent,
  patchEvent,
  clock,
  stamp,
  withMilestones,
  groupItemsByDay,
  callDetails,
  type Item,
  clip,
  safeLink,
  matches,
  offsetLabel,
  pan,
  phases,
  scale,
  seconds,
  sortEvents,
  tickStep,
  ticks,
  toZonedInput,
  zoneOffset,
  zoom,
  type TimelineEvent,
} from './timeline'

let nextId = 1
function ev(p: Partial<TimelineEvent>): TimelineEvent {
  const id = p.id ?? nextId++
  return {
    id,
    incident_id: 1,
    source: 'slack',
    external_id: `C1:${id}`,
    occurred_at: '2026-03-01T10:00:00Z',
    original_occurred_at: null,
    occurred_at_text: '',
    kind: 'chat',
    actor: 'ann',
    body: 'hello',
    link: '',
    thread_id: '',
    parent_id: '',
    metadata: {},
    key_event: false,
    hidden: false,
    import_batch_id: null,
    corrected_by: '',
    corrected_at: null,
    version: 1,
    created_at: '',
    updated_at: '',
    ...p,
  }
}

describe('foldThreads', () => {
  it('puts replies under their parent by external id and keeps time order', () => {
    const parent = ev({ id: 1, external_id: 'C1:100.1', thread_id: 'C1:100.1', occurred_at: '2026-03-01T10:00:00Z' })
    const other = ev({ id: 2, external_id: 'C1:101.0', occurred_at: '2026-03-01T10:01:00Z' })
    const r1 = ev({ id: 3, external_id: 'C1:102.0', thread_id: 'C1:100.1', parent_id: 'C1:100.1', occurred_at: '2026-03-01T10:02:00Z' })
    const r2 = ev({ id: 4, external_id: 'C1:103.0', thread_id: 'C1:100.1', parent_id: 'C1:100.1', occurred_at: '2026-03-01T10:03:00Z' })
    const rows = foldThreads([parent, other, r1, r2])
    expect(rows.map((r) => r.event.id)).toEqual([1, 2])
    expect(rows[0].replies.map((e) => e.id)).toEqual([3, 4])
    expect(rows[1].replies).toEqual([])
    expect(findRow(rows, 4)).toEqual({ index: 0, reply: true })
    expect(findRow(rows, 2)).toEqual({ index: 1, reply: false })
    expect(findRow(rows, 99)).toBeNull()
  })

  it('does not attach replies to a parent of another source', () => {
    const parent = ev({ id: 1, source: 'mattermost', external_id: 'X' })
    const reply = ev({ id: 2, source: 'slack', parent_id: 'X', occurred_at: '2026-03-01T10:05:00Z' })
    const rows = foldThreads([parent, reply])
    expect(rows).toHaveLength(2)
    expect(rows[1].orphan).toBe(true)
  })

  it('falls back to the thread id and keeps orphans in time order', () => {
    const parent = ev({ id: 1, external_id: 'p', thread_id: 'T1', occurred_at: '2026-03-01T10:00:00Z' })
    const reply = ev({ id: 2, parent_id: 'unknown', thread_id: 'T1', occurred_at: '2026-03-01T10:02:00Z' })
    const orphan = ev({ id: 3, parent_id: 'gone', thread_id: 'T9', occurred_at: '2026-03-01T09:00:00Z' })
    const rows = foldThreads([orphan, parent, reply])
    expect(rows.map((r) => [r.event.id, r.orphan])).toEqual([
      [3, true],
      [1, false],
    ])
    expect(rows[1].replies.map((e) => e.id)).toEqual([2])
  })
})

describe('filters', () => {
  const events = [
    ev({ id: 1, source: 'slack', kind: 'chat', actor: 'Ann', body: 'Database is DOWN' }),
    ev({ id: 2, source: 'pagerduty', kind: 'alert', actor: '', body: 'High error rate', key_event: true }),
    ev({ id: 3, source: 'manual', kind: 'note', actor: 'Bob', body: 'Rolled back café deploy', hidden: true }),
    ev({ id: 4, source: 'slack', kind: 'chat', actor: 'bob', body: 'looking', metadata: { channel: 'db-team' } }),
  ]
  const ids = (f: Partial<ReturnType<typeof emptyFilter>>) => filterEvents(events, { ...emptyFilter(), ...f }).map((e) => e.id)

  it('hides hidden events unless asked', () => {
    expect(ids({})).toEqual([1, 2, 4])
    expect(ids({ showHidden: true })).toEqual([1, 2, 3, 4])
  })
  it('filters by source, kind, actor (any case) and key events', () => {
    expect(ids({ sources: ['slack'] })).toEqual([1, 4])
    expect(ids({ kinds: ['alert', 'note'], showHidden: true })).toEqual([2, 3])
    expect(ids({ actor: 'BOB', showHidden: true })).toEqual([3, 4])
    expect(ids({ keyOnly: true })).toEqual([2])
  })
  it('matches every word of the text, ignoring case and accents, in body, actor and channel', () => {
    expect(ids({ text: 'database down' })).toEqual([1])
    expect(ids({ text: 'cafe', showHidden: true })).toEqual([3])
    expect(ids({ text: '#db-team' })).toEqual([4])
    expect(ids({ text: 'ann' })).toEqual([1])
    expect(ids({ text: 'down nothing' })).toEqual([])
  })
  it('round-trips through the query', () => {
    const f = { sources: ['slack', 'pagerduty'], kinds: ['chat' as const], actor: 'ann', keyOnly: true, showHidden: true, text: 'db' }
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(filterToQuery(f))) if (v) q.set(k, v)
    expect(filterFromQuery(q)).toEqual(f)
    expect(filterFromQuery(new URLSearchParams('kind=chat,bogus'))).toMatchObject({ kinds: ['chat'] })
  })
  it('counts facets, most frequent first', () => {
    const f = facets(events)
    expect(f.sources).toEqual([
      { value: 'slack', count: 2 },
      { value: 'manual', count: 1 },
      { value: 'pagerduty', count: 1 },
    ])
    expect(f.actors.map((a) => a.value)).toEqual(['Ann', 'bob', 'Bob'])
  })
  it('treats an unknown kind as a note', () => {
    const odd = ev({ kind: 'weird' as never })
    expect(matches(odd, { ...emptyFilter(), kinds: ['note'] })).toBe(true)
  })
})

describe('sorting and grouping', () => {
  it('sorts by time then id', () => {
    const a = ev({ id: 5, occurred_at: '2026-03-01T10:00:00Z' })
    const b = ev({ id: 2, occurred_at: '2026-03-01T10:00:00Z' })
    const c = ev({ id: 1, occurred_at: '2026-03-01T11:00:00Z' })
    expect(sortEvents([c, a, b]).map((e) => e.id)).toEqual([2, 5, 1])
  })
  it('groups by the day in the chosen zone', () => {
    const rows = [ev({ occurred_at: '2026-03-01T22:30:00Z' }), ev({ occurred_at: '2026-03-01T23:30:00Z' })].map((event) => ({ event }))
    expect(groupByDay(rows, 'UTC').map((g) => [g.day, g.rows.length])).toEqual([['2026-03-01', 2]])
    expect(groupByDay(rows, 'Europe/Paris').map((g) => [g.day, g.rows.length])).toEqual([
      ['2026-03-01', 1],
      ['2026-03-02', 1],
    ])
  })
})

describe('time zones', () => {
  it('knows offsets, including DST', () => {
    expect(zoneOffset(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Paris')).toBe(3600e3)
    expect(zoneOffset(Date.parse('2026-07-15T12:00:00Z'), 'Europe/Paris')).toBe(7200e3)
    expect(zoneOffset(Date.parse('2026-07-15T12:00:00Z'), 'UTC')).toBe(0)
    expect(offsetLabel(Date.parse('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe('UTC+05:30')
    expect(offsetLabel(Date.parse('2026-01-15T12:00:00Z'), 'America/New_York')).toBe('UTC−05:00')
  })
  it('converts to and from a datetime-local value in a zone', () => {
    expect(toZonedInput('2026-07-15T12:00:05Z', 'Europe/Paris')).toBe('2026-07-15T14:00:05')
    expect(toZonedInput('2026-07-15T12:00:05Z', 'UTC')).toBe('2026-07-15T12:00:05')
    expect(fromZonedInput('2026-07-15T14:00:05', 'Europe/Paris')).toBe('2026-07-15T12:00:05.000Z')
    expect(fromZonedInput('2026-01-15T14:00', 'Asia/Tokyo')).toBe('2026-01-15T05:00:00.000Z')
    expect(fromZonedInput('nonsense', 'UTC')).toBeNull()
    for (const iso of ['2026-03-29T00:59:59.000Z', '2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']) {
      // Round trip except in the ambiguous hour, which resolves to the earlier instant.
      const back = fromZonedInput(toZonedInput(iso, 'Europe/Paris'), 'Europe/Paris')
      expect(back === iso || iso === '2026-10-25T01:30:00.000Z').toBe(true)
    }
  })
  it('moves a wall time in the spring-forward gap forward', () => {
    // 02:30 does not exist in Paris on 2026-03-29; it becomes 03:30 CEST = 01:30Z.
    expect(fromZonedInput('2026-03-29T02:30', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z')
  })
  it('picks the earlier instant of an ambiguous wall time', () => {
    // 02:30 happens twice in Paris on 2026-10-25: 00:30Z (CEST) and 01:30Z (CET).
    expect(fromZonedInput('2026-10-25T02:30', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z')
  })
  it('formats seconds', () => {
    expect(seconds(45)).toBe('45s')
    expect(seconds(270)).toBe('4m 30s')
    expect(seconds(7500)).toBe('2h 05m')
    expect(seconds(97200)).toBe('1d 3h')
    expect(seconds(null)).toBe('—')
  })
})

describe('axis', () => {
  const t0 = Date.parse('2026-03-01T10:00:00Z')
  it('maps time to x and back', () => {
    const s = scale({ t0, t1: t0 + 1000e3 }, 0, 1000)
    expect(s.x(t0 + 500e3)).toBe(500)
    expect(s.t(250)).toBe(t0 + 250e3)
  })
  it('picks a readable step', () => {
    expect(tickStep({ t0, t1: t0 + 3600e3 }, 8)).toBe(10 * 60e3)
    expect(tickStep({ t0, t1: t0 + 60e3 }, 6)).toBe(10e3)
    expect(tickStep({ t0, t1: t0 + 3 * 86400e3 }, 6)).toBe(12 * 3600e3)
  })
  it('aligns ticks to the wall clock of the zone and marks new days', () => {
    const tk = ticks({ t0: Date.parse('2026-03-01T09:53:00Z'), t1: Date.parse('2026-03-01T10:52:00Z') }, 6, 'UTC')
    expect(tk.map((t) => t.label)).toEqual(['10:00', '10:10', '10:20', '10:30', '10:40', '10:50'])
    const kolkata = ticks({ t0: Date.parse('2026-03-01T09:53:00Z'), t1: Date.parse('2026-03-01T10:52:00Z') }, 6, 'Asia/Kolkata')
    // 15:23 IST to 16:22 IST
    expect(kolkata[0].label).toBe('15:30')
    expect(kolkata[0].t).toBe(Date.parse('2026-03-01T10:00:00Z'))
    const days = ticks({ t0: Date.parse('2026-03-01T20:00:00Z'), t1: Date.parse('2026-03-02T04:00:00Z') }, 4, 'UTC')
    expect(days.map((t) => [t.label, t.major])).toEqual([
      ['20:00', true],
      ['22:00', false],
      ['00:00', true],
      ['02:00', false],
      ['04:00', false],
    ])
  })
  it('counts events per bin', () => {
    const v = { t0: 0, t1: 100 }
    expect(density([0, 1, 49, 50, 99, 100, 150, -1], v, 2)).toEqual([3, 3])
  })
  it('zooms around a point and pans within the full view', () => {
    const full = { t0: 0, t1: 1000e3 }
    const z = zoom(full, 2, 250e3, full)
    expect(z).toEqual({ t0: 125e3, t1: 625e3 })
    expect(zoom(z, 0.1, 0, full)).toEqual(full)
    expect(zoom(full, 1e9, 500e3, full).t1 - zoom(full, 1e9, 500e3, full).t0).toBe(10e3)
    expect(pan(z, 1000e3, full)).toEqual({ t0: 500e3, t1: 1000e3 })
    expect(pan(z, -1000e3, full)).toEqual({ t0: 0, t1: 500e3 })
    expect(clampView({ t0: -5, t1: 2000e3 }, full)).toEqual(full)
  })
  it('gives the full view with a margin, and a window for a single event', () => {
    expect(fullView([0, 1000e3], 0.1)).toEqual({ t0: -100e3, t1: 1100e3 })
    const one = fullView([t0], 0)
    expect(one.t1 - one.t0).toBe(600e3)
  })
})

describe('lifecycle', () => {
  it('orders marks and shades phases', () => {
    const inc = {
      started_at: '2026-03-01T10:00:00Z',
      detected_at: '2026-03-01T10:05:00Z',
      acknowledged_at: '2026-03-01T10:07:00Z',
      mitigated_at: '2026-03-01T10:30:00Z',
      resolved_at: null,
    }
    const marks = lifecycleMarks(inc)
    expect(marks.map((m) => m.label)).toEqual(['Started', 'Detected', 'Acknowledged', 'Mitigated'])
    const ph = phases(marks, Date.parse('2026-03-01T11:00:00Z'))
    expect(ph.map((p) => p.label)).toEqual(['Undetected', 'Responding', 'Mitigating', 'Recovering'])
    expect(ph[3].t1).toBe(Date.parse('2026-03-01T11:00:00Z'))
    expect(phases(lifecycleMarks({ started_at: '2026-03-01T10:00:00Z' }))).toEqual([])
  })
})

describe('text', () => {
  it('marks the words of the filter as parts, keeping markup as text', () => {
    expect(markWords('<b>DB</b> is down, db!', 'db')).toEqual([
      { text: '<b>', mark: false },
      { text: 'DB', mark: true },
      { text: '</b> is down, ', mark: false },
      { text: 'db', mark: true },
      { text: '!', mark: false },
    ])
    expect(markWords('a.b axb', 'a.b')).toEqual([
      { text: 'a.b', mark: true },
      { text: ' axb', mark: false },
    ])
    expect(markWords('plain', '')).toEqual([{ text: 'plain', mark: false }])
  })
  it('clips long text at a line or word', () => {
    expect(clip('short')).toEqual({ text: 'short', clipped: false })
    const c = clip('word '.repeat(300), 100)
    expect(c.clipped).toBe(true)
    expect(c.text.length).toBeLessThanOrEqual(101)
    expect(c.text.endsWith('word…')).toBe(true)
  })
  it('links only http(s)', () => {
    expect(safeLink('https://x.example/a')).toBe('https://x.example/a')
    expect(safeLink('javascript:alert(1)')).toBeNull()
    expect(safeLink('not a url')).toBeNull()
  })
})

describe('milestones', () => {
  const rows = ['2026-03-01T10:00:00Z', '2026-03-01T10:05:00Z', '2026-03-01T23:30:00Z'].map((t, i) => ({ event: ev({ id: 100 + i, occurred_at: t }) }))
  const marks = lifecycleMarks({
    started_at: '2026-03-01T09:58:00Z',
    detected_at: '2026-03-01T10:05:00Z',
    mitigated_at: '2026-03-01T11:00:00Z',
    resolved_at: '2026-03-02T01:00:00Z',
  })
  const shape = (items: Item<{ event: TimelineEvent }>[]) => items.map((i) => (i.type === 'row' ? i.row.event.id : i.mark.label))
  it('puts milestones among the rows by time, before events at the same instant', () => {
    expect(shape(withMilestones(rows, marks, true))).toEqual(['Started', 100, 'Detected', 101, 'Mitigated', 102, 'Resolved'])
  })
  it('leaves out milestones after the last row while the list is cut short', () => {
    expect(shape(withMilestones(rows.slice(0, 2), marks, false))).toEqual(['Started', 100, 'Detected', 101])
  })
  it('groups items by day in the zone', () => {
    const g = groupItemsByDay(withMilestones(rows, marks, true), 'UTC')
    expect(g.map((d) => [d.day, d.items.length])).toEqual([
      ['2026-03-01', 6],
      ['2026-03-02', 1],
    ])
  })
  it('describes calls', () => {
    expect(callDetails(ev({ metadata: { participants: ['ann', 'bob'], duration_minutes: 12 } }))).toBe('With ann, bob · 12 min')
    expect(callDetails(ev({ metadata: { participants: 'nope' } }))).toBe('')
  })
})

describe('fast formatting', () => {
  it('matches lib/format in any zone', async () => {
    const f = await import('./format')
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/New_York', 'local']) {
      for (const iso of ['2026-03-08T07:30:05Z', '2026-11-24T23:59:59Z']) {
        expect(stamp(iso, zone, true)).toBe(f.dateTime(iso, zone, true))
        expect(stamp(iso, zone)).toBe(f.dateTime(iso, zone))
        expect(clock(iso, zone)).toBe(f.timeOnly(iso, zone))
      }
    }
    expect(stamp(null, 'UTC')).toBe('—')
  })
})

describe('big inputs', () => {
  it('handles 300,000 times without overflowing the stack', () => {
    const times = Array.from({ length: 300_000 }, (_, i) => i * 1000)
    expect(fullView(times, 0)).toEqual({ t0: 0, t1: 299_999_000 })
  })
})

describe('writes', () => {
  it('do not leave the page when the session has ended', async () => {
    const { setUnauthorizedHandler } = await import('./api')
    let redirected = false
    setUnauthorizedHandler(() => (redirected = true))
    const orig = globalThis.fetch
    globalThis.fetch = (async () =>
      new Response(JSON.stringify({ error: { code: 'unauthenticated', message: 'sign in', request_id: 'r1' } }), {
        status: 401,
        headers: { 'Content-Type': 'application/json' },
      })) as typeof fetch
    try {
      const err = await appendEvent('INC-1', { occurred_at: '2026-03-01T10:00:00Z', body: 'x' }).catch((e) => e)
      expect(err.status).toBe(401)
      expect(err.message).toContain('Sign in again in another tab')
      const err2 = await patchEvent('INC-1', 1, { key_event: true }, 1).catch((e) => e)
      expect(err2.status).toBe(401)
      expect(redirected).toBe(false)
    } finally {
      globalThis.fetch = orig
    }
  })
})
