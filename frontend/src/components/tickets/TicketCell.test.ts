// The ticket cell: the link and remote status, a visible sync error with its
// message, "Sync now" and "Create ticket" for editors only.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import TicketCell from './TicketCell.svelte'
import { session, type User } from '../../lib/session.svelte'
import { resetTicketSystems } from '../../lib/tickets'
import type { Action } from '../../lib/actions'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  session.user = null
  resetTicketSystems()
})

const act = (p: Partial<Action>): Action =>
  ({
    id: 4, incident_id: 1, incident_key: 'INC-1', title: 'Add alert', description: '', type: 'corrective', priority: 'high',
    owner: '', team: '', due_date: null, status: 'open', completed_at: null, overdue: false, ticket: null, version: 2,
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...p,
  }) as Action

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function settle() {
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await tick()
  }
  flushSync()
}

function render(action: Action, role: User['role'] = 'editor') {
  session.user = { id: 1, email: 'e@x', name: '', role } as User
  const updates: Action[] = []
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(TicketCell, { target, props: { action, onupdate: (a: Action) => updates.push(a) } })
  cleanup.push(() => unmount(c))
  flushSync()
  return { target, updates }
}

const linked = (p: Partial<NonNullable<Action['ticket']>> = {}) =>
  act({ ticket: { system: 'jira', key: 'OPS-1', url: 'https://jira.example/browse/OPS-1', status: 'In Progress', synced_at: null, sync_error: '', sync_error_at: null, ...p } })

describe('TicketCell', () => {
  it('shows the link, the remote status and a sync error with its message', () => {
    const { target } = render(linked({ sync_error: 'jira: GET /rest/api/2/issue/OPS-1: 401 Unauthorized', sync_error_at: new Date().toISOString() }))
    const a = target.querySelector('[data-test=action-ticket-link]') as HTMLAnchorElement
    expect(a.href).toBe('https://jira.example/browse/OPS-1')
    expect(target.querySelector('[data-test=ticket-status]')?.textContent).toBe('In Progress')
    const err = target.querySelector('[data-test=ticket-sync-error]')
    expect(err?.textContent).toContain('Sync failed')
    expect(err?.textContent).toContain('401 Unauthorized')
  })

  it('never links a javascript: URL', () => {
    const { target } = render(linked({ url: 'javascript:alert(1)' }))
    expect(target.querySelector('a')).toBeNull()
    expect(target.textContent).toContain('OPS-1')
  })

  it('offers no ticket over a link pasted by hand', () => {
    const { target } = render(act({ ticket: { system: '', key: '', url: 'https://tracker.example/T-9', status: '', synced_at: null } }))
    expect((target.querySelector('[data-test=action-ticket-link]') as HTMLAnchorElement).href).toBe('https://tracker.example/T-9')
    expect(target.querySelector('[data-test=ticket-create-open]')).toBeNull()
    expect(target.querySelector('[data-test=ticket-sync]')).toBeNull()
  })

  it('offers nothing to a viewer', () => {
    const { target } = render(linked(), 'viewer')
    expect(target.querySelector('button')).toBeNull()
    const none = render(act({}), 'viewer')
    expect(none.target.textContent?.trim()).toBe('—')
  })

  it('syncs now and hands the updated action up', async () => {
    const calls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method} ${url}`)
      return json(200, { ...linked(), status: 'done', ticket: { ...linked().ticket, status: 'Done' } })
    }))
    const { target, updates } = render(linked())
    ;(target.querySelector('[data-test=ticket-sync]') as HTMLButtonElement).click()
    await settle()
    expect(calls).toEqual(['POST /api/v1/actions/4/ticket/sync'])
    expect(updates[0].status).toBe('done')
  })

  it('a failed sync reloads the action so its stored error shows', async () => {
    const calls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method} ${url}`)
      if (init?.method === 'POST') return json(502, { error: { code: 'ticket_system_error', message: 'jira: 500 Internal Server Error: down' } })
      return json(200, linked({ sync_error: 'jira: 500 Internal Server Error: down' }))
    }))
    const { target, updates } = render(linked())
    ;(target.querySelector('[data-test=ticket-sync]') as HTMLButtonElement).click()
    await settle()
    expect(calls).toEqual(['POST /api/v1/actions/4/ticket/sync', 'GET /api/v1/actions/4'])
    expect(updates[0].ticket?.sync_error).toContain('down')
  })

  it('creates a ticket in a chosen tracker, or links one by key', async () => {
    const bodies: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url.endsWith('/tickets/systems')) return json(200, { items: [{ name: 'github', can_create: false }, { name: 'jira', can_create: true }] })
      bodies.push(String(init?.body))
      return json(201, linked())
    }))
    const { target, updates } = render(act({}))
    ;(target.querySelector('[data-test=ticket-create-open]') as HTMLButtonElement).click()
    await settle()
    const select = target.querySelector('[data-test=ticket-system]') as HTMLSelectElement
    expect(select.value).toBe('jira') // the first that can create
    expect([...select.options].map((o) => o.textContent)).toEqual(['GitHub (link only)', 'Jira'])
    ;(target.querySelector('[data-test=ticket-submit]') as HTMLButtonElement).click()
    await settle()
    expect(bodies).toEqual(['{"system":"jira"}'])
    expect(updates[0].ticket?.key).toBe('OPS-1')

    // a link-only tracker needs a key before it can submit
    const again = render(act({ id: 5 }))
    ;(again.target.querySelector('[data-test=ticket-create-open]') as HTMLButtonElement).click()
    await settle()
    const sel = again.target.querySelector('[data-test=ticket-system]') as HTMLSelectElement
    sel.value = 'github'
    sel.dispatchEvent(new Event('change'))
    flushSync()
    const submit = again.target.querySelector('[data-test=ticket-submit]') as HTMLButtonElement
    expect(submit.disabled).toBe(true)
    const key = again.target.querySelector('[data-test=ticket-key]') as HTMLInputElement
    key.value = 'acme/ops#7'
    key.dispatchEvent(new Event('input'))
    flushSync()
    expect(submit.disabled).toBe(false)
    submit.click()
    await settle()
    expect(bodies[1]).toBe('{"system":"github","key":"acme/ops#7"}')
  })

  it('asks before an action of a restricted incident goes to the tracker', async () => {
    const bodies: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url.endsWith('/tickets/systems')) return json(200, { items: [{ name: 'jira', can_create: true }] })
      bodies.push(String(init?.body))
      if (!String(init?.body).includes('confirm_restricted')) {
        return json(422, { error: { code: 'validation_failed', message: 'invalid input', fields: { confirm_restricted: 'INC-9 is restricted: the ticket copies…' } } })
      }
      return json(201, linked())
    }))
    const { target, updates } = render(act({}))
    ;(target.querySelector('[data-test=ticket-create-open]') as HTMLButtonElement).click()
    await settle()
    ;(target.querySelector('[data-test=ticket-submit]') as HTMLButtonElement).click()
    await settle()
    expect(target.querySelector('[data-test=ticket-confirm-text]')?.textContent).toContain('INC-9 is restricted')
    expect(updates).toHaveLength(0)
    ;(target.querySelector('[data-test=ticket-confirm]') as HTMLButtonElement).click()
    await settle()
    expect(bodies).toEqual(['{"system":"jira"}', '{"system":"jira","confirm_restricted":true}'])
    expect(updates[0].ticket?.key).toBe('OPS-1')
  })

  it('says so when no tracker is configured', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { items: [] })))
    const { target } = render(act({}))
    ;(target.querySelector('[data-test=ticket-create-open]') as HTMLButtonElement).click()
    await settle()
    expect(target.querySelector('[data-test=ticket-no-systems]')).not.toBeNull()
  })
})
