import { describe, expect, it } from 'vitest'
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
