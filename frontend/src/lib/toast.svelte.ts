// Short-lived messages at the corner of the screen ("Saved", errors), read
// out by screen readers through an aria-live region in App.svelte.
import { ApiError } from './api'

export interface Toast {
  id: number
  kind: 'info' | 'success' | 'error'
  text: string
}

export const toasts = $state<Toast[]>([])
let next = 1

export function toast(text: string, kind: Toast['kind'] = 'info', ms = kind === 'error' ? 8000 : 3500) {
  const id = next++
  toasts.push({ id, kind, text })
  setTimeout(() => dismiss(id), ms)
}

export function dismiss(id: number) {
  const i = toasts.findIndex((t) => t.id === id)
  if (i >= 0) toasts.splice(i, 1)
}

/** Shows an error from the API (or anything thrown) as a toast. */
export function toastError(e: unknown, prefix = '') {
  const msg = e instanceof ApiError ? e.describe() : e instanceof Error ? e.message : String(e)
  toast(prefix ? `${prefix}: ${msg}` : msg, 'error')
}
