// The SVG charts on their own: marks in proportion to the values, the
// accessible name and description, the data table for screen readers, and
// a line broken where a value is unknown.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, unmount, type Component } from 'svelte'
import StackedBars from './StackedBars.svelte'
import BarChart from './BarChart.svelte'
import LineChart from './LineChart.svelte'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
})

function render<P extends Record<string, unknown>>(c: Component<P>, props: P) {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
  const target = document.createElement('div')
  document.body.append(target)
  const inst = mount(c, { target, props })
  cleanup.push(() => unmount(inst))
  flushSync()
  return target
}

const series = [
  { label: 'Open', color: 'var(--danger)' },
  { label: 'Done', color: 'var(--ok)' },
]

describe('StackedBars', () => {
  it('draws one segment per non-zero value, widths in proportion', () => {
    const t = render(StackedBars, {
      title: 'By team',
      desc: 'Actions by team',
      rows: [
        { key: 'a', label: 'payments', values: [3, 1] },
        { key: 'b', label: 'platform', values: [0, 2] },
      ],
      series,
      axisLabel: 'Actions',
    })
    const rects = [...t.querySelectorAll('svg rect')]
    expect(rects).toHaveLength(3)
    const w = rects.map((r) => Number(r.getAttribute('width')))
    expect(w[0] / w[1]).toBeCloseTo(3)
    expect(w[2] / w[1]).toBeCloseTo(2)
    const svg = t.querySelector('svg')!
    const [titleId, descId] = svg.getAttribute('aria-labelledby')!.split(' ')
    expect(document.getElementById(titleId)?.textContent).toBe('By team')
    expect(document.getElementById(descId)?.textContent).toBe('Actions by team')
    expect(t.querySelector('.axis-label')?.textContent).toBe('Actions')
    expect([...t.querySelectorAll('.sr-only tbody tr')].map((r) => r.textContent)).toEqual(['payments314', 'platform022'])
  })

  it('stacks columns upwards when vertical', () => {
    const t = render(StackedBars, {
      title: 'Per month',
      desc: 'd',
      rows: [{ key: 'm', label: 'Oct', values: [1, 1] }],
      series,
      orientation: 'vertical',
      height: 200,
    })
    const [first, second] = [...t.querySelectorAll('svg rect')].map((r) => ({ y: Number(r.getAttribute('y')), h: Number(r.getAttribute('height')) }))
    expect(first.h).toBeCloseTo(second.h)
    expect(second.y + second.h).toBeCloseTo(first.y)
  })
})

describe('BarChart', () => {
  it('draws a bar per key and leaves zero bars empty', () => {
    const t = render(BarChart, {
      title: 'By service',
      desc: 'd',
      bars: [
        { key: 'a', label: 'checkout', value: 4 },
        { key: 'b', label: 'search', value: 0 },
      ],
    })
    const w = [...t.querySelectorAll('svg rect')].map((r) => Number(r.getAttribute('width')))
    expect(w[0]).toBeGreaterThan(0)
    expect(w[1]).toBe(0)
    expect(t.querySelector('svg text.label title')?.textContent).toBe('checkout')
  })
})

describe('LineChart', () => {
  it('breaks the line at an unknown value and formats the table', () => {
    const t = render(LineChart, {
      title: 'Time to resolve',
      desc: 'd',
      x: ['Sep', 'Oct', 'Nov'],
      lines: [{ label: 'p50', color: 'var(--accent)', values: [60, null, 120] }],
      format: (v: number) => `${v}s`,
    })
    const d = t.querySelector('path.line')!.getAttribute('d')!
    expect(d.match(/M/g)).toHaveLength(2)
    expect(d).not.toContain('L')
    expect(t.querySelectorAll('circle')).toHaveLength(2)
    expect([...t.querySelectorAll('.sr-only tbody td')].map((c) => c.textContent)).toEqual(['60s', '—', '120s'])
  })
})
