// A small history router: routes are patterns like "/incidents/:key"; pages
// receive the matched params. Links are plain <a href> (intercepted by
// `interceptLinks`), so they work with the keyboard, middle-click and
// "open in new tab".

export interface Match {
  path: string
  params: Record<string, string>
  query: URLSearchParams
}

export const route = $state<Match>({ path: '/', params: {}, query: new URLSearchParams() })

/** Compiles "/incidents/:key/rca" to a matcher. */
export function compile(pattern: string): (path: string) => Record<string, string> | null {
  const names: string[] = []
  const re = new RegExp(
    '^' +
      pattern.replace(/\/+$/, '').replace(/:([a-z_]+)|[.*+?^${}()|[\]\\]/gi, (m, name) => {
        if (name) {
          names.push(name)
          return '([^/]+)'
        }
        return '\\' + m
      }) +
      '/?$',
  )
  return (path: string) => {
    const m = re.exec(path)
    if (!m) return null
    const params: Record<string, string> = {}
    names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])))
    return params
  }
}

const listeners = new Set<() => void>()

/**
 * A page with unsaved changes registers a guard: it returns the question to
 * ask before the app leaves the page (or null when there is nothing to
 * lose). Links, navigate() and Back/Forward all ask; closing the tab is the
 * page's own beforeunload.
 */
export type LeaveGuard = () => string | null
const guards = new Set<LeaveGuard>()

export function guardLeave(fn: LeaveGuard): () => void {
  guards.add(fn)
  return () => guards.delete(fn)
}

/** Whether every guard lets the app leave the current page (asking the user). */
export function mayLeave(ask: (question: string) => boolean = (q) => confirm(q)): boolean {
  for (const g of guards) {
    const question = g()
    if (question && !ask(question)) return false
  }
  return true
}

// The address the app shows, to go back to when Back/Forward is refused.
let shown = ''

function sync() {
  route.path = location.pathname
  route.query = new URLSearchParams(location.search)
  shown = location.pathname + location.search + location.hash
  listeners.forEach((fn) => fn())
}

function onPopState() {
  if (location.pathname !== route.path && !mayLeave()) {
    // The browser has moved already: put the page's address back.
    history.pushState(null, '', shown)
    return
  }
  sync()
}

/** Goes to href inside the app (pushes history unless replace). */
export function navigate(href: string, opts: { replace?: boolean } = {}) {
  const url = new URL(href, location.href)
  if (url.origin !== location.origin) {
    location.assign(url.href) // the page's beforeunload asks
    return
  }
  // Another query on the same path keeps the page (App keys pages on the path).
  if (url.pathname !== location.pathname && !mayLeave()) return
  if (opts.replace) history.replaceState(null, '', url.pathname + url.search + url.hash)
  else history.pushState(null, '', url.pathname + url.search + url.hash)
  sync()
  if (!url.hash && !opts.replace) window.scrollTo(0, 0)
}

/** Sets query parameters on the current page without a new history entry. */
export function setQuery(values: Record<string, string | undefined | null>) {
  const q = new URLSearchParams(location.search)
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null || v === '') q.delete(k)
    else q.set(k, v)
  }
  const s = q.toString()
  history.replaceState(null, '', location.pathname + (s ? '?' + s : '') + location.hash)
  route.query = q
}

/** Server-rendered paths the router must leave to the browser. */
const serverPaths = ['/login', '/logout', '/api/', '/status']

export function interceptLinks(root: HTMLElement | Document = document) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = (e.target as Element | null)?.closest?.('a')
    if (!a || a.target || a.hasAttribute('download') || a.getAttribute('rel') === 'external') return
    const url = new URL(a.href, location.href)
    if (url.origin !== location.origin) return
    if (serverPaths.some((p) => url.pathname === p || url.pathname.startsWith(p.endsWith('/') ? p : p + '/'))) return
    e.preventDefault()
    navigate(url.pathname + url.search + url.hash)
  }
  root.addEventListener('click', onClick as EventListener)
  addEventListener('popstate', onPopState)
  sync()
  return () => {
    root.removeEventListener('click', onClick as EventListener)
    removeEventListener('popstate', onPopState)
  }
}

export function onNavigate(fn: () => void) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}
