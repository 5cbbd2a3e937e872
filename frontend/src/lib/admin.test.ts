import { describe, expect, it } from 'vitest'
import {
  auditFiltersFromQuery, auditFiltersToQuery, emptyAuditFilters, emptySection, filterUsers, normalizeDraft, passwordProblem, slug,
  sortTokens, templateProblems, tokenRequest, tokenState, type Token,
} from './admin'
import type { User } from './session.svelte'

const tok = (p: Partial<Token>): Token => ({ id: 1, user_id: 1, user_email: 'a@x', name: 't', scopes: ['read'], prefix: 'hs_', expires_at: null, last_used_at: null, revoked_at: null, created_at: '2026-01-01T00:00:00Z', ...p })

describe('tokens', () => {
  const now = Date.parse('2026-11-24T12:00:00Z')
  it('knows active, expired and revoked', () => {
    expect(tokenState(tok({}), now)).toBe('active')
    expect(tokenState(tok({ expires_at: '2026-11-24T11:59:59Z' }), now)).toBe('expired')
    expect(tokenState(tok({ expires_at: '2026-12-24T00:00:00Z' }), now)).toBe('active')
    expect(tokenState(tok({ revoked_at: '2026-11-01T00:00:00Z', expires_at: '2020-01-01T00:00:00Z' }), now)).toBe('revoked')
  })
  it('sorts active first, newest first', () => {
    const ts = [
      tok({ id: 1, revoked_at: '2026-01-02T00:00:00Z', created_at: '2026-03-01T00:00:00Z' }),
      tok({ id: 2, created_at: '2026-01-01T00:00:00Z' }),
      tok({ id: 3, created_at: '2026-02-01T00:00:00Z' }),
      tok({ id: 4, expires_at: '2026-01-01T00:00:00Z' }),
    ]
    expect(sortTokens(ts, now).map((t) => t.id)).toEqual([3, 2, 4, 1])
  })
  it('builds the create body', () => {
    expect(tokenRequest(' ci ', ['read', 'import'], { kind: 'days', days: 30 })).toEqual({ name: 'ci', scopes: ['read', 'import'], expires_in_days: 30 })
    expect(tokenRequest('x', ['read'], { kind: 'never' })).toEqual({ name: 'x', scopes: ['read'] })
    const r = tokenRequest('x', ['read'], { kind: 'date', date: '2027-01-31' })
    const d = new Date(r.expires_at!)
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2027, 0, 31, 23, 59])
  })
})

describe('passwords', () => {
  it('checks length, repetition and change', () => {
    expect(passwordProblem('short', 'short')).toMatch(/12/)
    expect(passwordProblem('correct horse battery', 'correct horse batterx')).toMatch(/differ/)
    expect(passwordProblem('correct horse battery', 'correct horse battery', 'correct horse battery')).toMatch(/current/)
    expect(passwordProblem('correct horse battery', 'correct horse battery', 'old one here')).toBe('')
  })
})

describe('users', () => {
  const u = (p: Partial<User>): User => ({ id: 1, email: 'ana@example.com', name: 'Ana', role: 'editor', groups: [], disabled: false, must_change_password: false, has_password: true, sso: false, last_login_at: null, created_at: '', updated_at: '', ...p })
  it('filters by words and state', () => {
    const us = [u({ id: 1 }), u({ id: 2, email: 'bo@example.com', name: 'Bo', role: 'admin', groups: ['sre-leads'], disabled: true })]
    expect(filterUsers(us, 'sre').map((x) => x.id)).toEqual([2])
    expect(filterUsers(us, 'example ana').map((x) => x.id)).toEqual([1])
    expect(filterUsers(us, '', 'disabled').map((x) => x.id)).toEqual([2])
    expect(filterUsers(us, '', 'active').map((x) => x.id)).toEqual([1])
  })
})

describe('templates', () => {
  it('slugs titles', () => {
    expect(slug('Customer impact & scope')).toBe('customer_impact_scope')
    expect(slug('  Résumé — what happened? ')).toBe('resume_what_happened')
  })
  it('finds problems by field', () => {
    const p = templateProblems({ key: 'Bad Key', name: ' ', description: '', sections: [{ ...emptySection(), title: 'Impact' }, { ...emptySection(), title: 'impact' }, emptySection()] })
    expect(Object.keys(p).sort()).toEqual(['key', 'name', 'sections[1].key', 'sections[2].title'])
    expect(templateProblems({ key: 'x', name: 'X', description: '', sections: [] }).sections).toBeTruthy()
    expect(templateProblems({ key: 'short-rca', name: 'Short', description: '', sections: [{ ...emptySection(), title: 'Summary' }] })).toEqual({})
  })
  it('fills section keys from titles', () => {
    const d = normalizeDraft({ key: ' k ', name: ' N ', description: '', sections: [{ ...emptySection(), title: ' What happened ' }, { ...emptySection(), key: 'own', title: 'T' }] })
    expect(d.key).toBe('k')
    expect(d.sections.map((s) => s.key)).toEqual(['what_happened', 'own'])
    expect(d.sections[0].title).toBe('What happened')
  })
})

describe('audit filters in the URL', () => {
  it('round-trips and drops junk ids', () => {
    const q = new URLSearchParams('actor=ana@example.com&action=user.role&object_id=12')
    const f = auditFiltersFromQuery(q)
    expect(f).toEqual({ ...emptyAuditFilters, actor: 'ana@example.com', action: 'user.role', object_id: '12' })
    expect(auditFiltersToQuery(f)).toEqual({ actor: 'ana@example.com', action: 'user.role', object_type: null, object_id: '12', since: null })
    expect(auditFiltersFromQuery(new URLSearchParams('object_id=-3')).object_id).toBe('')
  })
})
