import { afterEach, describe, expect, it, vi } from 'vitest'
import { ago, createTicket, resetTicketSystems, syncTicket, systemLabel, ticketSystems } from './tickets'

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

afterEach(() => {
  vi.unstubAllGlobals()
  resetTicketSystems()
})

describe('tickets', () => {
  it('asks for the systems once, and again after a failure', async () => {
    const fetch = vi.fn(async () => json(200, { items: [{ name: 'jira', can_create: true }, { bogus: 1 }] }))
    vi.stubGlobal('fetch', fetch)
    expect(await ticketSystems()).toEqual([{ name: 'jira', can_create: true }])
    await ticketSystems()
    expect(fetch).toHaveBeenCalledTimes(1)

    resetTicketSystems()
    vi.stubGlobal('fetch', vi.fn(async () => json(500, { error: { code: 'internal', message: 'boom' } })))
    await expect(ticketSystems()).rejects.toThrow()
    const ok = vi.fn(async () => json(200, { items: [] }))
    vi.stubGlobal('fetch', ok)
    expect(await ticketSystems()).toEqual([])
    expect(ok).toHaveBeenCalledTimes(1)
  })

  it('creates, links and syncs with the right bodies', async () => {
    const calls: [string, string][] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      calls.push([url, String(init?.body ?? '')])
      return json(200, { id: 7 })
    }))
    await createTicket(7, 'jira')
    await createTicket(7, 'github', '  acme/ops#3 ')
    await syncTicket(7)
    expect(calls).toEqual([
      ['/api/v1/actions/7/ticket', '{"system":"jira"}'],
      ['/api/v1/actions/7/ticket', '{"system":"github","key":"acme/ops#3"}'],
      ['/api/v1/actions/7/ticket/sync', '{}'],
    ])
  })

  it('labels and ages', () => {
    expect(systemLabel('mantis')).toBe('MantisBT')
    expect(systemLabel('trac')).toBe('trac')
    const now = Date.parse('2026-11-24T12:00:00Z')
    expect(ago('2026-11-24T11:59:30Z', now)).toBe('just now')
    expect(ago('2026-11-24T11:30:00Z', now)).toBe('30 min ago')
    expect(ago('2026-11-24T07:00:00Z', now)).toBe('5 h ago')
    expect(ago('2026-11-21T12:00:00Z', now)).toBe('3 d ago')
    expect(ago(null, now)).toBe('')
  })
})
