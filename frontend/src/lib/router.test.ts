import { describe, expect, it, vi } from 'vitest'
import { compile } from './router.svelte'
import { resolve } from '../routes'

describe('router', () => {
  it('matches patterns and decodes parameters', () => {
    const m = compile('/incidents/:key/rca')
    expect(m('/incidents/INC-4/rca')).toEqual({ key: 'INC-4' })
    expect(m('/incidents/INC-4/rca/')).toEqual({ key: 'INC-4' })
    expect(m('/incidents/INC%204/rca')).toEqual({ key: 'INC 4' })
    expect(m('/incidents/INC-4')).toBeNull()
  })
  it('prefers literal pages over parameters', () => {
    expect(resolve('/incidents/new')?.def.title).toBe('New incident')
    expect(resolve('/incidents/INC-9')?.params).toEqual({ key: 'INC-9' })
    expect(resolve('/nowhere')).toBeNull()
  })
})

describe('leave guards', () => {
  it('ask before leaving a page with unsaved changes, and only then', async () => {
    const { guardLeave, mayLeave, navigate, interceptLinks } = await import('./router.svelte')
    const stop = interceptLinks(document)
    history.replaceState(null, '', '/incidents/new')
    navigate('/incidents/new')
    let dirty = true
    const unguard = guardLeave(() => (dirty ? 'Leave?' : null))
    const asked: string[] = []
    expect(mayLeave((q) => (asked.push(q), false))).toBe(false)
    expect(asked).toEqual(['Leave?'])

    // navigate() asks the user (confirm) and stays when refused
    const confirmSpy = vi.spyOn(window, 'confirm').mockReturnValue(false)
    navigate('/incidents')
    expect(location.pathname).toBe('/incidents/new')
    // a query change on the same page is not leaving it
    navigate('/incidents/new?x=1')
    expect(location.search).toBe('?x=1')
    confirmSpy.mockReturnValue(true)
    navigate('/incidents')
    expect(location.pathname).toBe('/incidents')
    expect(confirmSpy).toHaveBeenCalledTimes(2)

    // nothing to lose: no question
    dirty = false
    confirmSpy.mockClear()
    navigate('/actions')
    expect(location.pathname).toBe('/actions')
    expect(confirmSpy).not.toHaveBeenCalled()
    unguard()
    dirty = true
    navigate('/incidents')
    expect(confirmSpy).not.toHaveBeenCalled()
    confirmSpy.mockRestore()
    stop()
  })

  it('puts the address back when Back is refused', async () => {
    const { guardLeave, navigate, interceptLinks, route } = await import('./router.svelte')
    const stop = interceptLinks(document)
    navigate('/incidents/INC-1/edit')
    const unguard = guardLeave(() => 'Leave?')
    const confirmSpy = vi.spyOn(window, 'confirm').mockReturnValue(false)
    history.replaceState(null, '', '/incidents') // what the browser did on Back
    dispatchEvent(new PopStateEvent('popstate'))
    expect(location.pathname).toBe('/incidents/INC-1/edit')
    expect(route.path).toBe('/incidents/INC-1/edit')
    confirmSpy.mockRestore()
    unguard()
    stop()
  })
})
