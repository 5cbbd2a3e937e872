import { afterEach, describe, expect, it } from 'vitest'
import { mount, unmount } from 'svelte'
import Highlight from './Highlight.svelte'
import ResultRow from './ResultRow.svelte'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
})

function render<P extends Record<string, unknown>>(C: any, props: P, tag = 'div'): HTMLElement {
  const target = document.createElement(tag)
  document.body.append(target)
  const c = mount(C, { target, props })
  cleanup.push(() => unmount(c))
  return target
}

const xss = 'a &lt;img src=x onerror=alert(1)&gt; <mark>b</mark> <img src=x onerror=alert(2)><script>alert(3)</script>'

describe('Highlight', () => {
  it('renders marks as <mark> and everything else as text', () => {
    const el = render(Highlight, { fragment: xss })
    expect(el.querySelector('img')).toBeNull()
    expect(el.querySelector('script')).toBeNull()
    expect(el.querySelectorAll('mark')).toHaveLength(1)
    expect(el.querySelector('mark')?.textContent).toBe('b')
    expect(el.textContent).toBe('a <img src=x onerror=alert(1)> b <img src=x onerror=alert(2)><script>alert(3)</script>')
  })
})

describe('ResultRow', () => {
  it('shows a hit with its fragments and event links, all as text', () => {
    const el = render(
      ResultRow,
      {
        hit: {
          id: 4,
          key: 'INC-4',
          title: 'Disk <b>full</b>',
          score: 1,
          severity: 'sev2',
          status: 'resolved',
          services: ['db'],
          tags: ['disk'],
          started_at: '2024-03-01T10:00:00Z',
          highlights: { title: ['Disk &lt;b&gt;<mark>full</mark>&lt;/b&gt;'], summary: [xss] },
          events: [{ id: 17, fragment: 'pager <mark>full</mark> alert' }],
        },
      },
      'ul',
    )
    const row = el.querySelector('[data-test="search-result"]')!
    expect(row.getAttribute('data-key')).toBe('INC-4')
    expect(row.querySelector('a.result-title')?.getAttribute('href')).toBe('/incidents/INC-4')
    expect(row.querySelector('a.result-title')?.textContent).toContain('Disk <b>full</b>')
    expect(row.querySelector('b')).toBeNull()
    expect(row.querySelector('img')).toBeNull()
    expect(row.querySelector('[data-test="search-event"]')?.getAttribute('href')).toBe('/incidents/INC-4#event-17')
    expect(row.querySelector('.badge-SEV2')).not.toBeNull()
  })
})
