// Search highlights arrive as HTML-escaped text with the matched words in
// <mark>…</mark>. They are never given to {@html}: split() turns a fragment
// into plain-text parts (entities decoded once) flagged as marked or not,
// and the page renders each part as text, wrapping the marked ones in a
// <mark> element. Anything else that looks like a tag stays literal text.

export interface Part {
  text: string
  mark: boolean
}

const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

/** Decodes the entities an HTML escaper writes (&amp; &lt; &gt; &quot; &#39; &#34; &#x27;), in one pass. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (m, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd'
      return String.fromCodePoint(code)
    }
    const v = named[body.toLowerCase()]
    return v ?? m
  })
}

/**
 * Splits a highlighted fragment into parts. Only the exact tags <mark> and
 * </mark> have meaning; an unclosed <mark> marks up to the end, a stray
 * </mark> is dropped. Adjacent parts of the same kind are merged and empty
 * parts are left out.
 */
export function split(fragment: string | null | undefined): Part[] {
  if (!fragment) return []
  const out: Part[] = []
  let marked = false
  const push = (raw: string) => {
    if (!raw) return
    const text = decodeEntities(raw)
    const last = out[out.length - 1]
    if (last && last.mark === marked) last.text += text
    else out.push({ text, mark: marked })
  }
  const re = /<(\/?)mark>/gi
  let at = 0
  for (let m = re.exec(fragment); m; m = re.exec(fragment)) {
    push(fragment.slice(at, m.index))
    marked = m[1] !== '/'
    at = m.index + m[0].length
  }
  push(fragment.slice(at))
  return out
}

/** The fragment as plain text (marks removed, entities decoded), e.g. for a title attribute. */
export function plain(fragment: string | null | undefined): string {
  return split(fragment)
    .map((p) => p.text)
    .join('')
}

/** Whether a fragment marks anything. */
export function hasMark(fragment: string | null | undefined): boolean {
  return split(fragment).some((p) => p.mark)
}
