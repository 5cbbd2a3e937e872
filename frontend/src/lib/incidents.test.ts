import { describe, expect, it } from 'vitest'
import { addChips, bodyFromForm, changedFields, emptyForm, formFromIncident, parseChipInput, prefillForm, titleFromText, type Incident } from './incidents'

describe('parseChipInput', () => {
  it('turns pieces before a comma into chips and keeps the rest typed', () => {
    expect(parseChipInput('api, db,  we')).toEqual({ add: ['api', 'db'], rest: 'we' })
    expect(parseChipInput('api')).toEqual({ add: [], rest: 'api' })
    expect(parseChipInput('api,')).toEqual({ add: ['api'], rest: '' })
    expect(parseChipInput(' , ,x')).toEqual({ add: [], rest: 'x' })
  })
  it('commits everything on Enter', () => {
    expect(parseChipInput('api,  edge   proxy ', true)).toEqual({ add: ['api', 'edge proxy'], rest: '' })
    expect(parseChipInput('  ', true)).toEqual({ add: [], rest: '' })
  })
})

describe('addChips', () => {
  it('adds new values once, ignoring case', () => {
    expect(addChips(['api'], ['API', 'db', 'db'])).toEqual(['api', 'db'])
    expect(addChips([], ['a', 'b', 'c'], 2)).toEqual(['a', 'b'])
  })
})

const inc: Incident = {
  id: 1,
  key: 'INC-1',
  title: 'Disk full',
  summary: 's',
  severity: 'SEV2',
  status: 'open',
  services: ['db'],
  teams: [],
  tags: ['disk'],
  commander: 'ann',
  visibility: 'internal',
  restricted_to: [],
  customer_impact: '',
  started_at: '2026-01-02T03:04:00Z',
  detected_at: null,
  acknowledged_at: null,
  mitigated_at: null,
  resolved_at: null,
  version: 3,
  created_at: '2026-01-02T03:04:00Z',
  updated_at: '2026-01-02T03:04:00Z',
}

const toLocal = (iso: string | null | undefined) => (iso ? iso.slice(0, 16) : '')
const fromLocal = (v: string) => (v ? v + ':00Z' : null)

describe('form round trip', () => {
  it('sends nothing when nothing changed', () => {
    const f = formFromIncident(inc, toLocal)
    expect(f.times.started_at).toBe('2026-01-02T03:04')
    expect(changedFields(inc, bodyFromForm(f, fromLocal))).toEqual({})
  })
  it('sends only what changed, clearing a time with null', () => {
    const f = formFromIncident(inc, toLocal)
    f.title = '  Disk full on db-1 '
    f.tags = ['disk', 'postgres']
    f.times.started_at = ''
    f.times.resolved_at = '2026-01-02T05:00'
    expect(changedFields(inc, bodyFromForm(f, fromLocal))).toEqual({
      title: 'Disk full on db-1',
      tags: ['disk', 'postgres'],
      started_at: null,
      resolved_at: '2026-01-02T05:00:00Z',
    })
  })
  it('drops restricted_to when the incident is internal', () => {
    const f = emptyForm()
    f.restricted_to = ['sec-team']
    expect(bodyFromForm(f, fromLocal).restricted_to).toEqual([])
    f.visibility = 'restricted'
    expect(bodyFromForm(f, fromLocal).restricted_to).toEqual(['sec-team'])
  })
})

describe('titleFromText and prefillForm', () => {
  it('makes a title from the first line of an alert', () => {
    expect(titleFromText('\n  [FIRING:2] HighErrorRate checkout-api\nmore')).toBe('HighErrorRate checkout-api')
    expect(titleFromText('FIRING: x')).toBe('x')
    expect(titleFromText('payments   slow')).toBe('payments slow')
    expect(titleFromText('a'.repeat(200), 10)).toBe('aaaaaaaaa…')
    expect(titleFromText('   ')).toBe('')
  })
  it('prefills a new form from the query, ignoring bad values', () => {
    const q = new URLSearchParams('title=T&summary=S&severity=sev1&service=api,db')
    const f = prefillForm(emptyForm(), q)
    expect([f.title, f.summary, f.severity, f.services]).toEqual(['T', 'S', 'SEV1', ['api', 'db']])
    expect(prefillForm(emptyForm(), new URLSearchParams('severity=SEV9')).severity).toBe('SEV3')
  })
})

describe('times with seconds', () => {
  it('keeps an untouched time exactly, and sends an edited one', () => {
    const withSeconds = { ...inc, started_at: '2026-01-02T03:04:35Z' }
    const f = formFromIncident(withSeconds, toLocal)
    expect(changedFields(withSeconds, bodyFromForm(f, fromLocal, withSeconds, toLocal))).toEqual({})
    // without the incident the minute is all the form knows
    expect(changedFields(withSeconds, bodyFromForm(f, fromLocal))).toEqual({ started_at: '2026-01-02T03:04:00Z' })
    f.times.started_at = '2026-01-02T03:05'
    expect(changedFields(withSeconds, bodyFromForm(f, fromLocal, withSeconds, toLocal))).toEqual({ started_at: '2026-01-02T03:05:00Z' })
  })
})
