// The keyboard path of the actions page: a status picked with the arrow keys
// is one save (on Enter / leaving the select), a mouse choice saves at once,
// and the select keeps the focus while saving.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import Actions from './Actions.svelte'
import { session, type User } from '../lib/session.svelte'
import type { Action } from '../lib/actions'

let cleanup: (() => void)[] = []
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  session.user = null
})

const act = (p: Partial<Action>): Action => ({
  id: 1, incident_id: 1, incident_key: 'INC-1', title: 'Add alert', description: '', type: 'corrective', priority: 'high',
  owner: 'ann', team: '', due_date: null, status: 'open', completed_at: null, overdue: false, ticket: null, version: 3,
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...p,
} as Action)

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function settle() {
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await tick()
  }
  flushSync()
}

async function render() {
  session.user = { id: 1, email: 'e@x', name: '', role: 'editor' } as User
  let current = act({})
  const patches: Record<string, unknown>[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    if (init?.method === 'PATCH') {
      const body = JSON.parse(init.body as string)
      patches.push(body)
      current = { ...current, ...body, version: current.version + 1 }
      return json(200, current)
    }
    return json(200, { items: [current], total: 1 })
  }))
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(Actions, { target, props: {} })
  cleanup.push(() => unmount(c))
  await settle()
  const select = target.querySelector('[data-test=action-row][data-action-id="1"] [data-test=action-status]') as HTMLSelectElement
  return { target, select, patches }
}

function arrow(select: HTMLSelectElement, value: string) {
  select.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }))
  select.value = value
  select.dispatchEvent(new Event('change', { bubbles: true }))
}

describe('Actions keyboard', () => {
  it('saves once after arrowing through statuses, on Enter', async () => {
    const { select, patches } = await render()
    select.focus()
    arrow(select, 'in_progress')
    arrow(select, 'done')
    await settle()
    expect(patches).toEqual([])
    select.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await settle()
    expect(patches).toEqual([{ status: 'done', version: 3 }])
    expect(select.disabled).toBe(false)
    expect(document.activeElement).toBe(select)
  })

  it('saves an arrowed status when the select is left', async () => {
    const { select, patches } = await render()
    select.focus()
    arrow(select, 'wont_do')
    select.dispatchEvent(new FocusEvent('blur'))
    await settle()
    expect(patches).toEqual([{ status: 'wont_do', version: 3 }])
  })

  it('saves a choice made without the arrow keys at once (mouse, e2e fill)', async () => {
    const { select, patches, target } = await render()
    select.value = 'done'
    select.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    expect(patches).toEqual([{ status: 'done', version: 3 }])
    expect(target.querySelector('[data-test=action-row]')!.getAttribute('data-status')).toBe('done')
  })
})
