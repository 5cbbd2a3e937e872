import { afterEach, describe, expect, it } from 'vitest'
import { flushSync, mount, unmount } from 'svelte'
import EventRow from './EventRow.svelte'
import Timeline from './Timeline.svelte'
import type { TimelineEvent } from '../../lib/timeline'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
})

function render(C: any, props: Record<string, unknown>): HTMLElement {
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(C, { target, props })
  flushSync()
  cleanup.push(() => unmount(c))
  return target
}

function ev(p: Partial<TimelineEvent>): TimelineEvent {
  return {
    id: 1,
    incident_id: 1,
    source: 'slack',
    external_id: 'C1:1',
    occurred_at: '2026-03-01T10:00:00Z',
    original_occurred_at: null,
    occurred_at_text: '',
    kind: 'chat',
    actor: 'mallory',
    body: 'hi',
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

const xss = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> <a href="javascript:alert(1)">x</a>'

describe('EventRow', () => {
  it('renders untrusted chat text, actor and link as text only', () => {
    const el = render(EventRow, {
      event: ev({ body: xss, actor: '<b>bob</b>', link: 'javascript:alert(1)', metadata: { channel: '<i>x</i>' } }),
      zone: 'UTC',
      query: 'img',
    })
    expect(el.querySelector('img, script, b, i')).toBeNull()
    expect(el.querySelector('a[href^="javascript"]')).toBeNull()
    expect(el.querySelector('.ev-body')?.textContent).toBe(xss)
    expect(el.querySelector('.ev-actor')?.textContent).toBe('<b>bob</b>')
    expect(el.querySelector('mark')?.textContent).toBe('img')
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined()
  })

  it('carries the attributes tests and anchors rely on, and shows the time in the zone', () => {
    const el = render(EventRow, { event: ev({ id: 42, kind: 'alert', key_event: true }), zone: 'Asia/Tokyo', canEdit: true })
    const row = el.querySelector('[data-test=event]') as HTMLElement
    expect(row.id).toBe('event-42')
    expect(row.dataset.eventId).toBe('42')
    expect(row.dataset.starred).toBe('true')
    expect(row.dataset.kind).toBe('alert')
    expect(row.querySelector('time')?.textContent?.trim()).toBe('19:00:00')
    expect(el.querySelector('[data-test=star]')?.getAttribute('aria-pressed')).toBe('true')
  })

  it('shows no edit buttons to viewers', () => {
    const el = render(EventRow, { event: ev({}), zone: 'UTC', canEdit: false })
    expect(el.querySelector('[data-test=star], [data-test=hide], [data-test=correct]')).toBeNull()
  })
})

describe('Timeline', () => {
  it('folds replies under their parent until expanded', () => {
    const parent = ev({ id: 1, external_id: 'C1:1', thread_id: 'C1:1' })
    const reply = ev({ id: 2, external_id: 'C1:2', thread_id: 'C1:1', parent_id: 'C1:1', occurred_at: '2026-03-01T10:01:00Z' })
    const other = ev({ id: 3, external_id: 'C1:3', occurred_at: '2026-03-01T10:02:00Z' })
    const el = render(Timeline, { incidentKey: 'INC-1', events: [parent, reply, other], zone: 'UTC', zoneName: 'UTC', canEdit: false, onupdate: () => {} })
    const ids = () => [...el.querySelectorAll<HTMLElement>('[data-test=event]')].map((r) => r.dataset.eventId)
    expect(ids()).toEqual(['1', '3'])
    const toggle = el.querySelector('[data-test=thread-toggle]') as HTMLButtonElement
    expect(toggle.textContent?.replace(/\s+/g, ' ')).toContain('1 reply')
    toggle.click()
    flushSync()
    expect(ids()).toEqual(['1', '2', '3'])
  })
})
