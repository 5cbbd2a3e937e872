import { afterEach, describe, expect, it } from 'vitest'
import { flushSync, mount, unmount } from 'svelte'
import EvidencePicker from './EvidencePicker.svelte'
import type { TimelineEvent } from '../../lib/rca'

// jsdom has no modal dialogs.
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.open = true
}
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.open = false
}

let done: (() => void)[] = []
afterEach(() => {
  done.forEach((f) => f())
  done = []
  document.body.innerHTML = ''
})

const events: TimelineEvent[] = Array.from({ length: 450 }, (_, i) => ({
  id: i + 1, source: 'slack', occurred_at: '2026-11-24T10:00:00Z', kind: 'chat', actor: 'ana',
  body: i === 420 ? 'the needle' : `message ${i + 1}`, key_event: false, hidden: i === 3,
}))

describe('EvidencePicker', () => {
  it('renders a long timeline 200 rows at a time and finds any event by search', () => {
    const target = document.createElement('div')
    document.body.append(target)
    const c = mount(EvidencePicker, { target, props: { open: true, events, loading: false, error: null, retry: () => {}, selected: [], onpick: () => {} } })
    done.push(() => unmount(c))
    flushSync()
    const rows = () => document.querySelectorAll('[data-test=evidence-event]').length
    expect(rows()).toBe(200)
    expect(document.querySelector('[data-test=evidence-more]')?.textContent).toContain('200 of 450')
    expect(document.querySelector('[data-test=evidence-event][data-event="4"]')?.textContent).toContain('hidden')
    ;(document.querySelector('[data-test=evidence-more] button') as HTMLButtonElement).click()
    flushSync()
    expect(rows()).toBe(400)
    const search = document.querySelector<HTMLInputElement>('[data-test=evidence-search]')!
    search.value = 'needle'
    search.dispatchEvent(new Event('input', { bubbles: true }))
    flushSync()
    expect(rows()).toBe(1)
    expect(document.querySelector('[data-test=evidence-event]')?.getAttribute('data-event')).toBe('421')
    expect(document.querySelector('[data-test=evidence-more]')).toBeNull()
  })
})
