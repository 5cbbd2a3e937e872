import { describe, expect, it } from 'vitest'
import { decodeEntities, hasMark, plain, split } from './highlight'

describe('split', () => {
  it('splits a fragment into marked and plain parts', () => {
    expect(split('disk <mark>full</mark> on <mark>db-1</mark>')).toEqual([
      { text: 'disk ', mark: false },
      { text: 'full', mark: true },
      { text: ' on ', mark: false },
      { text: 'db-1', mark: true },
    ])
  })

  it('keeps an escaped XSS payload as literal text', () => {
    const parts = split('x &lt;img src=x onerror=alert(1)&gt; <mark>y</mark>')
    expect(parts).toEqual([
      { text: 'x <img src=x onerror=alert(1)> ', mark: false },
      { text: 'y', mark: true },
    ])
  })

  it('never treats tags other than mark as markup, even unescaped', () => {
    const parts = split('<img src=x onerror=alert(1)><mark><script>alert(1)</script></mark>')
    expect(parts).toEqual([
      { text: '<img src=x onerror=alert(1)>', mark: false },
      { text: '<script>alert(1)</script>', mark: true },
    ])
  })

  it('renders safely through the DOM as text nodes', () => {
    const el = document.createElement('p')
    for (const p of split('a &lt;img src=x onerror=alert(1)&gt; <mark>b</mark>')) {
      const node = p.mark ? document.createElement('mark') : document.createElement('span')
      node.textContent = p.text
      el.append(node)
    }
    expect(el.querySelector('img')).toBeNull()
    expect(el.querySelectorAll('mark')).toHaveLength(1)
    expect(el.textContent).toBe('a <img src=x onerror=alert(1)> b')
  })

  it('decodes entities once, not twice', () => {
    expect(plain('&amp;lt;b&amp;gt; &#39;q&#39; &#34;d&#34; &quot;e&quot;')).toBe(`&lt;b&gt; 'q' "d" "e"`)
  })

  it('does not let an escaped mark tag become a mark', () => {
    expect(split('&lt;mark&gt;no&lt;/mark&gt;')).toEqual([{ text: '<mark>no</mark>', mark: false }])
  })

  it('handles unclosed and stray tags, empty parts, case', () => {
    expect(split('a<mark>b')).toEqual([
      { text: 'a', mark: false },
      { text: 'b', mark: true },
    ])
    expect(split('a</mark>b')).toEqual([{ text: 'ab', mark: false }])
    expect(split('<MARK>x</MARK><mark></mark>')).toEqual([{ text: 'x', mark: true }])
    expect(split('')).toEqual([])
    expect(split(null)).toEqual([])
  })

  it('merges adjacent marks', () => {
    expect(split('<mark>a</mark><mark>b</mark>')).toEqual([{ text: 'ab', mark: true }])
  })
})

describe('decodeEntities', () => {
  it('decodes numeric and named entities and leaves unknown ones', () => {
    expect(decodeEntities('&#x41;&#66;&lt;&gt;&amp;&bogus;&#0;')).toBe('AB<>&&bogus;\ufffd')
  })
})

describe('hasMark', () => {
  it('tells whether anything is marked', () => {
    expect(hasMark('plain')).toBe(false)
    expect(hasMark('<mark>x</mark>')).toBe(true)
  })
})
