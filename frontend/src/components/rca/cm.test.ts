import { afterEach, describe, expect, it } from 'vitest'
import { EditorSelection } from '@codemirror/state'
import { createEditor, type Editor } from './cm'

describe('an editor losing the focus', () => {
  let ed: Editor | null = null
  afterEach(() => {
    ed?.destroy()
    ed = null
    document.body.innerHTML = ''
  })

  function editor(): Editor {
    const host = document.createElement('div')
    document.body.append(host)
    ed = createEditor(host, { doc: 'The requests carry the trace id 4bf92f3577b34da6', label: 'Root causes', readOnly: false, onChange: () => {} })
    return ed
  }
  const blur = async (e: Editor) => {
    e.view.contentDOM.dispatchEvent(new FocusEvent('blur'))
    await Promise.resolve()
  }

  it('lets its cursor forget the side of a line wrap (or CodeMirror puts it back and takes the focus)', async () => {
    const e = editor()
    e.view.dispatch({ selection: EditorSelection.create([EditorSelection.cursor(32, -1)]) })
    expect(e.view.state.selection.main.assoc).toBe(-1)
    await blur(e)
    expect(e.view.state.selection.main.head).toBe(32)
    expect(e.view.state.selection.main.assoc).toBe(0)
  })

  it('keeps a selected range as it was', async () => {
    const e = editor()
    e.view.dispatch({ selection: EditorSelection.create([EditorSelection.range(4, 12)]) })
    const before = e.view.state.selection
    await blur(e)
    expect(e.view.state.selection.eq(before)).toBe(true)
  })
})
