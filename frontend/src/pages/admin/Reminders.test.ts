// The Reminders & policies admin page: the policy grid refuses a bad cell,
// saves only a whole grid, and previews digests without sending.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import Reminders from './Reminders.svelte'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
})

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function settle() {
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await tick()
  }
  flushSync()
}

const grid = (critical: number) => ({ SEV1: { critical, high: 30 }, SEV2: { critical: 21, high: 45 } })
const policy = (critical = 14, by = '') => ({
  days: grid(critical), defaults: grid(14), severities: ['SEV1', 'SEV2'], priorities: ['critical', 'high'],
  min_days: 1, max_days: 3650, updated_by: by, updated_at: by ? '2026-11-24T10:00:00Z' : null,
})
const settings = { enabled: false, test_mode: false, due_soon_days: 7, throttle: '24h0m0s', public_url: '', default_slack: false, slack_teams: [], email: false, email_teams: [] }
const line = { action_id: 1, incident_key: 'INC-1', incident_title: 'Checkout down', title: 'Add <canary>', priority: 'high', owner: 'ana', team: 'sre', due_date: '2026-11-20', days_overdue: 4, days_left: 0, url: '/incidents/INC-1#action-1' }

function render() {
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(Reminders, { target })
  cleanup.push(() => unmount(c))
  flushSync()
  return target
}

function type(el: Element | null, value: string) {
  const input = el as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
  flushSync()
}

describe('Reminders page', () => {
  it('edits the policy grid: a bad cell blocks saving, a good one saves the whole grid', async () => {
    const calls: { method: string; url: string; body: unknown }[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ method: init?.method ?? 'GET', url, body: init?.body ? JSON.parse(String(init.body)) : null })
      if (url.includes('/settings/action-policy')) return json(200, init?.method === 'PUT' ? policy(7, 'ada@example.com') : policy())
      return json(200, { items: [], next_cursor: '', settings, job: null })
    }))
    const target = render()
    await settle()
    const cell = target.querySelector('[data-cell="SEV1.critical"]') as HTMLInputElement
    const save = target.querySelector('[data-test=policy-save]') as HTMLButtonElement
    expect(cell.value).toBe('14')
    expect(save.disabled).toBe(true)
    type(cell, '0')
    expect(target.textContent).toContain('Whole days from 1 to 3650')
    expect(save.disabled).toBe(true)
    type(cell, '7')
    expect(save.disabled).toBe(false)
    expect(save.textContent).toContain('Save 1 change')
    save.click()
    await settle()
    const put = calls.find((c) => c.method === 'PUT')
    expect(put?.body).toEqual({ days: grid(7) })
    expect(target.textContent).toContain('Last changed by ada@example.com')
    expect((target.querySelector('[data-test=policy-save]') as HTMLButtonElement).disabled).toBe(true)
  })

  it('previews digests as text (never as HTML) and cannot send with nothing configured', async () => {
    const calls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${url} ${init?.body ?? ''}`)
      if (url.includes('/settings/action-policy')) return json(200, policy())
      if (url.includes('/reminders/run')) {
        return json(200, { at: '2026-11-24T09:00:00Z', dry_run: true, test_mode: false, sent: 0, failed: 0, throttled: 0,
          warnings: ['HINDSIGHT_PUBLIC_URL is not set: links in reminders are relative paths'],
          digests: [{ channel: 'email', recipient: 'ana@example.com', scope: 'owner', subject: 'ana', overdue: [line], due_soon: [],
            list_url: '/actions?owner=ana', throttled: false, status: '', error: '', text: 'Your corrective actions: - INC-1 Add <canary>' }] })
      }
      return json(200, { items: [], next_cursor: '', settings, job: null })
    }))
    const target = render()
    await settle()
    expect(target.textContent).toContain('No reminder was sent yet')
    expect((target.querySelector('[data-test=reminders-send]') as HTMLButtonElement).disabled).toBe(true)
    ;(target.querySelector('[data-test=reminders-preview]') as HTMLButtonElement).click()
    await settle()
    expect(calls.some((c) => c.startsWith('POST /api/v1/reminders/run {"dry_run":true}'))).toBe(true)
    const digest = target.querySelector('[data-test=reminder-digest]')
    expect(digest?.textContent).toContain('ana@example.com · 1 overdue')
    expect(digest?.querySelector('pre')?.textContent).toContain('Add <canary>')
    expect(digest?.querySelector('canary')).toBeNull()
    expect(target.textContent).toContain('HINDSIGHT_PUBLIC_URL is not set')
  })
})
