import { get, post } from './api'

export type Role = 'viewer' | 'editor' | 'admin'

export interface User {
  id: number
  email: string
  name: string
  role: Role
  groups: string[]
  disabled: boolean
  must_change_password: boolean
  has_password: boolean
  sso: boolean
  last_login_at: string | null
  created_at: string
  updated_at: string
}

interface Me {
  user: User
  via: 'session' | 'token'
  scopes?: string[]
}

/** The signed-in user (null until loaded). */
export const session = $state<{ user: User | null; loaded: boolean }>({ user: null, loaded: false })

export async function loadSession(): Promise<User> {
  const me = await get<Me>('/auth/me')
  session.user = me.user
  session.loaded = true
  return me.user
}

export const canWrite = () => session.user?.role === 'editor' || session.user?.role === 'admin'
export const isAdmin = () => session.user?.role === 'admin'

/** Removes what pages kept in this tab's sessionStorage (unsaved RCA text,
 *  drafts: every key starting with "hindsight."), so nothing of this user's
 *  stays behind for the next one to sign in on this tab. */
export function clearTabStorage() {
  try {
    const keys: string[] = []
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i)
      if (k?.startsWith('hindsight.')) keys.push(k)
    }
    for (const k of keys) sessionStorage.removeItem(k)
  } catch {
    // Storage disabled: nothing was kept.
  }
}

let signingOut = false
/** True once sign-out has started: pages must not keep anything in the tab's storage any more. */
export const isSigningOut = () => signingOut

export async function signOut() {
  signingOut = true
  try {
    await post('/auth/logout', {}, { noRedirect: true })
  } finally {
    clearTabStorage()
    location.assign('/login')
  }
}
