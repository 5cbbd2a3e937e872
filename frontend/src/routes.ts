// Every page of the UI. Pages are loaded on demand (one chunk each), so the
// first screen stays small and the editor and charts load only when opened.
import type { Component } from 'svelte'
import { compile } from './lib/router.svelte'

export interface RouteDef {
  pattern: string
  title: string
  load: () => Promise<{ default: Component<any> }>
  /** Role needed to see the page at all. */
  role?: 'editor' | 'admin'
}

export const routes: RouteDef[] = [
  { pattern: '/', title: 'Home', load: () => import('./pages/Home.svelte') },
  { pattern: '/incidents', title: 'Incidents', load: () => import('./pages/IncidentList.svelte') },
  { pattern: '/incidents/new', title: 'New incident', load: () => import('./pages/IncidentForm.svelte'), role: 'editor' },
  { pattern: '/incidents/:key', title: 'Incident', load: () => import('./pages/Incident.svelte') },
  { pattern: '/incidents/:key/edit', title: 'Edit incident', load: () => import('./pages/IncidentForm.svelte'), role: 'editor' },
  { pattern: '/incidents/:key/rca', title: 'RCA', load: () => import('./pages/RcaEditor.svelte') },
  { pattern: '/incidents/:key/import', title: 'Import', load: () => import('./pages/ImportWizard.svelte'), role: 'editor' },
  { pattern: '/actions', title: 'Corrective actions', load: () => import('./pages/Actions.svelte') },
  { pattern: '/recurrences', title: 'Recurrences', load: () => import('./pages/Recurrences.svelte') },
  { pattern: '/dashboard', title: 'Dashboard', load: () => import('./pages/Dashboard.svelte') },
  { pattern: '/account', title: 'Account', load: () => import('./pages/Account.svelte') },
  { pattern: '/account/tokens', title: 'API tokens', load: () => import('./pages/Tokens.svelte') },
  { pattern: '/admin/users', title: 'Users', load: () => import('./pages/admin/Users.svelte'), role: 'admin' },
  { pattern: '/admin/templates', title: 'Templates', load: () => import('./pages/admin/Templates.svelte'), role: 'admin' },
  { pattern: '/admin/integrations', title: 'Integrations', load: () => import('./pages/admin/Integrations.svelte'), role: 'admin' },
  { pattern: '/admin/status', title: 'Status page', load: () => import('./pages/admin/StatusServices.svelte'), role: 'admin' },
  { pattern: '/admin/audit', title: 'Audit log', load: () => import('./pages/admin/Audit.svelte'), role: 'admin' },
  { pattern: '/admin/reminders', title: 'Reminders & policies', load: () => import('./pages/admin/Reminders.svelte'), role: 'admin' },
]

const compiled = routes.map((r) => ({ def: r, match: compile(r.pattern) }))

/** The route for path, preferring literal segments ("/incidents/new") over parameters. */
export function resolve(path: string): { def: RouteDef; params: Record<string, string> } | null {
  for (const c of compiled) {
    const params = c.match(path)
    if (params) return { def: c.def, params }
  }
  return null
}
