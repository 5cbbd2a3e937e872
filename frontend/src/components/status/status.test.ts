// The status page helpers: the form's pre-filled title, the PATCH of only
// what changed, the problems said before sending, the service list checks.
import { describe, expect, it } from 'vitest'
import { formFrom, formProblems, moved, patchFrom, serviceProblems, type PublicForm } from './status'

const id = (v: string | null | undefined) => (v ? v.slice(0, 16) : '')
const back = (v: string) => (v ? `${v}:00Z` : null)

describe('status form', () => {
  it('starts from the stored public fields and never from the internal title', () => {
    expect(formFrom({}, id).public_title).toBe('')
    expect(formFrom({ public_title: 'API errors' }, id).public_title).toBe('API errors')
  })

  it('sends only what changed, and the same instant written differently is no change', () => {
    const before = { public: false, public_title: 'API errors', public_summary: '', public_impact: '' as const, impact_started_at: '2026-03-01T10:00:00.000Z', impact_ended_at: null }
    const f: PublicForm = { ...formFrom(before, id), public: true, public_impact: 'major_outage' }
    expect(patchFrom(before, f, back)).toEqual({ public: true, public_impact: 'major_outage' })
    f.impact_ended_at = '2026-03-01T11:00'
    expect(patchFrom(before, f, back)).toEqual({ public: true, public_impact: 'major_outage', impact_ended_at: '2026-03-01T11:00:00Z' })
  })

  it('says what the server would refuse', () => {
    const f: PublicForm = { public: true, public_title: ' ', public_summary: '', public_impact: '', impact_started_at: '2026-03-01T10:00', impact_ended_at: '2026-03-01T09:00' }
    expect(formProblems(f, true)).toEqual({
      public: 'a restricted incident cannot be public',
      public_title: 'is required when the incident is public',
      public_impact: 'is required when the incident is public',
      impact_ended_at: 'must not be before the impact start',
    })
    expect(formProblems({ ...f, public: false, impact_ended_at: '' }, true)).toEqual({})
  })
})

describe('status services', () => {
  it('needs unique names, ignoring case', () => {
    const list = [{ name: 'api', display_name: '', description: '' }, { name: 'API', display_name: '', description: '' }, { name: '', display_name: '', description: '' }, { name: 'a,b', display_name: '', description: '' }]
    expect(serviceProblems(list)).toEqual({
      'services[1].name': 'repeats services[0].name',
      'services[2].name': 'is required',
      'services[3].name': 'must not contain commas or control characters',
    })
  })

  it('moves a service up and down, not past the ends', () => {
    expect(moved(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c'])
    expect(moved(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c'])
  })
})
