import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import RcaEditor from './RcaEditor.svelte'
import { session } from '../lib/session.svelte'
import { EditorView } from '@codemirror/view'

// The page reused for another incident (its `key` prop changes under it)
// must show the other incident's RCA and never save the first one's text to
// the second (reviewer P1, belt and braces behind App.svelte's fix).

const sec = (key: string, body: string) => ({ key, title: key, body, audience: 'internal', help: '', required: false, block: '' })
const rcaOf = (id: number, body: string) => ({
  id, incident_id: id, template: 'essentials', status: 'draft', sections: [sec('summary', body)], version: 2,
  created_at: '2026-11-24T10:00:00Z', updated_at: '2026-11-24T10:00:00Z', updated_by: 'ana', reviewers: [], review_round: 0,
  published_at: null, published_by: '', amend_reason: '',
})
const incidents: Record<string, { id: number; title: string; body: string }> = {
  'INC-1': { id: 1, title: 'First outage', body: 'first text' },
  'INC-2': { id: 2, title: 'Second outage', body: 'second text' },
}

type Call = { method: string; path: string; body: string }
let calls: Call[] = []
let done: (() => void)[] = []

function json(v: unknown, status = 200) {
  return new Response(JSON.stringify(v), { status, headers: { 'Content-Type': 'application/json' } })
}

function fakeServer() {
  calls = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const u = new URL(url, 'http://x')
    const path = u.pathname.replace('/api/v1', '')
    const method = init.method ?? 'GET'
    calls.push({ method, path, body: String(init.body ?? '') })
    const m = /^\/incidents\/(INC-\d)(\/rca)?(\/.*)?$/.exec(path)
    if (m) {
      const inc = incidents[m[1]]
      if (!m[2]) return json({ id: inc.id, key: m[1], title: inc.title, rca: { status: 'draft', template: 'essentials', version: 2 } })
      if (!m[3] && method === 'GET') return json(rcaOf(inc.id, inc.body))
      if (!m[3] && method === 'PUT') {
        const b = JSON.parse(String(init.body))
        return json({ ...rcaOf(inc.id, b.sections[0].body), version: 3 })
      }
      if (m[3] === '/lint') return json({ findings: [], total: 0 })
      return json({ items: [], total: 0 })
    }
    if (path === '/render') return json({ html: '<p>x</p>', text: 'x' })
    return json({ items: [], total: 0 })
  })
}

async function settle() {
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 5))
    await tick()
  }
  flushSync()
}

afterEach(() => {
  done.forEach((f) => f())
  done = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  sessionStorage.clear()
})

describe('RcaEditor reused for another incident', () => {
  it('loads the other RCA and saves typed text to the incident it was typed for', async () => {
    fakeServer()
    session.user = { id: 7, email: 'ana@example.com', name: 'Ana', role: 'editor', groups: [], disabled: false, must_change_password: false, has_password: true, sso: false, last_login_at: null, created_at: '', updated_at: '' }
    session.loaded = true
    const props = $state({ key: 'INC-1' })
    const target = document.createElement('div')
    document.body.append(target)
    const c = mount(RcaEditor, { target, props })
    done.push(() => unmount(c))
    await settle()
    expect(target.querySelector('h1')?.textContent).toContain('First outage')

    const view = () => EditorView.findFromDOM(target.querySelector<HTMLElement>('[data-editor=codemirror] .cm-editor')!)!
    expect(view().state.doc.toString()).toBe('first text')
    view().dispatch({ changes: { from: view().state.doc.length, insert: ', typed on INC-1' } })
    flushSync()

    props.key = 'INC-2'
    flushSync()
    await settle()

    expect(target.querySelector('h1')?.textContent).toContain('Second outage')
    const puts = calls.filter((x) => x.method === 'PUT')
    expect(puts.map((p) => p.path)).toEqual(['/incidents/INC-1/rca'])
    expect(puts[0].body).toContain('typed on INC-1')
    expect(calls.some((x) => x.method === 'GET' && x.path === '/incidents/INC-2/rca')).toBe(true)
    expect(view().state.doc.toString()).toBe('second text')
  })
})
