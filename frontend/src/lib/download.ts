/**
 * Saves data as a file download named filename: through a temporary link
 * to an object URL, revoked once the browser has had time to start the
 * download (some revoke too early if it is done at once).
 */
export function saveFile(filename: string, data: Blob) {
  const url = URL.createObjectURL(data)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
