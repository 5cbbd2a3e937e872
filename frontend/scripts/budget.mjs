// Checks the JavaScript budget of the first screen after `vite build`: the
// entry chunk, everything it imports statically, and the home page's chunk
// with its static imports must stay within 250 KB gzipped. The editor
// (CodeMirror) and other heavy pages are loaded on demand and not counted.
// Reads the build manifest, then removes it so it is not embedded.
import { readFileSync, rmSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const LIMIT = 250 * 1024
const dist = new URL('../dist/', import.meta.url)
const manifestURL = new URL('.vite/manifest.json', dist)
const manifest = JSON.parse(readFileSync(manifestURL, 'utf8'))

const seen = new Set()
const files = []
function walk(key) {
  if (seen.has(key)) return
  seen.add(key)
  const chunk = manifest[key]
  if (!chunk) throw new Error(`budget: ${key} is not in the build manifest`)
  files.push(chunk.file, ...(chunk.css ?? []))
  for (const dep of chunk.imports ?? []) walk(dep)
}
walk('index.html')
walk('src/pages/Home.svelte')

let total = 0
const rows = []
for (const f of new Set(files)) {
  const size = gzipSync(readFileSync(new URL(f, dist))).length
  total += size
  rows.push(`  ${f.padEnd(44)} ${(size / 1024).toFixed(1).padStart(7)} KB`)
}
rmSync(new URL('.vite/', dist), { recursive: true, force: true })
const kb = (n) => (n / 1024).toFixed(1) + ' KB'
if (total > LIMIT) {
  console.error(`budget: the first screen loads ${kb(total)} gzipped, over the ${kb(LIMIT)} budget:\n${rows.join('\n')}`)
  process.exit(1)
}
console.log(`budget: first screen ${kb(total)} gzipped of ${kb(LIMIT)}`)
