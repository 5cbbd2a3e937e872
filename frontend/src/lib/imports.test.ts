import { describe, expect, it } from 'vitest'
import { ALL_FROM, guessMapping, mappingProblem, batchWrittenAnyway, reportFromBatch, type ImportBatch, checkFile, eventLine, formatRejection, importFields, sourceById, sources, summarizePreview, uploadImport, xhrError, matchesSource, type TimelineEvent } from './imports'

const ev = (p: Partial<TimelineEvent>): TimelineEvent => ({ id: 0, source: 'slack', external_id: '', occurred_at: '2024-11-20T14:00:00Z', kind: 'chat', actor: 'Ann', body: '', ...p })

describe('summarizePreview', () => {
  it('counts by kind and actor, most first, and finds the time range', () => {
    const s = summarizePreview([
      ev({ kind: 'chat', actor: 'Ann', occurred_at: '2024-11-20T14:05:00Z' }),
      ev({ kind: 'alert', actor: 'Zabbix', occurred_at: '2024-11-20T13:59:00Z' }),
      ev({ kind: 'chat', actor: 'Bob', occurred_at: '2024-11-20T14:30:00Z' }),
      ev({ kind: 'chat', actor: 'Ann', occurred_at: '2024-11-20T14:10:00Z' }),
      ev({ kind: '', actor: '  ', occurred_at: 'nonsense' }),
    ])
    expect(s.total).toBe(5)
    expect(s.byKind).toEqual([
      { name: 'chat', count: 3 },
      { name: 'alert', count: 1 },
      { name: 'unknown', count: 1 },
    ])
    expect(s.byActor[0]).toEqual({ name: 'Ann', count: 2 })
    expect(s.byActor.map((c) => c.name)).toEqual(['Ann', '(no actor)', 'Bob', 'Zabbix'])
    expect(s.from).toBe('2024-11-20T13:59:00.000Z')
    expect(s.to).toBe('2024-11-20T14:30:00.000Z')
  })
  it('has no range without events', () => {
    expect(summarizePreview([])).toEqual({ total: 0, byKind: [], byActor: [], from: null, to: null })
  })
})

describe('importFields', () => {
  it('sends the source, dry run and only the options that are set', () => {
    expect(importFields({ source: 'slack', window: 'incident' }, true)).toEqual([
      ['source', 'slack'],
      ['dry_run', 'true'],
    ])
  })
  it('opens the window for "all" and passes custom times', () => {
    expect(importFields({ source: 'csv', window: 'all', map: ' time=ts ', skipInvalid: true }, false)).toEqual([
      ['source', 'csv'],
      ['from', ALL_FROM],
      ['skip_invalid', 'true'],
      ['map', 'time=ts'],
    ])
    const f = importFields({ source: 'slack', window: 'custom', from: '2024-11-20T13:00:00.000Z', to: null, channels: 'incidents', threads: true }, false)
    expect(f).toContainEqual(['from', '2024-11-20T13:00:00.000Z'])
    expect(f.find(([k]) => k === 'to')).toBeUndefined()
    expect(f).toContainEqual(['channel', 'incidents'])
    expect(f).toContainEqual(['threads_touching_window', 'true'])
  })
})

describe('checkFile', () => {
  const slack = sourceById('slack')!
  it('wants a zip for slack', () => {
    expect(checkFile(slack, 'export.zip', 10)).toBe('')
    expect(checkFile(slack, 'channels.json', 10)).toMatch(/\.zip/)
  })
  it('refuses empty and too large files', () => {
    expect(checkFile(sourceById('csv')!, 'a.csv', 0)).toMatch(/empty/)
    expect(checkFile(sourceById('csv')!, 'a.csv', 300 << 20)).toMatch(/at most 200\.0 MB/)
  })
  it('finds sources by any word', () => {
    const ids = (q: string) => sources.filter((s) => matchesSource(s, q)).map((s) => s.id)
    expect(ids('slack')).toEqual(['slack'])
    expect(ids('transcript')).toEqual(['call'])
    expect(ids('')).toHaveLength(sources.length)
    expect(ids('tickets rest bugzilla')).toEqual(['bugzilla'])
    expect(ids('nothing-like-this')).toEqual([])
  })
  it('lists every source once', () => {
    expect(new Set(sources.map((s) => s.id)).size).toBe(sources.length)
    expect(sources.map((s) => s.id)).toContain('victorops')
  })
})

describe('server errors', () => {
  it('reads the rejections of import_rejected', () => {
    const body = JSON.stringify({
      error: { code: 'import_rejected', message: '1 record(s) could not be read', request_id: 'r1' },
      rejected: 1,
      rejections: [{ file: 'general/2024-11-20.json', line: 3, field: 'ts', reason: 'not a timestamp' }],
    })
    const e = xhrError(422, 'Unprocessable Entity', body)
    expect(e.code).toBe('import_rejected')
    expect(e.requestId).toBe('r1')
    expect((e as any).rejections).toHaveLength(1)
    expect(formatRejection((e as any).rejections[0])).toBe('general/2024-11-20.json:3: ts: not a timestamp')
  })
  it('explains a non-JSON 413', () => {
    expect(xhrError(413, 'Request Entity Too Large', '<html>').message).toMatch(/larger/)
  })
  it('formats rejections without line or field', () => {
    expect(formatRejection({ file: 'x.json', line: 0, field: '', reason: 'bad' })).toBe('x.json: bad')
  })
})

describe('eventLine', () => {
  it('flattens and shortens the body', () => {
    expect(eventLine(ev({ body: 'a\n\nb  c' }))).toBe('a b c')
    expect(eventLine(ev({ body: 'x'.repeat(200) }), 10)).toBe('xxxxxxxxx…')
  })
})

describe('uploadImport', () => {
  class FakeXHR {
    static last: FakeXHR
    method = ''
    url = ''
    headers: Record<string, string> = {}
    withCredentials = false
    body: FormData | null = null
    status = 0
    statusText = ''
    responseText = ''
    upload: { onprogress?: (e: any) => void; onload?: () => void } = {}
    onload?: () => void
    onerror?: () => void
    onabort?: () => void
    constructor() {
      FakeXHR.last = this
    }
    open(m: string, u: string) {
      this.method = m
      this.url = u
    }
    setRequestHeader(k: string, v: string) {
      this.headers[k] = v
    }
    send(b: FormData) {
      this.body = b
    }
    abort() {
      this.onabort?.()
    }
    answer(status: number, body: unknown) {
      this.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 })
      this.upload.onload?.()
      this.status = status
      this.responseText = typeof body === 'string' ? body : JSON.stringify(body)
      this.onload?.()
    }
  }

  it('posts the file and options as multipart with the cookie and reports progress', async () => {
    const orig = globalThis.XMLHttpRequest
    ;(globalThis as any).XMLHttpRequest = FakeXHR
    try {
      const progress: number[] = []
      const file = new File(['PK'], 'export.zip', { type: 'application/zip' })
      const h = uploadImport('INC-7', file, { source: 'slack', window: 'all', channels: 'incidents' }, true, (f) => progress.push(f))
      const x = FakeXHR.last
      expect(x.method).toBe('POST')
      expect(x.url).toBe('/api/v1/incidents/INC-7/imports')
      expect(x.withCredentials).toBe(true)
      expect(x.headers['Content-Type']).toBeUndefined() // the browser sets the multipart boundary
      expect(x.body!.get('source')).toBe('slack')
      expect(x.body!.get('dry_run')).toBe('true')
      expect(x.body!.get('from')).toBe(ALL_FROM)
      expect(x.body!.get('channel')).toBe('incidents')
      expect((x.body!.get('file') as File).name).toBe('export.zip')
      x.answer(200, { dry_run: true, parsed: 3, added: 3, duplicates: 0, rejected: 0, filtered: 0, preview: [], rejections: [], batch: null })
      const rep = await h.promise
      expect(rep.added).toBe(3)
      expect(progress).toEqual([0.5, 1])
    } finally {
      globalThis.XMLHttpRequest = orig
    }
  })

  it('rejects with the server error and its rejections', async () => {
    const orig = globalThis.XMLHttpRequest
    ;(globalThis as any).XMLHttpRequest = FakeXHR
    try {
      const h = uploadImport('INC-7', new File(['x'], 'a.json'), { source: 'pagerduty', window: 'incident' }, false, () => {})
      FakeXHR.last.answer(422, { error: { code: 'import_rejected', message: 'bad' }, rejected: 1, rejections: [{ file: 'a.json', line: 2, field: 'ts', reason: 'no' }] })
      await expect(h.promise).rejects.toMatchObject({ status: 422, code: 'import_rejected', rejections: [{ line: 2 }] })
    } finally {
      globalThis.XMLHttpRequest = orig
    }
  })
})

describe('batchWrittenAnyway', () => {
  const b = (id: number, p: Partial<ImportBatch> = {}): ImportBatch => ({
    id, incident_id: 1, source: 'slack', file_name: 'export.zip', sha256: '', window_from: null, window_to: null,
    added: 18, duplicates: 2, rejected: 1, created_by: 'ann@example.com', created_at: '2024-11-20T14:00:00Z', undone_at: null, ...p,
  })
  it('finds the new batch of the same source and file', () => {
    const before = [b(1), b(2, { file_name: 'other.zip' })]
    const after = [...before, b(3, { source: 'jira' }), b(4), b(5, { file_name: 'x.zip' })]
    expect(batchWrittenAnyway(before, after, 'slack', 'export.zip')?.id).toBe(4)
  })
  it('is null when the server wrote nothing (or only an undone batch)', () => {
    const before = [b(1)]
    expect(batchWrittenAnyway(before, before, 'slack', 'export.zip')).toBeNull()
    expect(batchWrittenAnyway(before, [...before, b(2, { undone_at: '2024-11-20T15:00:00Z' })], 'slack', 'export.zip')).toBeNull()
  })
  it('makes a result report from the batch', () => {
    const r = reportFromBatch(b(7), 4)
    expect(r.batch?.id).toBe(7)
    expect([r.added, r.duplicates, r.rejected, r.filtered, r.parsed]).toEqual([18, 2, 1, 4, 25])
    expect(r.dry_run).toBe(false)
  })
})

describe('mappingProblem', () => {
  it('turns the CSV importer’s missing column into a hint and a mapping to try', () => {
    const p = mappingProblem('ops2-bad.csv: csv: ops2-bad.csv: no time column: name one with --map time=<column> (tried time, timestamp, ts, date; columns: when, who, what)')
    expect(p?.text).toBe('No time column found. Say which column holds it here (the file has: when, who, what).')
    expect(p?.suggestion).toBe('time=when,actor=who,text=what')
  })
  it('names a mapped column the header lacks', () => {
    const p = mappingProblem('x.csv: csv: x.csv: mapping text=msg: no column "msg" in the header (columns: Date, User, Message)')
    expect(p?.text).toBe('There is no column “msg” (the file has: Date, User, Message).')
    expect(p?.suggestion).toBe('time=Date,actor=User,text=Message')
  })
  it('passes other mapping errors through and ignores the rest', () => {
    expect(mappingProblem('invalid input: map: mapping: unknown field "tme" (want one of time, actor)')?.text).toBe('unknown field "tme" (want one of time, actor)')
    expect(mappingProblem('slack: users.json missing')).toBeNull()
  })
  it('guesses nothing for columns it cannot place', () => {
    expect(guessMapping(['a', 'b'])).toBe('')
  })
})
