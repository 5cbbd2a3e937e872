// The status panel on the incident page: editors publish with a public
// title and impact and post customer updates; a restricted incident cannot
// be published; viewers only read.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import StatusPanel from './StatusPanel.svelte'
import { session, type User } from '../../lib/session.svelte'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  session.user = null
})

const json = (status: number, body: unknown) => new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function settle() {
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await tick()
  }
  flushSync()
}

type Inc = { key: string; title: string; version: number; visibility?: 'internal' | 'restricted'; public?: boolean; public_title?: string; public_impact?: '' | 'degraded' | 'partial_outage' | 'major_outage'; public_path?: string }

function render(incident: Inc, role: User['role'] = 'editor') {
  session.user = { id: 1, email: 'e@x', name: '', role } as User
  const saved: Inc[] = []
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(StatusPanel, { target, props: { incident, onsaved: (i: Inc) => saved.push(i) } })
  cleanup.push(() => unmount(c))
  flushSync()
  return { target, saved }
}

function type(el: Element | null, value: string) {
  const input = el as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement
  input.value = value
  input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }))
  flushSync()
}

describe('StatusPanel', () => {
  it('publishes with a public title and an impact, sending only what changed with the version', async () => {
    const calls: { method: string; url: string; body: unknown }[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ method: init?.method ?? 'GET', url, body: init?.body ? JSON.parse(String(init.body)) : null })
      if (init?.method === 'PATCH') return json(200, { key: 'INC-7', title: 'db-7 disk full', version: 4, public: true, public_title: 'API errors', public_impact: 'major_outage' })
      return json(200, { items: [] })
    }))
    const { target, saved } = render({ key: 'INC-7', title: 'db-7 disk full', version: 3 })
    await settle()
    const title = target.querySelector('[data-test=status-public-title]') as HTMLInputElement
    expect(title.value).toBe('')
    const save = target.querySelector('[data-test=status-save]') as HTMLButtonElement
    expect(save.disabled).toBe(true)

    const box = target.querySelector('[data-test=status-public]') as HTMLInputElement
    box.click()
    flushSync()
    expect(title.value).toBe('') // the internal title is never copied into the public one
    expect(target.textContent).toContain('Public title is required when the incident is public')
    expect(target.textContent).toContain('Impact is required when the incident is public')
    expect(save.disabled).toBe(true)
    type(title, 'API errors')
    type(target.querySelector('[data-test=status-impact]'), 'major_outage')
    expect(save.disabled).toBe(false)
    save.click()
    await settle()
    const p = calls.find((c) => c.method === 'PATCH')
    expect(p?.url).toBe('/api/v1/incidents/INC-7')
    expect(p?.body).toEqual({ public: true, public_title: 'API errors', public_impact: 'major_outage', version: 3 })
    expect(saved[0]).toMatchObject({ public: true, version: 4 })
  })

  it('says that publishing also shows the updates posted before', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { items: [{ id: 1, status: 'investigating', body: 'Looking', eta: null, posted_at: '2026-03-10T11:00:00Z', author: 'ed' }] })))
    const { target } = render({ key: 'INC-7', title: 't', version: 1 })
    await settle()
    expect(target.querySelector('[data-test=status-earlier-updates]')).toBeNull()
    ;(target.querySelector('[data-test=status-public]') as HTMLInputElement).click()
    flushSync()
    expect(target.querySelector('[data-test=status-earlier-updates]')?.textContent).toContain('also shows the customer update below')
  })

  it('shows the server field errors of a refused save', async () => {
    vi.stubGlobal('fetch', vi.fn(async (_url: string, init?: RequestInit) => {
      if (init?.method === 'PATCH') return json(422, { error: { code: 'validation_failed', message: 'invalid input', fields: { public_summary: 'must be at most 5000 characters' } } })
      return json(200, { items: [] })
    }))
    const { target } = render({ key: 'INC-7', title: 't', version: 1, public: true, public_title: 'T', public_impact: 'degraded', public_path: '/status/incidents/abcdefghijklmnop' })
    await settle()
    type(target.querySelector('[data-test=status-summary]'), 'x')
    ;(target.querySelector('[data-test=status-save]') as HTMLButtonElement).click()
    await settle()
    expect(target.textContent).toContain('Summary must be at most 5000 characters')
    expect((target.querySelector('[data-test=status-public-link]') as HTMLAnchorElement).getAttribute('href')).toBe('/status/incidents/abcdefghijklmnop')
  })

  it('cannot publish a restricted incident', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { items: [] })))
    const { target } = render({ key: 'INC-2', title: 'secret', version: 1, visibility: 'restricted' })
    await settle()
    expect((target.querySelector('[data-test=status-public]') as HTMLInputElement).disabled).toBe(true)
    expect(target.querySelector('[data-test=status-restricted-note]')?.textContent).toContain('cannot be public')
  })

  it('posts a customer update with an ETA and lists it first; deletes one', async () => {
    const calls: { method: string; url: string; body: unknown }[] = []
    vi.stubGlobal('confirm', () => true)
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET'
      calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : null })
      if (method === 'POST') return json(201, { id: 2, status: 'identified', body: 'Found it', eta: '2026-03-10T14:00:00Z', posted_at: '2026-03-10T12:00:00Z', author: 'e@x' })
      if (method === 'DELETE') return json(204, null)
      return json(200, { items: [{ id: 1, status: 'investigating', body: 'Looking', eta: null, posted_at: '2026-03-10T11:00:00Z', author: 'ed' }] })
    }))
    const { target } = render({ key: 'INC-7', title: 't', version: 1, public: true, public_title: 'T', public_impact: 'degraded' })
    await settle()
    expect(target.querySelectorAll('[data-test=status-update]').length).toBe(1)
    ;(target.querySelector('[data-test=status-update-post]') as HTMLButtonElement).click()
    await settle()
    expect(target.textContent).toContain('body is required')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    type(target.querySelector('[data-test=status-update-status]'), 'identified')
    type(target.querySelector('[data-test=status-update-body]'), 'Found it')
    type(target.querySelector('[data-test=status-update-eta]'), '2026-03-10T15:00')
    ;(target.querySelector('[data-test=status-update-post]') as HTMLButtonElement).click()
    await settle()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.url).toBe('/api/v1/incidents/INC-7/updates')
    expect(post?.body).toMatchObject({ status: 'identified', body: 'Found it' })
    expect(typeof (post?.body as { eta: string }).eta).toBe('string')
    const items = target.querySelectorAll('[data-test=status-update]')
    expect(items.length).toBe(2)
    expect(items[0].textContent).toContain('Identified')

    ;(items[1].querySelector('[data-test=status-update-delete]') as HTMLButtonElement).click()
    await settle()
    expect(calls.some((c) => c.method === 'DELETE' && c.url === '/api/v1/incidents/INC-7/updates/1')).toBe(true)
    expect(target.querySelectorAll('[data-test=status-update]').length).toBe(1)
  })

  it('offers no editing to a viewer', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { items: [] })))
    const { target } = render({ key: 'INC-7', title: 't', version: 1, public: true, public_title: 'API errors', public_impact: 'major_outage' }, 'viewer')
    await settle()
    expect(target.querySelector('form')).toBeNull()
    expect(target.textContent).toContain('API errors · Major outage')
  })
})
