import { afterEach, describe, expect, it } from 'vitest'
import { flushSync, mount, unmount } from 'svelte'
import IncidentChipInput from './IncidentChipInput.svelte'

let done: (() => void)[] = []
afterEach(() => {
  done.forEach((f) => f())
  done = []
  document.body.innerHTML = ''
})

function setup(values: string[] = []) {
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(IncidentChipInput, { target, props: { id: 'f-tags', values, test: 'tags' } })
  done.push(() => unmount(c))
  const input = target.querySelector<HTMLInputElement>('input[data-test="tags"]')!
  const chips = () => [...target.querySelectorAll('.chip')].map((c) => c.firstChild?.textContent?.trim())
  const type = (v: string) => {
    input.value = v
    input.dispatchEvent(new Event('input', { bubbles: true }))
    flushSync()
  }
  const key = (k: string) => {
    input.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }))
    flushSync()
  }
  return { target, input, chips, type, key }
}

describe('IncidentChipInput', () => {
  it('adds a chip at each comma and keeps the rest typed', () => {
    const t = setup()
    t.type('api, db, we')
    expect(t.chips()).toEqual(['api', 'db'])
    expect(t.input.value).toBe('we')
  })

  it('adds what was typed on Enter without submitting, ignores duplicates, removes the last on Backspace', () => {
    const t = setup(['api'])
    t.type('edge proxy')
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true })
    t.input.dispatchEvent(enter)
    flushSync()
    expect(enter.defaultPrevented).toBe(true)
    expect(t.chips()).toEqual(['api', 'edge proxy'])
    t.type('API,')
    expect(t.chips()).toEqual(['api', 'edge proxy'])
    t.type('')
    t.key('Backspace')
    expect(t.chips()).toEqual(['api'])
  })

  it('removes a chip with its button', () => {
    const t = setup(['a', 'b'])
    t.target.querySelector<HTMLButtonElement>('button[aria-label="Remove a"]')!.click()
    flushSync()
    expect(t.chips()).toEqual(['b'])
  })
})
