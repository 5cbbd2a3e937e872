import { describe, expect, it, vi } from 'vitest'
import {
  actionClash,
  actionFieldValue,
  actionPatch,
  byteToIndex,
  conflictStashBase,
  exportErrorMessage,
  existingRca,
  diffSections,
  initialSave,
  merge3,
  mergeText,
  nextSave,
  parseUnifiedDiff,
  recoverStash,
  resolveConflict,
  retryDelay,
  sameSections,
  unsaved,
  workflowBlock,
  previewIdPrefix,
  type Action,
  type SaveEvent,
  type Section,
  type Stash,
} from './rca'

const sec = (key: string, body: string, title = key.toUpperCase()): Section => ({
  key,
  title,
  body,
  audience: 'internal',
  help: '',
  required: false,
  block: '',
})

describe('mergeText', () => {
  it('takes the side that changed', () => {
    expect(mergeText('a', 'a', 'b')).toEqual({ clean: true, text: 'b' })
    expect(mergeText('a', 'b', 'a')).toEqual({ clean: true, text: 'b' })
    expect(mergeText('a', 'c', 'c')).toEqual({ clean: true, text: 'c' })
  })

  it('combines edits to different lines', () => {
    const base = 'one\ntwo\nthree\nfour\nfive'
    const mine = 'ONE\ntwo\nthree\nfour\nfive'
    const theirs = 'one\ntwo\nthree\nfour\nFIVE'
    expect(mergeText(base, mine, theirs)).toEqual({ clean: true, text: 'ONE\ntwo\nthree\nfour\nFIVE' })
  })

  it('combines an insertion with a deletion elsewhere', () => {
    const base = 'a\nb\nc\nd\ne'
    const mine = 'a\nnew\nb\nc\nd\ne'
    const theirs = 'a\nb\nc\nd'
    expect(mergeText(base, mine, theirs)).toEqual({ clean: true, text: 'a\nnew\nb\nc\nd' })
  })

  it('appends from both sides in order when they touch different ends', () => {
    const base = 'x\ny\nz'
    expect(mergeText(base, 'top\nx\ny\nz', 'x\ny\nz\nbottom')).toEqual({ clean: true, text: 'top\nx\ny\nz\nbottom' })
  })

  it('reports overlapping edits as a conflict', () => {
    expect(mergeText('a\nb\nc', 'a\nB1\nc', 'a\nB2\nc')).toEqual({ clean: false, text: 'a\nB1\nc' })
  })

  it('reports both sides appending different text as a conflict', () => {
    expect(mergeText('a', 'a\nmine', 'a\ntheirs')).toMatchObject({ clean: false })
  })

  it('treats an empty base as a line', () => {
    expect(mergeText('', 'mine', 'theirs')).toMatchObject({ clean: false })
    expect(mergeText('', 'mine', '')).toEqual({ clean: true, text: 'mine' })
  })

  it('keeps identical changes made on both sides once', () => {
    expect(mergeText('a\nb\nc', 'a\nX\nc\nd', 'a\nX\nc')).toEqual({ clean: true, text: 'a\nX\nc\nd' })
  })
})

describe('merge3', () => {
  const base = [sec('summary', 'S'), sec('impact', 'I'), sec('timeline', 'T')]

  it('merges non-overlapping section changes without conflicts', () => {
    const mine = [sec('summary', 'S mine'), sec('impact', 'I'), sec('timeline', 'T')]
    const theirs = [sec('summary', 'S'), sec('impact', 'I theirs'), sec('timeline', 'T')]
    const r = merge3(base, mine, theirs)
    expect(r.conflicts).toEqual([])
    expect(r.sections.map((s) => s.body)).toEqual(['S mine', 'I theirs', 'T'])
    expect(r.merged).toEqual(['impact'])
  })

  it('reports a section both changed on the same line', () => {
    const mine = [sec('summary', 'S mine'), sec('impact', 'I'), sec('timeline', 'T')]
    const theirs = [sec('summary', 'S theirs'), sec('impact', 'I'), sec('timeline', 'T')]
    const r = merge3(base, mine, theirs)
    expect(r.conflicts).toEqual([{ key: 'summary', title: 'SUMMARY', base: 'S', mine: 'S mine', theirs: 'S theirs' }])
    // My text is kept in the document until the user decides.
    expect(r.sections[0].body).toBe('S mine')
  })

  it('merges two edits of different lines of one section', () => {
    const b = [sec('summary', 'line 1\nline 2\nline 3')]
    const r = merge3(b, [sec('summary', 'line 1 mine\nline 2\nline 3')], [sec('summary', 'line 1\nline 2\nline 3 theirs')])
    expect(r.conflicts).toEqual([])
    expect(r.sections[0].body).toBe('line 1 mine\nline 2\nline 3 theirs')
    expect(r.merged).toEqual(['summary'])
  })

  it('takes sections they added and keeps the ones I added in place', () => {
    const mine = [sec('summary', 'S'), sec('mine-only', 'M'), sec('impact', 'I'), sec('timeline', 'T')]
    const theirs = [...base, sec('lessons', 'L')]
    const r = merge3(base, mine, theirs)
    expect(r.conflicts).toEqual([])
    expect(r.sections.map((s) => s.key)).toEqual(['summary', 'mine-only', 'impact', 'timeline', 'lessons'])
  })

  it('drops a section they removed when I did not change it', () => {
    const r = merge3(base, base, [sec('summary', 'S'), sec('timeline', 'T')])
    expect(r.sections.map((s) => s.key)).toEqual(['summary', 'timeline'])
    expect(r.conflicts).toEqual([])
  })

  it('asks when they removed a section I edited', () => {
    const mine = [sec('summary', 'S'), sec('impact', 'I edited'), sec('timeline', 'T')]
    const r = merge3(base, mine, [sec('summary', 'S'), sec('timeline', 'T')])
    expect(r.conflicts).toEqual([{ key: 'impact', title: 'IMPACT', base: 'I', mine: 'I edited', theirs: null }])
    expect(r.sections.map((s) => s.key)).toEqual(['summary', 'impact', 'timeline'])
  })

  it('asks when I removed a section they edited', () => {
    const mine = [sec('summary', 'S'), sec('timeline', 'T')]
    const theirs = [sec('summary', 'S'), sec('impact', 'I theirs'), sec('timeline', 'T')]
    const r = merge3(base, mine, theirs)
    expect(r.conflicts).toEqual([{ key: 'impact', title: 'IMPACT', base: 'I', mine: null, theirs: 'I theirs' }])
  })

  it('follows their metadata but keeps my title change', () => {
    const mine = [sec('summary', 'S', 'My title'), sec('impact', 'I'), sec('timeline', 'T')]
    const theirs = base.map((s) => ({ ...s, help: 'new help' }))
    const r = merge3(base, mine, theirs)
    expect(r.sections[0].title).toBe('My title')
    expect(r.sections[0].help).toBe('new help')
  })

  it('is a no-op when nobody changed anything', () => {
    const r = merge3(base, base, base)
    expect(sameSections(r.sections, base)).toBe(true)
    expect(r.conflicts).toEqual([])
    expect(r.merged).toEqual([])
  })
})

describe('resolveConflict', () => {
  const s = [sec('a', '1'), sec('b', '2')]
  it('replaces, removes or re-adds a section', () => {
    expect(resolveConflict(s, 'a', 'x').map((x) => x.body)).toEqual(['x', '2'])
    expect(resolveConflict(s, 'a', null).map((x) => x.key)).toEqual(['b'])
    expect(resolveConflict(s, 'c', 'new', sec('c', 'theirs')).map((x) => [x.key, x.body])).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', 'new'],
    ])
  })
})

describe('diffSections', () => {
  it('lists added, removed and changed keys', () => {
    const from = [sec('a', '1'), sec('b', '2'), sec('c', '3')]
    const to = [sec('a', '1'), sec('b', '2!'), sec('d', '4')]
    expect(diffSections(from, to)).toEqual({ added: ['d'], removed: ['c'], changed: ['b'] })
  })
  it('sees a title change', () => {
    expect(diffSections([sec('a', '1', 'x')], [sec('a', '1', 'y')]).changed).toEqual(['a'])
  })
  it('ignores order in sameSections only when equal', () => {
    expect(sameSections([sec('a', '1'), sec('b', '2')], [sec('b', '2'), sec('a', '1')])).toBe(false)
  })
})

describe('save state machine', () => {
  const run = (events: SaveEvent[]) => events.reduce(nextSave, initialSave('2026-01-01T00:00:00Z'))

  it('goes saved → dirty → saving → saved', () => {
    const s = run([{ type: 'edit' }, { type: 'start' }, { type: 'ok', at: 'T1' }])
    expect(s.kind).toBe('saved')
    expect(s.savedAt).toBe('T1')
    expect(unsaved(s)).toBe(false)
  })

  it('stays dirty when the user typed during the save', () => {
    const s = run([{ type: 'edit' }, { type: 'start' }, { type: 'edit' }, { type: 'ok', at: 'T1' }])
    expect(s.kind).toBe('dirty')
    expect(unsaved(s)).toBe(true)
  })

  it('holds a conflict until it is resolved, whatever the user types', () => {
    let s = run([{ type: 'edit' }, { type: 'start' }, { type: 'conflict' }, { type: 'edit' }, { type: 'start' }])
    expect(s.kind).toBe('conflict')
    expect(unsaved(s)).toBe(true)
    s = nextSave(s, { type: 'resolved' })
    expect(s.kind).toBe('dirty')
  })

  it('counts failures and clears them on success', () => {
    let s = run([{ type: 'edit' }, { type: 'start' }, { type: 'fail', message: 'offline', retry: true }])
    s = nextSave(nextSave(s, { type: 'start' }), { type: 'fail', message: 'offline', retry: true })
    expect(s).toMatchObject({ kind: 'error', attempts: 2, retry: true, message: 'offline' })
    s = nextSave(nextSave(s, { type: 'start' }), { type: 'ok', at: 'T2' })
    expect(s).toMatchObject({ kind: 'saved', attempts: 0, message: '' })
  })

  it('keeps edits made while offline pending', () => {
    const s = run([{ type: 'edit' }, { type: 'start' }, { type: 'fail', message: 'x', retry: true }, { type: 'edit' }])
    expect(s.kind).toBe('error')
    expect(s.pending).toBe(true)
  })

  it('backs off retries up to 30 s', () => {
    expect(retryDelay(1)).toBe(2000)
    expect(retryDelay(2)).toBe(4000)
    expect(retryDelay(10)).toBe(30000)
  })
})

describe('byteToIndex', () => {
  it('maps UTF-8 byte offsets to string indexes', () => {
    expect(byteToIndex('abc', 2)).toBe(2)
    expect(byteToIndex('héllo', 3)).toBe(2) // é is 2 bytes
    expect(byteToIndex('a😀b', 5)).toBe(3) // emoji: 4 bytes, 2 UTF-16 units
    expect(byteToIndex('ab', 99)).toBe(2)
  })
})

describe('parseUnifiedDiff', () => {
  it('classifies lines', () => {
    const d = '--- v1/summary\n+++ v2/summary\n@@ -1,2 +1,2 @@\n same\n-old\n+new\n'
    expect(parseUnifiedDiff(d)).toEqual([
      { kind: 'file', text: '--- v1/summary' },
      { kind: 'file', text: '+++ v2/summary' },
      { kind: 'hunk', text: '@@ -1,2 +1,2 @@' },
      { kind: 'ctx', text: 'same' },
      { kind: 'del', text: 'old' },
      { kind: 'add', text: 'new' },
    ])
    expect(parseUnifiedDiff('')).toEqual([])
    expect(parseUnifiedDiff('+x\n\\ No newline at end of file')).toEqual([
      { kind: 'add', text: 'x' },
      { kind: 'hunk', text: '\\ No newline at end of file' },
    ])
  })
})

describe('workflowBlock', () => {
  const editor = { email: 'ana@example.com', role: 'editor' }
  it('lets a draft be submitted, not published', () => {
    const r = { status: 'draft' as const, reviewers: [] }
    expect(workflowBlock('submit', r, editor)).toBe('')
    expect(workflowBlock('publish', r, editor)).toMatch(/Submit/)
    expect(workflowBlock('submit', r, { email: 'v@x', role: 'viewer' })).toMatch(/Viewers/)
    expect(workflowBlock('submit', r, editor, true)).toMatch(/saved/)
  })
  it('lets only reviewers approve, and publishing waits for an approval', () => {
    const r = {
      status: 'in_review' as const,
      reviewers: [{ name: 'Ana@example.com', state: 'requested' as const, note: '', requested_at: '', decided_at: null }],
    }
    expect(workflowBlock('approve', r, editor)).toBe('')
    expect(workflowBlock('approve', r, { email: 'bo@example.com', role: 'editor' })).toMatch(/Only the reviewers/)
    expect(workflowBlock('publish', r, editor)).toMatch(/approval/)
    const approved = { ...r, reviewers: [{ ...r.reviewers[0], state: 'approved' as const }] }
    expect(workflowBlock('publish', approved, editor)).toBe('')
    expect(workflowBlock('approve', approved, editor)).toMatch(/already/)
  })
  it('amends only a published RCA', () => {
    expect(workflowBlock('amend', { status: 'published', reviewers: [] }, editor)).toBe('')
    expect(workflowBlock('edit', { status: 'published', reviewers: [] }, editor)).toMatch(/amend/)
    expect(workflowBlock('amend', { status: 'draft', reviewers: [] }, editor)).toMatch(/Only a published/)
  })
})

describe('recoverStash', () => {
  const base = [sec('a', '1'), sec('b', '2')]
  it('recovers unsaved text onto a newer server version', () => {
    const stash = { user: 7, version: 3, base, mine: [sec('a', '1 mine'), sec('b', '2')], at: 0 }
    const m = recoverStash(stash, { version: 4, sections: [sec('a', '1'), sec('b', '2 theirs')] }, 7)
    expect(m?.conflicts).toEqual([])
    expect(m?.sections.map((s) => s.body)).toEqual(['1 mine', '2 theirs'])
  })
  it('has nothing to recover when the server already has it or nothing changed', () => {
    const mine = [sec('a', '1 mine'), sec('b', '2')]
    expect(recoverStash({ user: 7, version: 3, base, mine, at: 0 }, { version: 4, sections: mine }, 7)).toBeNull()
    expect(recoverStash({ user: 7, version: 3, base, mine: base, at: 0 }, { version: 3, sections: base }, 7)).toBeNull()
    expect(recoverStash(null, { version: 3, sections: base }, 7)).toBeNull()
  })
  it("never recovers another user's text (or text of unknown origin)", () => {
    const mine = [sec('a', '1 typed by 7'), sec('b', '2')]
    const server = { version: 3, sections: base }
    expect(recoverStash({ user: 7, version: 3, base, mine, at: 0 }, server, 7)?.sections[0].body).toBe('1 typed by 7')
    expect(recoverStash({ user: 7, version: 3, base, mine, at: 0 }, server, 8)).toBeNull()
    expect(recoverStash({ user: 7, version: 3, base, mine, at: 0 }, server, undefined)).toBeNull()
    const old = { version: 3, base, mine, at: 0 } as unknown as Stash
    expect(recoverStash(old, server, 7)).toBeNull()
  })
  it('asks when the server changed the same text', () => {
    const m = recoverStash({ user: 7, version: 3, base, mine: [sec('a', 'mine'), sec('b', '2')], at: 0 }, { version: 4, sections: [sec('a', 'theirs'), sec('b', '2')] }, 7)
    expect(m?.conflicts.map((c) => c.key)).toEqual(['a'])
  })
})

describe('previewIdPrefix', () => {
  it('prefixes with the section key and a separator the card ids never have', () => {
    expect(previewIdPrefix('impact')).toBe('s-impact-')
    expect(previewIdPrefix('root_causes')).toBe('s-root_causes-')
  })
  it('gives none for a key the server would refuse', () => {
    expect(previewIdPrefix('a'.repeat(78))).toBeUndefined()
    expect(previewIdPrefix('Bad Key')).toBeUndefined()
  })
})

describe('sign-out clears what the tab kept', () => {
  it('removes every hindsight.* key of sessionStorage and nothing else', async () => {
    const { clearTabStorage } = await import('./session.svelte')
    sessionStorage.setItem('hindsight.rca.unsaved.INC-1', '{"user":1}')
    sessionStorage.setItem('hindsight.home.alert', 'x')
    sessionStorage.setItem('other.app', 'keep')
    clearTabStorage()
    expect(sessionStorage.getItem('hindsight.rca.unsaved.INC-1')).toBeNull()
    expect(sessionStorage.getItem('hindsight.home.alert')).toBeNull()
    expect(sessionStorage.getItem('other.app')).toBe('keep')
    sessionStorage.clear()
  })
  it('signOut clears the storage and tells pages to stop keeping text', async () => {
    const { signOut, isSigningOut } = await import('./session.svelte')
    vi.stubGlobal('fetch', async () => new Response(null, { status: 204 }))
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {}) // jsdom: navigation not implemented
    sessionStorage.setItem('hindsight.rca.unsaved.INC-1', '{"user":1}')
    expect(isSigningOut()).toBe(false)
    await signOut().catch(() => {})
    expect(isSigningOut()).toBe(true)
    expect(sessionStorage.getItem('hindsight.rca.unsaved.INC-1')).toBeNull()
    errors.mockRestore()
    vi.unstubAllGlobals()
  })
})

describe('action cells', () => {
  const act = (over: Partial<Action> = {}): Action => ({
    id: 1, incident_id: 1, incident_key: 'INC-1', title: 'Add alert', description: '', type: 'corrective', priority: 'medium',
    owner: 'ana', team: '', due_date: null, status: 'open', completed_at: null, overdue: false, ticket: null, version: 3,
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over,
  })
  it('shows each field as its input holds it', () => {
    expect(actionFieldValue(act(), 'due_date')).toBe('')
    expect(actionFieldValue(act({ due_date: '2026-12-01' }), 'due_date')).toBe('2026-12-01')
    expect(actionFieldValue(act({ ticket: { url: 'https://t/1' } as Action['ticket'] }), 'ticket')).toBe('https://t/1')
    expect(actionFieldValue(act(), 'ticket')).toBe('')
    expect(actionFieldValue(act(), 'status')).toBe('open')
  })
  it('builds the PATCH body of a cell', () => {
    expect(actionPatch('title', '  New  ')).toEqual({ title: 'New' })
    expect(actionPatch('due_date', '')).toEqual({ due_date: null })
    expect(actionPatch('ticket', '')).toEqual({ ticket: null })
    expect(actionPatch('ticket', 'https://t/2')).toEqual({ ticket: { url: 'https://t/2' } })
    expect(actionPatch('status', 'done')).toEqual({ status: 'done' })
  })
  it('sees a clash only when the same field changed meanwhile', () => {
    const before = act()
    expect(actionClash('owner', before, act({ version: 4, title: 'Other title' }))).toBe(false)
    expect(actionClash('owner', before, act({ version: 4, owner: 'bo' }))).toBe(true)
    expect(actionClash('ticket', before, act({ version: 4, ticket: { url: 'https://t/9' } as Action['ticket'] }))).toBe(true)
  })
})

describe('exportErrorMessage', () => {
  it('says why an export was refused, with the server message', () => {
    const tooLarge = { error: { code: 'section_too_large', message: 'section impact is too large to render as HTML' } }
    expect(exportErrorMessage('html', 413, tooLarge)).toBe('HTML export failed (413): section impact is too large to render as HTML')
    expect(exportErrorMessage('md', 500, null)).toBe('Markdown export failed (500)')
    expect(exportErrorMessage('json', 403, { error: { message: '' } })).toMatch(/^JSON export refused: /)
    expect(exportErrorMessage('pdf', 501, null)).toMatch(/needs Chromium/)
  })
})

describe('existingRca', () => {
  it('takes the RCA out of a 409 only when it is one', () => {
    const r = { version: 2, sections: [sec('a', 'x')], status: 'draft', updated_by: 'bo' }
    expect(existingRca(r)).toBe(r)
    expect(existingRca(null)).toBeNull()
    expect(existingRca(undefined)).toBeNull()
    expect(existingRca({ id: 3, version: 1 })).toBeNull()
    expect(existingRca({ sections: [], version: '2' })).toBeNull()
  })
})

describe('stash while a conflict is open', () => {
  // What the page stashes after a 409 whose merge clashed, then what a
  // reload recovers from it: the clash again, never "mine wins".
  const base = [sec('a', 'one\nline two\nthree'), sec('b', 'b text'), sec('c', 'c text')]
  const mine = [sec('a', 'one\nMY EDIT\nthree'), sec('b', 'b text'), sec('c', 'c text')]
  const theirs = [sec('a', 'one\nTHEIR EDIT\nthree'), sec('b', 'b text, theirs'), sec('c', 'c text')]
  const stashAfter = (m: ReturnType<typeof merge3>) => ({ user: 7, version: 5, base: conflictStashBase(theirs, m.sections, m.conflicts), mine: m.sections, at: 0 })

  it('brings the conflict back after a reload instead of overwriting their text', () => {
    const m = merge3(base, mine, theirs)
    expect(m.conflicts.map((c) => c.key)).toEqual(['a'])
    const r = recoverStash(stashAfter(m), { version: 5, sections: theirs }, 7)
    expect(r?.conflicts.map((c) => [c.key, c.mine, c.theirs])).toEqual([['a', 'one\nMY EDIT\nthree', 'one\nTHEIR EDIT\nthree']])
    expect(r?.sections.find((s) => s.key === 'b')?.body).toBe('b text, theirs')
  })

  it('the old way (their copy as the base) would lose their edit', () => {
    const m = merge3(base, mine, theirs)
    const r = recoverStash({ user: 7, version: 5, base: theirs, mine: m.sections, at: 0 }, { version: 5, sections: theirs }, 7)
    expect(r?.conflicts).toEqual([])
    expect(r?.sections[0].body).toBe('one\nMY EDIT\nthree')
  })

  it('keeps a section they removed and I changed, and one we both added', () => {
    const m = merge3(base, [sec('a', 'one\nline two\nthree'), sec('b', 'b text'), sec('c', 'c mine'), sec('d', 'my d')], [sec('a', 'one\nline two\nthree'), sec('b', 'b text'), sec('d', 'their d')])
    expect(m.conflicts.map((c) => c.key).sort()).toEqual(['c', 'd'])
    const b = conflictStashBase([sec('a', 'one\nline two\nthree'), sec('b', 'b text'), sec('d', 'their d')], m.sections, m.conflicts)
    expect(b.map((s) => [s.key, s.body])).toEqual([['a', 'one\nline two\nthree'], ['b', 'b text'], ['c', 'c text']])
    const r = recoverStash({ user: 7, version: 5, base: b, mine: m.sections, at: 0 }, { version: 5, sections: [sec('a', 'one\nline two\nthree'), sec('b', 'b text'), sec('d', 'their d')] }, 7)
    expect(r?.conflicts.map((c) => c.key).sort()).toEqual(['c', 'd'])
  })
})

describe('a clash keeps their other changes in the section', () => {
  it('mergeText: mine where we both changed, theirs elsewhere', () => {
    const base = 'p1\n\np2\n\np3'
    const mine = 'p1\n\np2\n\nP3 mine'
    const theirs = 'P1 theirs\n\np2\n\nP3 theirs'
    expect(mergeText(base, mine, theirs)).toEqual({ clean: false, text: 'P1 theirs\n\np2\n\nP3 mine' })
  })
  it('merge3 offers that text with the conflict; the section keeps my text until resolved', () => {
    const m = merge3([sec('a', 'p1\n\np2\n\np3')], [sec('a', 'p1\n\np2\n\nP3 mine')], [sec('a', 'P1 theirs\n\np2\n\nP3 theirs')])
    expect(m.conflicts[0].merged).toBe('P1 theirs\n\np2\n\nP3 mine')
    expect(m.sections[0].body).toBe('p1\n\np2\n\nP3 mine')
  })
  it('no merged text when it would be just mine', () => {
    const m = merge3([sec('a', 'x')], [sec('a', 'mine')], [sec('a', 'theirs')])
    expect(m.conflicts[0].merged).toBeUndefined()
  })
})
