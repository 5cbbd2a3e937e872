import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, qs, request, setUnauthorizedHandler } from './api'

afterEach(() => vi.unstubAllGlobals())

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

describe('api', () => {
  it('builds query strings without empty values', () => {
    expect(qs({ q: 'bgp leak', limit: 5, empty: '', no: false, tag: ['a', 'b'] })).toBe('?q=bgp+leak&limit=5&tag=a&tag=b')
    expect(qs({})).toBe('')
  })
  it('sends JSON and reads JSON', async () => {
    const f = answer(200, { ok: 1 })
    vi.stubGlobal('fetch', f)
    expect(await request('POST', '/x', { a: 1 })).toEqual({ ok: 1 })
    const [url, init] = f.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/x')
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"a":1}')
  })
  it('turns error bodies into ApiError with fields and the current object on a conflict', async () => {
    vi.stubGlobal('fetch', answer(409, { error: { code: 'version_conflict', message: 'changed', fields: { version: 'stale' }, request_id: 'r1' }, current: { version: 3 } }))
    const e = (await request('PUT', '/x', {}).catch((x) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(409)
    expect(e.code).toBe('version_conflict')
    expect(e.current).toEqual({ version: 3 })
    expect(e.describe()).toBe('changed: version stale')
  })
  it('sends the browser to sign in on a 401', async () => {
    const h = vi.fn()
    setUnauthorizedHandler(h)
    vi.stubGlobal('fetch', answer(401, { error: { code: 'unauthenticated', message: 'sign in' } }))
    await expect(request('GET', '/x')).rejects.toBeInstanceOf(ApiError)
    expect(h).toHaveBeenCalledOnce()
  })
  it('sends a session that must change its one-time password to the sign-in page', async () => {
    const h = vi.fn()
    setUnauthorizedHandler(h)
    vi.stubGlobal('fetch', answer(403, { error: { code: 'password_change_required', message: 'change it first' } }))
    await expect(request('GET', '/x')).rejects.toBeInstanceOf(ApiError)
    expect(h).toHaveBeenCalledOnce()
    vi.stubGlobal('fetch', answer(403, { error: { code: 'forbidden', message: 'no' } }))
    await expect(request('GET', '/x')).rejects.toBeInstanceOf(ApiError)
    expect(h).toHaveBeenCalledOnce()
  })
  it('keeps the page on a 401 to a write, so typed text is not lost', async () => {
    const h = vi.fn()
    setUnauthorizedHandler(h)
    vi.stubGlobal('fetch', answer(401, { error: { code: 'unauthenticated', message: 'sign in' } }))
    const e = (await request('PATCH', '/x', { a: 1 }).catch((x) => x)) as ApiError
    expect(e.status).toBe(401)
    expect(e.message).toMatch(/Sign in again in another tab/)
    expect(h).not.toHaveBeenCalled()
  })
})
