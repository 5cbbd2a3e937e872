import { afterEach, describe, expect, it, vi } from 'vitest'
import { saveFile } from './download'

describe('saveFile', () => {
  const u = URL as unknown as { createObjectURL: (b: Blob) => string; revokeObjectURL: (s: string) => void }
  const orig = { create: u.createObjectURL, revoke: u.revokeObjectURL }
  afterEach(() => {
    u.createObjectURL = orig.create
    u.revokeObjectURL = orig.revoke
    vi.useRealTimers()
  })
  it('clicks a link to the data named filename, then revokes it later', async () => {
    vi.useFakeTimers()
    const made: Blob[] = []
    const revoked: string[] = []
    u.createObjectURL = (b: Blob) => (made.push(b), 'blob:test')
    u.revokeObjectURL = (s: string) => void revoked.push(s)
    const clicked: { href: string; download: string }[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.getAttribute('href') ?? '', download: this.download })
    })
    const data = new Blob(['a,b\n'], { type: 'text/csv' })
    saveFile('x.csv', data)
    expect(made).toEqual([data])
    expect(clicked).toEqual([{ href: 'blob:test', download: 'x.csv' }])
    expect(document.querySelector('a[download]')).toBeNull() // the link is gone
    expect(revoked).toEqual([]) // not at once: the download may not have started
    vi.advanceTimersByTime(10_000)
    expect(revoked).toEqual(['blob:test'])
    click.mockRestore()
  })
})
