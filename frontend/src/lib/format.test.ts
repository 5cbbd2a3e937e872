import { describe, expect, it } from 'vitest'
import { between, dateTime, duration, relative } from './format'

describe('format', () => {
  it('formats durations as people read them', () => {
    expect(duration(0)).toBe('0s')
    expect(duration(45_000)).toBe('45s')
    expect(duration(125_000)).toBe('2m 05s')
    expect(duration(2 * 3600e3 + 5 * 60e3)).toBe('2h 05m')
    expect(duration(3 * 86400e3 + 4 * 3600e3)).toBe('3d 4h')
    expect(duration(-60e3)).toBe('−1m 00s')
    expect(duration(null)).toBe('—')
  })
  it('shows the span between two instants, or a dash', () => {
    expect(between('2026-01-01T00:00:00Z', '2026-01-01T01:30:00Z')).toBe('1h 30m')
    expect(between(null, '2026-01-01T01:30:00Z')).toBe('—')
  })
  it('formats in the chosen zone', () => {
    expect(dateTime('2026-03-01T23:30:00Z', 'UTC')).toBe('2026-03-01 23:30')
    expect(dateTime('2026-03-01T23:30:00Z', 'Asia/Tokyo')).toBe('2026-03-02 08:30')
    expect(dateTime('2026-03-01T23:30:05Z', 'UTC', true)).toBe('2026-03-01 23:30:05')
    expect(dateTime(null)).toBe('—')
  })
  it('says how long ago', () => {
    const now = Date.parse('2026-03-01T12:00:00Z')
    expect(relative('2026-03-01T11:57:00Z', now)).toBe('3 minutes ago')
    expect(relative('2026-03-03T12:00:00Z', now)).toBe('in 2 days')
  })
})
