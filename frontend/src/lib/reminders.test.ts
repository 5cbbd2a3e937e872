import { describe, expect, it } from 'vitest'
import { changedCells, copyDays, digestSummary, policyProblems } from './reminders'

const shape = { severities: ['SEV1', 'SEV2'], priorities: ['critical', 'low'], min_days: 1, max_days: 3650 }

describe('policyProblems', () => {
  it('accepts a full grid of whole days in range', () => {
    expect(policyProblems(shape, { SEV1: { critical: 14, low: 90 }, SEV2: { critical: 1, low: 3650 } })).toEqual({})
  })
  it('names each bad cell like the server does', () => {
    const got = policyProblems(shape, { SEV1: { critical: 0, low: 1.5 }, SEV2: { critical: 3651 } })
    expect(Object.keys(got).sort()).toEqual(['days.SEV1.critical', 'days.SEV1.low', 'days.SEV2.critical', 'days.SEV2.low'])
    expect(got['days.SEV1.critical']).toBe('Whole days from 1 to 3650')
  })
})

describe('changedCells and copyDays', () => {
  it('lists what differs and never shares rows', () => {
    const a = { SEV1: { critical: 14, low: 90 } }
    const b = copyDays(a)
    b.SEV1.critical = 7
    expect(a.SEV1.critical).toBe(14)
    expect(changedCells(b, a)).toEqual(['SEV1/critical'])
    expect(changedCells(a, a)).toEqual([])
  })
})

describe('digestSummary', () => {
  it('counts overdue and due-soon actions', () => {
    const line = { action_id: 1 } as never
    expect(digestSummary({ overdue: [line, line], due_soon: [line] })).toBe('2 overdue, 1 due soon')
    expect(digestSummary({ overdue: [], due_soon: [] })).toBe('nothing')
  })
})
