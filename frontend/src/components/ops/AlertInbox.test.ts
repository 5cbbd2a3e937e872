import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import AlertInbox from './AlertInbox.svelte'
import { session, type User } from '../../lib/session.svelte'
import type { Alert } from './alerts'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  session.user = null
})

const alert = (p: Partial<Alert>): Alert => ({
  id: 1, hook_id: 1, state: 'inbox', source: 'alertmanager', alert_id: 'a1', occurred_at: '2024-05-01T10:00:00Z',
  subtype: 'trigger', severity: 'critical', service: 'db', body: 'Triggered: Disk full\n\nOnly 3% left', received_at: '2024-05-01T10:00:01Z', ...p,
})

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function settle() {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await tick()
  }
  flushSync()
}

async function render(role: User['role'], routes: (url: string, init?: RequestInit) => Response) {
  session.user = { id: 1, email: 'e@x', name: '', role } as User
  const calls: { url: string; body?: string }[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, body: init?.body as string | undefined })
    return routes(url, init)
  }))
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(AlertInbox, { target, props: {} })
  cleanup.push(() => unmount(c))
  await settle()
  return { target, calls }
}

describe('AlertInbox', () => {
  it('renders alert text as text and only http(s) links', async () => {
    const evil = alert({ id: 7, body: '<img src=x onerror=alert(1)> boom', metadata: { title: '<script>x</script>' }, link: 'javascript:alert(1)' })
    const { target } = await render('viewer', () => json(200, { items: [evil], total: 1 }))
    const row = target.querySelector('[data-test=alert-row][data-alert-id="7"]')!
    expect(row.querySelector('.title')!.textContent).toBe('<script>x</script>')
    expect(row.querySelector('img, script')).toBeNull()
    expect(row.querySelector('a[href^="javascript"]')).toBeNull()
    // a viewer sees no buttons
    expect(row.querySelector('button')).toBeNull()
  })

  it('dismisses an alert and says when the inbox is empty', async () => {
    const { target, calls } = await render('editor', (url) => (url.includes('/alerts/dismiss') ? json(200, { dismissed: 1 }) : json(200, { items: [alert({ id: 3 })], total: 1 })))
    ;(target.querySelector('[data-test=alert-dismiss]') as HTMLButtonElement).click()
    await settle()
    expect(calls.find((c) => c.url.includes('/alerts/dismiss'))?.body).toBe('{"alert_ids":[3]}')
    expect(target.querySelector('[data-test=alert-row]')).toBeNull()
    expect(target.textContent).toContain('No alerts waiting')
  })

  it('refuses a malformed incident key before asking the server, and names a missing incident', async () => {
    const { target, calls } = await render('editor', (url) =>
      url.includes('/alerts/attach') ? json(404, { error: { code: 'not_found', message: 'incident not found' } }) : json(200, { items: [alert({ id: 4 })], total: 1 }),
    )
    ;(target.querySelector('[data-test=alert-attach]') as HTMLButtonElement).click()
    await settle()
    const input = target.querySelector('[data-test=alert-attach-input]') as HTMLInputElement
    input.value = 'INC 7'
    input.dispatchEvent(new Event('input'))
    ;(target.querySelector('[data-test=alert-attach-submit]') as HTMLButtonElement).click()
    await settle()
    expect(target.querySelector('.error-text')!.textContent).toContain('incident key such as INC-7')
    expect(calls.some((c) => c.url.includes('/alerts/attach'))).toBe(false)
    input.value = 'inc-99'
    input.dispatchEvent(new Event('input'))
    ;(target.querySelector('[data-test=alert-attach-submit]') as HTMLButtonElement).click()
    await settle()
    expect(calls.find((c) => c.url.includes('/alerts/attach'))?.body).toBe('{"alert_ids":[4],"incident":"INC-99"}')
    expect(target.querySelector('.error-text')!.textContent).toContain('There is no incident INC-99')
  })
})
