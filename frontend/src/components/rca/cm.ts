// CodeMirror 6 for the RCA editor. This module is only ever loaded with a
// dynamic import(), so CodeMirror is a chunk of its own that the first
// screen never downloads.
import { EditorView, keymap, placeholder as placeholderExt, Decoration, type DecorationSet } from '@codemirror/view'
import { EditorSelection, EditorState, StateEffect, StateField, Compartment, Transaction, type Extension } from '@codemirror/state'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { markdown } from '@codemirror/lang-markdown'
import { syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language'

export interface Mark {
  from: number
  to: number
  title: string
}

const setMarks = StateEffect.define<Mark[]>()

const marksField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes)
    for (const e of tr.effects) {
      if (e.is(setMarks)) {
        const len = tr.state.doc.length
        const ranges = e.value
          .filter((m) => m.from < m.to && m.to <= len)
          .sort((a, b) => a.from - b.from)
          .map((m) => Decoration.mark({ class: 'cm-blame', attributes: { title: m.title } }).range(m.from, m.to))
        deco = Decoration.set(ranges, true)
      }
    }
    return deco
  },
  provide: (f) => EditorView.decorations.from(f),
})

const theme = EditorView.theme({
  '&': { fontSize: '0.92rem', border: '1px solid var(--border-strong)', borderRadius: '6px', background: 'var(--surface)' },
  '&.cm-focused': { outline: 'none', boxShadow: 'var(--focus)', borderColor: 'var(--accent)' },
  '.cm-content': { fontFamily: 'var(--mono)', padding: '8px 0', minHeight: '8rem', caretColor: 'var(--text)' },
  '.cm-line': { padding: '0 10px' },
  '.cm-scroller': { maxHeight: '32rem', overflow: 'auto', lineHeight: '1.5' },
  '.cm-blame': { textDecoration: 'underline wavy var(--warn)', textUnderlineOffset: '3px', background: 'var(--warn-soft)' },
  '.cm-placeholder': { color: 'var(--muted)' },
})

/**
 * Keeps a blurred editor from taking the focus back. A cursor where a
 * wrapped line breaks remembers which side of the break it is on (its
 * assoc), and CodeMirror puts such a cursor back in the page's selection a
 * frame after any focus change, the editor's own blur included. Putting the
 * selection into an editor moves the browser's focus there: a click (or
 * Tab) into the next section was undone a moment later and what the user
 * typed next went into this one. So on blur the cursor forgets its side;
 * CodeMirror then has nothing to put back.
 */
export const releaseFocusOnBlur: Extension = EditorView.domEventHandlers({
  blur(_e, view) {
    // After the event: the blur may come in the middle of an update (the
    // focused node redrawn), when dispatching is not allowed.
    queueMicrotask(() => {
      const main = view.state.selection.main
      if (view.hasFocus || !main.empty || !main.assoc) return
      // Not a step of the selection history (Mod-u) either.
      view.dispatch({
        selection: view.state.selection.replaceRange(EditorSelection.cursor(main.head)),
        annotations: Transaction.addToHistory.of(false),
      })
    })
    return false
  },
})

export interface EditorOptions {
  doc: string
  label: string
  readOnly: boolean
  placeholder?: string
  onChange: (text: string) => void
  onBlur?: () => void
}

export interface Editor {
  view: EditorView
  setText(text: string): void
  setReadOnly(ro: boolean): void
  setMarks(marks: Mark[]): void
  focus(): void
  destroy(): void
}

export function createEditor(parent: HTMLElement, o: EditorOptions): Editor {
  const ro = new Compartment()
  const readOnly = (v: boolean): Extension => [EditorState.readOnly.of(v), EditorView.editable.of(!v)]
  let applying = false
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: o.doc,
      extensions: [
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        markdown(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        EditorView.lineWrapping,
        placeholderExt(o.placeholder ?? ''),
        EditorView.contentAttributes.of({ 'aria-label': o.label, 'aria-multiline': 'true', 'data-test': 'section-input' }),
        ro.of(readOnly(o.readOnly)),
        releaseFocusOnBlur,
        marksField,
        theme,
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !applying) o.onChange(u.state.doc.toString())
        }),
        EditorView.domEventHandlers({
          blur: () => {
            o.onBlur?.()
            return false
          },
        }),
      ],
    }),
  })
  return {
    view,
    setText(text) {
      const cur = view.state.doc.toString()
      if (cur === text) return
      // Replace only the part that differs, so the cursor stays where it was.
      let start = 0
      while (start < cur.length && start < text.length && cur[start] === text[start]) start++
      let endCur = cur.length
      let endNew = text.length
      while (endCur > start && endNew > start && cur[endCur - 1] === text[endNew - 1]) {
        endCur--
        endNew--
      }
      applying = true
      try {
        view.dispatch({ changes: { from: start, to: endCur, insert: text.slice(start, endNew) } })
      } finally {
        applying = false
      }
    },
    setReadOnly(v) {
      view.dispatch({ effects: ro.reconfigure(readOnly(v)) })
    },
    setMarks(marks) {
      view.dispatch({ effects: setMarks.of(marks) })
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  }
}

/**
 * A merge view: theirs (read-only) against the merged text (editable). Side
 * by side on wide screens; on phones one editor with their removed lines
 * shown inline (CodeMirror's unified merge view).
 */
export async function createMergeView(
  parent: HTMLElement,
  o: { theirs: string; mine: string; onChange: (text: string) => void },
): Promise<{ setMerged(text: string): void; destroy(): void }> {
  const { MergeView, unifiedMergeView } = await import('@codemirror/merge')
  const common = [EditorView.lineWrapping, markdown(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), theme]
  let applying = false
  const editable = [
    ...common,
    releaseFocusOnBlur,
    history(),
    keymap.of([...defaultKeymap, ...historyKeymap]),
    EditorView.contentAttributes.of({ 'aria-label': 'Merged text (editable)', 'data-test': 'merge-input' }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged && !applying) o.onChange(u.state.doc.toString())
    }),
  ]
  const replaceAll = (v: EditorView, text: string) => {
    applying = true
    try {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } })
    } finally {
      applying = false
    }
  }
  if (window.matchMedia('(max-width: 700px)').matches) {
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc: o.mine,
        extensions: [...editable, unifiedMergeView({ original: o.theirs, highlightChanges: true, gutter: true, mergeControls: false })],
      }),
    })
    return { setMerged: (t) => replaceAll(view, t), destroy: () => view.destroy() }
  }
  const mv = new MergeView({
    parent,
    a: {
      doc: o.theirs,
      extensions: [...common, EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.contentAttributes.of({ 'aria-label': 'Their text (read-only)' })],
    },
    b: { doc: o.mine, extensions: editable },
    highlightChanges: true,
    gutter: true,
    collapseUnchanged: { margin: 3, minSize: 6 },
  })
  return { setMerged: (t) => replaceAll(mv.b, t), destroy: () => mv.destroy() }
}
