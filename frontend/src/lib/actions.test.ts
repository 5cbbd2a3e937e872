import { describe, expect, it } from 'vitest'
import { apiQuery, changesInPlace, daysUntil, dueNote, dueText, emptyFilters, filtersFromQuery, filtersToQuery, groupByStatus, isOverdue, matchesText, safeUrl, today, type Action } from './actions'

const act = (p: Partial<Action>): Action => ({
  id: 1, incident_id: 1, incident_key: 'INC-1', title: 'Add alert', description: '', type: 'corrective', priority: 'high',
  owner: 'ann', team: 'sre', due_date: null, status: 'open', completed_at: null, overdue: false, ticket: null, version: 1,
  created_at: '', updated_at: '', ...p,
})

describe('overdue', () => {
  it('is past due and not closed', () => {
    expect(isOverdue({ due_date: '2026-11-23', status: 'open' }, '2026-11-24')).toBe(true)
    expect(isOverdue({ due_date: '2026-11-23', status: 'in_progress' }, '2026-11-24')).toBe(true)
    expect(isOverdue({ due_date: '2026-11-24', status: 'open' }, '2026-11-24')).toBe(false)
    expect(isOverdue({ due_date: '2026-11-23', status: 'done' }, '2026-11-24')).toBe(false)
    expect(isOverdue({ due_date: '2026-11-23', status: 'wont_do' }, '2026-11-24')).toBe(false)
    expect(isOverdue({ due_date: null, status: 'open' }, '2026-11-24')).toBe(false)
  })
  it('counts days across months and says it', () => {
    expect(daysUntil('2026-12-01', '2026-11-29')).toBe(2)
    expect(daysUntil('2026-11-20', '2026-11-24')).toBe(-4)
    expect(dueText({ due_date: '2026-11-20', status: 'open' }, '2026-11-24')).toBe('4 days overdue')
    expect(dueText({ due_date: '2026-11-23', status: 'open' }, '2026-11-24')).toBe('1 day overdue')
    expect(dueText({ due_date: '2026-11-24', status: 'open' }, '2026-11-24')).toBe('due today')
    expect(dueText({ due_date: '2026-11-27', status: 'open' }, '2026-11-24')).toBe('due in 3 days')
    expect(dueText({ due_date: '2026-11-20', status: 'done' }, '2026-11-24')).toBe('was due 2026-11-20')
    expect(dueNote({ due_date: '2026-11-20', status: 'done' }, '2026-11-24')).toBe('closed')
    expect(dueNote({ due_date: '2026-11-20', status: 'done', completed_at: '2026-11-20T23:00:00Z' }, '2026-11-24')).toBe('closed in time')
    expect(dueNote({ due_date: '2026-11-20', status: 'wont_do', completed_at: '2026-11-21T08:00:00Z' }, '2026-11-24')).toBe('closed 1 day late')
    expect(dueNote({ due_date: '2026-11-20', status: 'done', completed_at: '2026-11-23T08:00:00Z' }, '2026-11-24')).toBe('closed 3 days late')
    expect(dueNote({ due_date: '2026-11-27', status: 'open' }, '2026-11-24')).toBe('due in 3 days')
  })
  it('formats today locally', () => {
    expect(today(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05')
  })
})

describe('filters in the URL', () => {
  it('round-trips', () => {
    const f = { ...emptyFilters, owner: 'ann', status: 'in_progress' as const, overdue: true, incident: 'INC-4', q: 'dns cache', view: 'board' as const }
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(filtersToQuery(f))) if (v) q.set(k, v)
    expect(q.toString()).toBe('owner=ann&status=in_progress&overdue=1&incident=INC-4&q=dns+cache&view=board')
    expect(filtersFromQuery(q)).toEqual(f)
  })
  it('drops empty and unknown values', () => {
    expect(filtersToQuery(emptyFilters)).toEqual({ owner: null, team: null, status: null, priority: null, overdue: null, incident: null, q: null, view: null })
    expect(filtersFromQuery(new URLSearchParams('status=closed&priority=urgent&view=grid'))).toEqual(emptyFilters)
  })
  it('maps to the API query', () => {
    expect(apiQuery({ ...emptyFilters, owner: ' ann ', status: 'open', overdue: true }, { limit: 100 })).toEqual({
      owner: 'ann', team: undefined, priority: undefined, overdue: true, status: 'open', limit: 100, cursor: undefined,
    })
    // the board shows every status in columns
    expect(apiQuery({ ...emptyFilters, status: 'open', view: 'board' }).status).toBeUndefined()
    // counts ask one status whatever the filter says
    expect(apiQuery({ ...emptyFilters, status: 'open' }, { status: 'done', limit: 1 }).status).toBe('done')
  })
})

describe('text filter and board', () => {
  it('needs every word somewhere', () => {
    const a = act({ title: 'Add DNS alert', ticket: { system: 'jira', key: 'OPS-12', url: '', status: '', synced_at: null } })
    expect(matchesText(a, 'dns ops-12')).toBe(true)
    expect(matchesText(a, 'dns redis')).toBe(false)
    expect(matchesText(a, '  ')).toBe(true)
  })
  it('groups by status keeping order', () => {
    const g = groupByStatus([act({ id: 1 }), act({ id: 2, status: 'done' }), act({ id: 3 })])
    expect(g.open.map((a) => a.id)).toEqual([1, 3])
    expect(g.done.map((a) => a.id)).toEqual([2])
    expect(g.wont_do).toEqual([])
  })
  it('links only http(s) tickets', () => {
    expect(safeUrl('https://jira.example.com/browse/OPS-1')).toBe('https://jira.example.com/browse/OPS-1')
    expect(safeUrl('javascript:alert(1)')).toBeNull()
    expect(safeUrl('not a url')).toBeNull()
  })
})

describe('changesInPlace', () => {
  const k = (key: string, mods: Partial<KeyboardEvent> = {}) => changesInPlace({ key, altKey: false, ctrlKey: false, metaKey: false, ...mods })
  it('counts arrows, Home/End and type-ahead as in-place changes', () => {
    expect(['ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'd', '1', 'Backspace'].map((x) => k(x))).toEqual(Array(8).fill(true))
  })
  it('does not count keys that open or choose, move focus, or carry modifiers', () => {
    expect(['Enter', ' ', 'Tab', 'Escape', 'Shift'].map((x) => k(x))).toEqual(Array(5).fill(false))
    expect(k('ArrowDown', { altKey: true })).toBe(false)
    expect(k('a', { ctrlKey: true })).toBe(false)
  })
})
