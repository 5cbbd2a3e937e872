import { describe, expect, it } from 'vitest'
import {
  actionsText,
  applySuggestion,
  chips,
  clearFilters,
  emptyState,
  eventHref,
  facetValues,
  fragmentsOf,
  isActive,
  listParams,
  orderFacet,
  parseState,
  removeChip,
  scorePercent,
  splitWeak,
  searchParams,
  shortReason,
  similarityLabel,
  stateToHref,
  stateToQuery,
  toggleFilter,
} from './search'
import { qs } from './api'

const P = (s: string) => new URLSearchParams(s)

describe('parseState / stateToHref', () => {
  it('reads words, repeated and comma-separated filters, sort', () => {
    const s = parseState(P('q=disk+full&service=api,db&service=edge&severity=SEV1&year=2021&sort=oldest&published=true'))
    expect(s.q).toBe('disk full')
    expect(s.service).toEqual(['api', 'db', 'edge'])
    expect(s.severity).toEqual(['SEV1'])
    expect(s.year).toBe('2021')
    expect(s.sort).toBe('oldest')
    expect(s.published).toBe('true')
  })

  it('drops values the page does not know', () => {
    const s = parseState(P('sort=random&year=21&published=maybe'))
    expect(s.sort).toBe('')
    expect(s.year).toBe('')
    expect(s.published).toBe('')
  })

  it('round-trips through the URL', () => {
    const s = { ...emptyState(), q: 'a "b c"', tag: ['x', 'y z'], category: ['network'], sort: 'newest' as const }
    const href = stateToHref(s)
    expect(href.startsWith('/incidents?')).toBe(true)
    expect(parseState(new URL(href, 'http://h').searchParams)).toEqual(s)
    expect(stateToHref(emptyState())).toBe('/incidents')
  })

  it('gives setQuery every key so removed filters leave the URL', () => {
    const q = stateToQuery(emptyState())
    expect(Object.keys(q).sort()).toEqual(['after', 'before', 'category', 'published', 'q', 'service', 'severity', 'sort', 'status', 'tag', 'team', 'year'])
    expect(Object.values(q).every((v) => v === undefined)).toBe(true)
  })
})

describe('searchParams', () => {
  it('maps filters to the API names and a year to after/before', () => {
    const s = { ...emptyState(), q: ' disk ', service: ['api', 'db'], year: '2021' }
    expect(qs(searchParams(s, { cursor: 'abc', limit: 20 }))).toBe('?q=disk&service=api&service=db&after=2021-01-01&before=2022-01-01&limit=20&cursor=abc')
  })

  it('leaves out empty values and can skip facets', () => {
    expect(qs(searchParams(emptyState(), { facets: false }))).toBe('?facets=false')
  })
})

describe('listParams', () => {
  it('lists newest first when nothing is typed or filtered', () => {
    expect(listParams(emptyState())).toEqual({ sort: '-created_at', limit: undefined, cursor: undefined })
    expect(listParams({ ...emptyState(), sort: 'oldest' }, { cursor: 'c' })?.sort).toBe('created_at')
  })
  it('defers to search when there are words or filters', () => {
    expect(listParams({ ...emptyState(), q: 'x' })).toBeNull()
    expect(listParams({ ...emptyState(), tag: ['x'] })).toBeNull()
    expect(listParams({ ...emptyState(), year: '2020' })).toBeNull()
  })
})

describe('filters and chips', () => {
  it('toggles a value on and off (ignoring case) without changing the input', () => {
    const s = emptyState()
    const a = toggleFilter(s, 'service', 'api')
    expect(a.service).toEqual(['api'])
    expect(s.service).toEqual([])
    expect(isActive(a, 'service', 'API')).toBe(true)
    expect(toggleFilter(a, 'service', 'API').service).toEqual([])
    expect(toggleFilter(toggleFilter(s, 'year', '2020'), 'year', '2020').year).toBe('')
  })

  it('lists chips and removes one', () => {
    const s = { ...emptyState(), q: 'x', severity: ['SEV1', 'SEV2'], year: '2020', published: 'false' }
    const c = chips(s)
    expect(c.map((x) => x.label)).toEqual(['Severity: SEV1', 'Severity: SEV2', 'Year: 2020', 'RCA not published'])
    expect(removeChip(s, c[0]).severity).toEqual(['SEV2'])
    expect(removeChip(s, c[2]).year).toBe('')
    expect(removeChip(s, c[3]).published).toBe('')
    expect(clearFilters(s)).toEqual({ ...emptyState(), q: 'x' })
  })
})

describe('facets and hits', () => {
  it('orders severities by level, years newest first, others by count', () => {
    expect(orderFacet('severity', [{ value: 'sev3', count: 9 }, { value: 'sev1', count: 1 }]).map((c) => c.value)).toEqual(['sev1', 'sev3'])
    expect(orderFacet('year', [{ value: '2019', count: 9 }, { value: '2021', count: 1 }]).map((c) => c.value)).toEqual(['2021', '2019'])
    expect(orderFacet('tag', [{ value: 'b', count: 1 }, { value: 'a', count: 1 }, { value: 'c', count: 5 }]).map((c) => c.value)).toEqual(['c', 'a', 'b'])
    expect(orderFacet('tag', undefined)).toEqual([])
  })

  it('picks highlighted fragments in field order, at most max', () => {
    const hit = { id: 1, key: 'INC-1', title: 't', score: 1, highlights: { rca: ['r1', 'r2'], summary: ['s1'], title: ['t'], timeline: ['e'] } }
    expect(fragmentsOf(hit, 2)).toEqual([
      { label: 'Summary', fragment: 's1' },
      { label: 'RCA', fragment: 'r1' },
    ])
  })

  it('links a timeline event', () => {
    expect(eventHref('INC-4', 17)).toBe('/incidents/INC-4#event-17')
  })
})

describe('similar', () => {
  it('says where actions stand', () => {
    expect(actionsText({ total: 4, open: 0, done: 3, wont_do: 1, all_closed: true })).toBe('all 4 actions closed')
    expect(actionsText({ total: 5, open: 2, done: 3, wont_do: 0, all_closed: false })).toBe('2 of 5 actions open')
    expect(actionsText({ total: 0, open: 0, done: 0, wont_do: 0, all_closed: false })).toBe('no corrective actions')
    expect(actionsText({ total: 1, open: 0, done: 1, wont_do: 0, all_closed: true })).toBe('its 1 action closed')
  })

  it('scales the bar by the best score of the list', () => {
    expect(scorePercent({ score: 5 }, 10)).toBe(50)
    expect(scorePercent({ score: 10 }, 10)).toBe(100)
    expect(scorePercent({ score: 0 }, 0)).toBe(0)
    expect(scorePercent({ score: 0.0001 }, 10)).toBe(2)
  })

  it('folds the weak tail of similar incidents away, never the best one', () => {
    const r = splitWeak([{ score: 10 }, { score: 4 }, { score: 1.5 }, { score: 1.4 }, { score: 0.2 }])
    expect(r.strong.map((x) => x.score)).toEqual([10, 4, 1.5])
    expect(r.weak.map((x) => x.score)).toEqual([1.4, 0.2])
    expect(splitWeak([{ score: 0 }]).strong).toHaveLength(1)
    expect(splitWeak([])).toEqual({ strong: [], weak: [] })
  })

  it('names how alike from relative', () => {
    expect(similarityLabel(0)).toBe('')
    expect(similarityLabel(undefined)).toBe('')
    expect(similarityLabel(0.02)).toBe('some overlap')
    expect(similarityLabel(0.1)).toBe('similar')
    expect(similarityLabel(0.3)).toBe('quite similar')
    expect(similarityLabel(0.9)).toBe('nearly the same')
  })
})

describe('applySuggestion', () => {
  it('opens an incident for a title or key', () => {
    expect(applySuggestion(emptyState(), 'dns', { kind: 'title', value: 'DNS outage', key: 'INC-9' })).toEqual({ href: '/incidents/INC-9' })
    expect(applySuggestion(emptyState(), 'inc-2', { kind: 'key', value: 'INC-24' })).toEqual({ href: '/incidents/INC-24' })
  })
  it('turns a service or tag into a filter and drops the word being typed', () => {
    const r = applySuggestion({ ...emptyState(), q: 'timeout dn' }, 'timeout dn', { kind: 'service', value: 'dns' })
    expect(r.text).toBe('timeout')
    expect(r.state?.service).toEqual(['dns'])
    expect(r.state?.q).toBe('timeout')
    const t = applySuggestion({ ...emptyState(), tag: ['dns'] }, 'dn', { kind: 'tag', value: 'DNS' })
    expect(t.state?.tag).toEqual(['dns'])
    expect(t.text).toBe('')
  })
})

describe('facetValues', () => {
  it('keeps an active value the counts lack, and falls back to fixed values', () => {
    expect(facetValues('tag', [{ value: 'a', count: 2 }], ['A', 'zz'])).toEqual([
      { value: 'a', count: 2 },
      { value: 'zz', count: 0 },
    ])
    expect(facetValues('status', undefined, [], ['open', 'resolved'])).toEqual([
      { value: 'open', count: -1 },
      { value: 'resolved', count: -1 },
    ])
    expect(facetValues('tag', [], [])).toEqual([])
  })
})

describe('shortReason', () => {
  it('names the kind and the first values', () => {
    expect(shortReason({ kind: 'terms', values: ['a', 'b', 'c', 'd', 'e'], text: 'Both mention …' })).toBe('words: a, b, c +2')
    expect(shortReason({ kind: 'service', values: ['DNS'], text: 'Same service: DNS' })).toBe('service: DNS')
    expect(shortReason({ kind: 'weird', values: ['x'], text: 'Something' })).toBe('Something')
  })
})
