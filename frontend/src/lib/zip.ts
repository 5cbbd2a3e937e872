// A small zip writer (stored, not compressed) so an unpacked export folder
// can be dropped on the import wizard: the server opens a zip as a
// folder-shaped export. No zip64: at most 65,535 files and 4 GiB.

const table = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 (IEEE) of data. */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}

export interface ZipEntry {
  /** Path inside the zip, "/"-separated, no leading slash. */
  path: string
  data: Uint8Array
  modified?: Date
}

function dosTime(d: Date): [number, number] {
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2)
  const date = (Math.max(0, d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate()
  return [time, date]
}

export const MAX_ZIP_FILES = 65535
export const MAX_ZIP_BYTES = 0xffffffff

/** Builds a stored zip of entries; throws when it would need zip64. */
export function makeZip(entries: ZipEntry[]): Blob {
  if (entries.length > MAX_ZIP_FILES) throw new Error(`Too many files (${entries.length}); zip the folder yourself and upload the zip.`)
  const enc = new TextEncoder()
  const parts: BlobPart[] = []
  const central: Uint8Array[] = []
  let offset = 0
  for (const e of entries) {
    const name = enc.encode(e.path.replace(/^\/+/, ''))
    const crc = crc32(e.data)
    const [time, date] = dosTime(e.modified ?? new Date())
    const local = new DataView(new ArrayBuffer(30))
    local.setUint32(0, 0x04034b50, true)
    local.setUint16(4, 20, true) // version needed
    local.setUint16(6, 0x0800, true) // UTF-8 names
    local.setUint16(8, 0, true) // stored
    local.setUint16(10, time, true)
    local.setUint16(12, date, true)
    local.setUint32(14, crc, true)
    local.setUint32(18, e.data.length, true)
    local.setUint32(22, e.data.length, true)
    local.setUint16(26, name.length, true)
    local.setUint16(28, 0, true)
    parts.push(local.buffer, name as BlobPart, e.data as BlobPart)

    const c = new DataView(new ArrayBuffer(46))
    c.setUint32(0, 0x02014b50, true)
    c.setUint16(4, 20, true) // made by
    c.setUint16(6, 20, true)
    c.setUint16(8, 0x0800, true)
    c.setUint16(10, 0, true)
    c.setUint16(12, time, true)
    c.setUint16(14, date, true)
    c.setUint32(16, crc, true)
    c.setUint32(20, e.data.length, true)
    c.setUint32(24, e.data.length, true)
    c.setUint16(28, name.length, true)
    c.setUint32(42, offset, true)
    const cent = new Uint8Array(46 + name.length)
    cent.set(new Uint8Array(c.buffer), 0)
    cent.set(name, 46)
    central.push(cent)

    offset += 30 + name.length + e.data.length
    if (offset > MAX_ZIP_BYTES) throw new Error('The folder is larger than 4 GiB; zip it yourself and upload the zip.')
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0)
  const end = new DataView(new ArrayBuffer(22))
  end.setUint32(0, 0x06054b50, true)
  end.setUint16(8, entries.length, true)
  end.setUint16(10, entries.length, true)
  end.setUint32(12, cdSize, true)
  end.setUint32(16, offset, true)
  return new Blob([...parts, ...(central as BlobPart[]), end.buffer], { type: 'application/zip' })
}

/** The common first folder of paths ("export/" of "export/users.json"), or "". */
export function commonRoot(paths: string[]): string {
  if (paths.length === 0) return ''
  const first = paths[0].split('/')
  if (first.length < 2) return ''
  const root = first[0] + '/'
  return paths.every((p) => p.startsWith(root)) ? root : ''
}

/** Leaves out the files a file manager adds (.DS_Store, __MACOSX, Thumbs.db). */
export function isJunk(path: string): boolean {
  return /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/i.test(path) || /(^|\/)__MACOSX\//.test(path)
}
