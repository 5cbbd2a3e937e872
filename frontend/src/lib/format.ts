// Dates, durations and numbers as people read them. Every function takes the
// time zone to show ("local", "UTC" or an IANA name).

export type Zone = string

export function zoneOption(zone: Zone): string | undefined {
  return zone === 'local' ? undefined : zone
}

/** "2026-11-24 14:05" (or with seconds) in zone. */
export function dateTime(iso: string | null | undefined, zone: Zone = 'local', seconds = false): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (isNaN(d.getTime())) return '—'
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zoneOption(zone),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: seconds ? '2-digit' : undefined,
    hourCycle: 'h23',
  }).formatToParts(d)
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${seconds ? ':' + p.second : ''}`
}

/** "14:05:09" in zone. */
export function timeOnly(iso: string | null | undefined, zone: Zone = 'local'): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zoneOption(zone),
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso))
}

/** "2026-11-24" in zone. */
export function dateOnly(iso: string | null | undefined, zone: Zone = 'local'): string {
  return dateTime(iso, zone).slice(0, 10)
}

/** Milliseconds as "2h 05m", "45s", "3d 4h". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || isNaN(ms)) return '—'
  const neg = ms < 0
  let s = Math.round(Math.abs(ms) / 1000)
  const d = Math.floor(s / 86400)
  s -= d * 86400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  let out: string
  if (d > 0) out = `${d}d ${h}h`
  else if (h > 0) out = `${h}h ${String(m).padStart(2, '0')}m`
  else if (m > 0) out = `${m}m ${String(s).padStart(2, '0')}s`
  else out = `${s}s`
  return neg ? '−' + out : out
}

/** Duration between two instants, or "—" when one is missing. */
export function between(from?: string | null, to?: string | null): string {
  if (!from || !to) return '—'
  return duration(new Date(to).getTime() - new Date(from).getTime())
}

/** "3 minutes ago", "in 2 days", for recent times. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return ''
  const diff = new Date(iso).getTime() - now
  const abs = Math.abs(diff)
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 365 * 86400e3],
    ['month', 30 * 86400e3],
    ['week', 7 * 86400e3],
    ['day', 86400e3],
    ['hour', 3600e3],
    ['minute', 60e3],
  ]
  for (const [u, size] of units) if (abs >= size) return rtf.format(Math.round(diff / size), u)
  return 'just now'
}

/** Converts an RFC 3339 instant to the value of <input type="datetime-local"> in the browser's zone. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Converts a datetime-local value (browser's zone) to RFC 3339 with its offset, or null when empty. */
export function fromLocalInput(v: string): string | null {
  if (!v) return null
  const d = new Date(v)
  if (isNaN(d.getTime())) return null
  return d.toISOString()
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`
}
