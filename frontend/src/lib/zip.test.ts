import { describe, expect, it } from 'vitest'
import { commonRoot, crc32, isJunk, makeZip } from './zip'

const enc = new TextEncoder()

describe('zip', () => {
  it('computes CRC-32', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array())).toBe(0)
  })
  it('writes local headers, a central directory and its end', async () => {
    const z = makeZip([
      { path: 'users.json', data: enc.encode('[]'), modified: new Date(2024, 10, 20, 14, 0, 0) },
      { path: 'général/2024-11-20.json', data: enc.encode('[{"ts":"1"}]') },
    ])
    const b = new Uint8Array(await z.arrayBuffer())
    const v = new DataView(b.buffer)
    expect(v.getUint32(0, true)).toBe(0x04034b50)
    expect(v.getUint16(8, true)).toBe(0) // stored
    expect(v.getUint32(14, true)).toBe(crc32(enc.encode('[]')))
    expect(new TextDecoder().decode(b.slice(30, 40))).toBe('users.json')
    const end = b.length - 22
    expect(v.getUint32(end, true)).toBe(0x06054b50)
    expect(v.getUint16(end + 10, true)).toBe(2)
    const cdOffset = v.getUint32(end + 16, true)
    expect(v.getUint32(cdOffset, true)).toBe(0x02014b50)
    // the second entry's local header is where the central directory says
    const name2 = enc.encode('général/2024-11-20.json')
    const cd2 = cdOffset + 46 + 'users.json'.length
    expect(v.getUint32(cd2, true)).toBe(0x02014b50)
    const off2 = v.getUint32(cd2 + 42, true)
    expect(off2).toBe(30 + 10 + 2)
    expect(v.getUint16(off2 + 26, true)).toBe(name2.length)
    expect(v.getUint16(off2 + 6, true) & 0x0800).toBe(0x0800)
  })
  it('finds the folder root and junk', () => {
    expect(commonRoot(['export/users.json', 'export/general/a.json'])).toBe('export/')
    expect(commonRoot(['users.json', 'general/a.json'])).toBe('')
    expect(commonRoot(['a/x', 'b/y'])).toBe('')
    expect(isJunk('export/.DS_Store')).toBe(true)
    expect(isJunk('__MACOSX/export/users.json')).toBe(true)
    expect(isJunk('export/users.json')).toBe(false)
  })
})
