import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import IncidentTicket from './IncidentTicket.svelte'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
})

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function render(answer: Response) {
  const urls: string[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    urls.push(url)
    return answer
  }))
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(IncidentTicket, { target, props: { incidentKey: 'INC-7' } })
  cleanup.push(() => unmount(c))
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await tick()
  }
  flushSync()
  return { target, urls }
}

describe('IncidentTicket', () => {
  it('shows the filed ticket', async () => {
    const { target, urls } = await render(json(200, { ticket: { system: 'jira', key: 'OPS-31', url: 'https://j.example/browse/OPS-31', status: 'To Do', error: '', attempts: 1 } }))
    expect(urls).toEqual(['/api/v1/incidents/INC-7/ticket'])
    expect(target.querySelector('h2')?.textContent).toBe('Jira ticket')
    expect((target.querySelector('a') as HTMLAnchorElement).href).toBe('https://j.example/browse/OPS-31')
    expect(target.textContent).toContain('To Do')
  })

  it('shows why reading a filed ticket back fails', async () => {
    const { target } = await render(json(200, { ticket: { system: 'jira', key: 'OPS-31', url: 'https://j.example/browse/OPS-31', status: 'To Do', error: 'jira: 503 Service Unavailable', attempts: 1 } }))
    expect(target.querySelector('[data-test=incident-ticket-error]')?.textContent).toContain('Sync failed: jira: 503 Service Unavailable')
    expect(target.textContent).toContain('OPS-31')
  })

  it('shows why filing fails', async () => {
    const { target } = await render(json(200, { ticket: { system: 'github', key: '', url: '', status: '', error: 'github: 401 Unauthorized', attempts: 3 } }))
    expect(target.querySelector('[data-test=incident-ticket-error]')?.textContent).toContain('3 attempts')
    expect(target.textContent).toContain('github: 401 Unauthorized')
  })

  it('shows nothing when there is none', async () => {
    const { target } = await render(json(200, { ticket: null }))
    expect(target.querySelector('[data-test=incident-ticket]')).toBeNull()
  })
})
