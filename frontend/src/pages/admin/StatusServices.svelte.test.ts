// Admin → Status page: the list loads, rows are added, ordered and
// removed, a repeated name is refused before sending, and Save sends the
// whole list in page order.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import StatusServices from './StatusServices.svelte'

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

function type(el: Element | null, value: string) {
  const input = el as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
  flushSync()
}

describe('StatusServices', () => {
  it('edits the list and saves it in page order', async () => {
    const puts: unknown[] = []
    vi.stubGlobal('fetch', vi.fn(async (_url: string, init?: RequestInit) => {
      if (init?.method === 'PUT') {
        const body = JSON.parse(String(init.body))
        puts.push(body)
        return json(200, body)
      }
      return json(200, { services: [{ name: 'api', display_name: 'Public API', description: '' }, { name: 'web', display_name: 'Website', description: '' }] })
    }))
    const target = document.createElement('div')
    document.body.append(target)
    const c = mount(StatusServices, { target })
    cleanup.push(() => unmount(c))
    await settle()

    const save = target.querySelector('[data-test=status-services-save]') as HTMLButtonElement
    expect(target.querySelectorAll('[data-test=status-service-row]').length).toBe(2)
    expect(save.disabled).toBe(true)

    ;(target.querySelector('[data-test=status-service-add]') as HTMLButtonElement).click()
    flushSync()
    const names = () => target.querySelectorAll<HTMLInputElement>('[data-test=status-service-name]')
    type(names()[2], 'API')
    expect(target.textContent).toContain('repeats services[0].name')
    expect(save.disabled).toBe(true)
    type(names()[2], 'jobs')
    // Move "web" (row 2) up, remove "api" (now row 2).
    ;(target.querySelectorAll<HTMLButtonElement>('button[aria-label="Move web up"]')[0]).click()
    flushSync()
    ;(target.querySelectorAll<HTMLButtonElement>('[data-test=status-service-remove]')[1]).click()
    flushSync()
    expect(save.disabled).toBe(false)
    save.click()
    await settle()
    expect(puts).toEqual([{ services: [{ name: 'web', display_name: 'Website', description: '' }, { name: 'jobs', display_name: '', description: '' }] }])
    expect(save.disabled).toBe(true)
  })
})
