// The import wizard's upload end game (reviewer P2): Cancel only while the
// file is still being sent; an abort that came too late finds the batch the
// server wrote and shows it with Undo instead of claiming nothing happened.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushSync, mount, tick, unmount } from 'svelte'
import ImportWizard from './ImportWizard.svelte'
import { route } from '../lib/router.svelte'
import { toasts } from '../lib/toast.svelte'
import type { ImportBatch, ImportReport } from '../lib/imports'

class FakeXHR {
  static sent: FakeXHR[] = []
  upload: { onprogress: ((e: unknown) => void) | null; onload: (() => void) | null } = { onprogress: null, onload: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  status = 0
  statusText = ''
  responseText = ''
  withCredentials = false
  open() {}
  setRequestHeader() {}
  send() {
    FakeXHR.sent.push(this)
  }
  abort() {
    this.onabort?.()
  }
  respond(status: number, body: unknown) {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.onload?.()
  }
}

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
const report = (p: Partial<ImportReport>): ImportReport => ({ batch: null, dry_run: true, parsed: 2, added: 2, duplicates: 0, rejected: 0, filtered: 0, preview: [], rejections: [], ...p })
const batch = (p: Partial<ImportBatch>): ImportBatch => ({
  id: 9, incident_id: 1, source: 'slack', file_name: 'export.zip', sha256: '', window_from: null, window_to: null,
  added: 2, duplicates: 0, rejected: 0, created_by: 'ann', created_at: '2026-01-01T00:00:00Z', undone_at: null, ...p,
})

let batches: ImportBatch[] = []
let cleanup: (() => void)[] = []
beforeEach(() => {
  FakeXHR.sent = []
  batches = []
  vi.stubGlobal('XMLHttpRequest', FakeXHR)
  vi.stubGlobal('fetch', vi.fn(async (url: string) =>
    url.includes('/imports') ? json({ items: batches, total: batches.length }) : json({ id: 1, key: 'INC-1', title: 'Checkout down', started_at: '2024-11-20T13:00:00Z', resolved_at: null }),
  ))
  route.query = new URLSearchParams('source=slack')
})
afterEach(() => {
  cleanup.forEach((f) => f())
  cleanup = []
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  toasts.length = 0
})

async function settle() {
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await tick()
  }
  flushSync()
}

const q = (t: HTMLElement, test: string) => t.querySelector(`[data-test=${test}]`) as HTMLElement | null

async function toPreview(): Promise<HTMLElement> {
  const target = document.createElement('div')
  document.body.append(target)
  const c = mount(ImportWizard, { target, props: { key: 'INC-1' } })
  cleanup.push(() => unmount(c))
  await settle()
  const input = q(target, 'import-file') as HTMLInputElement
  Object.defineProperty(input, 'files', { value: [new File(['PK'], 'export.zip', { type: 'application/zip' })] })
  input.dispatchEvent(new Event('change', { bubbles: true }))
  await settle()
  q(target, "import-preview-button")!.click()
  await settle()
  FakeXHR.sent[0].respond(200, report({}))
  await settle()
  expect(q(target, 'import-preview')).not.toBeNull()
  q(target, 'import-confirm')!.click()
  await settle()
  return target
}

describe('ImportWizard upload', () => {
  it('offers Cancel only until the file is sent, then says the server is importing', async () => {
    const t = await toPreview()
    expect(q(t, 'import-cancel')).not.toBeNull()
    FakeXHR.sent[1].upload.onload!()
    await settle()
    expect(q(t, 'import-cancel')).toBeNull()
    expect(q(t, 'import-progress-text')!.textContent).toContain('the server is importing')
    FakeXHR.sent[1].respond(201, report({ dry_run: false, batch: batch({}) }))
    await settle()
    expect(q(t, 'import-result-added')!.textContent).toBe('2')
  })

  it('after a cancel, shows the batch the server wrote anyway, with Undo', async () => {
    const t = await toPreview()
    batches = [batch({ id: 12 })]
    q(t, 'import-cancel')!.click()
    await settle()
    expect(q(t, 'import-result')).not.toBeNull()
    expect(q(t, 'import-undo')).not.toBeNull()
    expect(toasts.map((x) => x.text).join()).toContain('imported 2 events')
  })

  it('after a cancel the server did not act on, says nothing was imported and stays on the preview', async () => {
    const t = await toPreview()
    q(t, 'import-cancel')!.click()
    await settle()
    expect(q(t, 'import-result')).toBeNull()
    expect(q(t, 'import-preview')).not.toBeNull()
    expect(toasts.map((x) => x.text).join()).toContain('nothing was imported')
  })
})
