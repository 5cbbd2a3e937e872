// The one way the UI talks to the server: JSON over /api/v1 with the session
// cookie. Errors come back as ApiError carrying the server's error body
// ({"error": {code, message, fields, request_id}}, and `current` on a 409).

export const API = '/api/v1'

export class ApiError extends Error {
  status: number
  code: string
  fields: Record<string, string>
  requestId: string
  /** On a 409 version_conflict: the object as it is now on the server. */
  current: unknown

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}, requestId = '', current?: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.requestId = requestId
    this.current = current
  }

  /** A sentence for people: the message, then the fields that were wrong. */
  describe(): string {
    const fields = Object.entries(this.fields)
    if (fields.length === 0) return this.message
    return `${this.message}: ${fields.map(([k, v]) => `${k} ${v}`).join('; ')}`
  }
}

export interface RequestOptions {
  signal?: AbortSignal
  headers?: Record<string, string>
  /** Do not send the browser to /login on a 401 (the caller handles it). */
  noRedirect?: boolean
}

type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>

/** Builds "?a=1&b=x" from q, leaving out empty values; arrays repeat the key. */
export function qs(q?: Query): string {
  if (!q) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '' || v === false) continue
    if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)))
    else p.set(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

let onUnauthorized: () => void = () => {
  const next = location.pathname + location.search
  location.assign(`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`)
}

/** Replaces what happens on a 401 (tests). */
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn
}

/** Sends a request to the API. body: a plain object (sent as JSON), FormData, Blob or string. */
export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let payload: BodyInit | undefined
  if (body instanceof FormData || body instanceof Blob) {
    payload = body
  } else if (typeof body === 'string') {
    payload = body
    headers['Content-Type'] ??= 'text/plain; charset=utf-8'
  } else if (body !== undefined) {
    payload = JSON.stringify(body)
    headers['Content-Type'] = 'application/json'
  }
  let res: Response
  try {
    res = await fetch(API + path, { method, headers, body: payload, credentials: 'same-origin', signal: opts.signal })
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.')
  }
  if (res.status === 401 && !opts.noRedirect) {
    // Reading a page: go and sign in, then come back. A write leaves the page
    // as it is, so nothing typed is lost; the caller shows the message.
    if (method === 'GET') onUnauthorized()
    else throw new ApiError(401, 'unauthenticated', 'Your session has ended. Sign in again in another tab, then save again — your changes are still on this page.')
  }
  if (res.status === 403 && method === 'GET' && !opts.noRedirect && res.headers.get('Content-Type')?.includes('json')) {
    // A session that must first replace its one-time password: the sign-in
    // page asks for the new one, then comes back.
    const data = await res.clone().json().catch(() => null)
    if (data?.error?.code === 'password_change_required') onUnauthorized()
  }
  if (res.status === 204) return undefined as T
  const type = res.headers.get('Content-Type') ?? ''
  if (!res.ok) {
    if (type.includes('json')) {
      const data = await res.json().catch(() => null)
      const e = data?.error
      if (e) throw new ApiError(res.status, e.code ?? 'error', e.message ?? res.statusText, e.fields ?? {}, e.request_id ?? '', data.current ?? e.current)
    }
    throw new ApiError(res.status, 'http_' + res.status, `${res.status} ${res.statusText}`.trim())
  }
  if (type.includes('json')) return (await res.json()) as T
  return (await res.text()) as T
}

export const get = <T>(path: string, q?: Query, opts?: RequestOptions) => request<T>('GET', path + qs(q), undefined, opts)
export const post = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts)
export const put = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body ?? {}, opts)
export const patch = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body ?? {}, opts)
export const del = <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts)

/** A list answer of the API: items plus a cursor for the next page. */
export interface Page<T> {
  items: T[]
  next_cursor?: string | null
  total?: number
}
