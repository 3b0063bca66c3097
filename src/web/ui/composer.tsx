/**
 * The message composer: an auto-growing textarea (Enter sends, Shift+Enter breaks the line), the
 * reply/edit context bar, a counter as the length limit nears, drafts kept per conversation, and an
 * emoji picker that inserts at the caret. Files attach through the paperclip, a paste or a drop on
 * the conversation; they show as chips above the text, which becomes their caption. Text past the
 * length limit can go as a .txt file instead.
 */
import { messageSnippet } from '../../core/messenger/message-snippet.ts'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { MAX_TEXT_LENGTH } from '../../core/conversation/limits.ts'
import type { Conversation, Message } from '../client/types.ts'
import { useKith } from './context.ts'
import { errorText, formatLengthLeft } from './format.ts'
import { LazyEmojiPicker as EmojiPicker } from './lazy-emoji-picker.tsx'
import { IconCheck, IconClose, IconEdit, IconPaperclip, IconReply, IconSend, IconSmile } from './icons.tsx'
import { LazyAttachmentTray } from './lazy-files.tsx'

/** A conversation name longer than this would make the composer's placeholder wrap on a phone: it says just "Message". */
const PLACEHOLDER_NAME_MAX = 18

const MAX_HEIGHT_PX = 180

/** Focus without popping the on-screen keyboard on touch-only devices. */
function focusIfPointer (element: HTMLElement | null): void {
  if (element !== null && matchMedia('(pointer: fine)').matches) element.focus()
}

/** Props of {@link Composer}. */
export interface ComposerProps {
  readonly conversation: Conversation
  /** My most recent editable message, for ↑ in an empty composer. */
  readonly lastOwn: Message | undefined
}

/** Composer of the open conversation. */
export function Composer ({ conversation, lastOwn }: ComposerProps): JSX.Element {
  const { client, ui } = useKith()
  const id = conversation.id
  const mode = ui.composerMode.value
  const [text, setText] = useState(() => ui.drafts.get(id) ?? '')
  const textarea = useRef<HTMLTextAreaElement>(null)
  const draftBeforeEdit = useRef<string | null>(null)
  const [picking, setPicking] = useState(false)
  const composer = useRef<HTMLDivElement>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const attached = ui.attachments.value[id] ?? []
  /** Where the emoji goes: the selection when the picker opened. */
  const caret = useRef<{ start: number, end: number } | null>(null)

  // A press outside the composer closes the picker.
  useEffect(() => {
    if (!picking) return
    const close = (e: PointerEvent): void => {
      if (!(composer.current?.contains(e.target as Node) ?? false)) setPicking(false)
    }
    document.addEventListener('pointerdown', close)
    return () => { document.removeEventListener('pointerdown', close) }
  }, [picking])

  useEffect(() => focusIfPointer(textarea.current), [])

  // Editing borrows the textarea; the draft comes back when the edit ends. A layout effect, so the
  // swap is done before the next key press is handled.
  useLayoutEffect(() => {
    if (mode?.kind === 'edit') {
      if (draftBeforeEdit.current === null) draftBeforeEdit.current = text
      setText(mode.message.text)
    } else if (draftBeforeEdit.current !== null) {
      setText(draftBeforeEdit.current)
      draftBeforeEdit.current = null
    }
    if (mode !== null) textarea.current?.focus()
  }, [mode])

  useLayoutEffect(() => {
    const el = textarea.current
    if (el === null) return
    el.style.height = 'auto'
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`
  }, [text])

  const updateText = (value: string): void => {
    setText(value)
    if (mode?.kind !== 'edit') ui.drafts.set(id, value)
    if (value.length > 0) client.typed(id)
  }

  const sendAttached = async (files: readonly File[], caption: string): Promise<void> => {
    ui.detach(id)
    setText('')
    ui.drafts.delete(id)
    try {
      // Short videos get a first frame drawn here for their thumbnail (the worker cannot decode video).
      const previews = new Map<number, Blob>()
      if (files.some((f) => f.type.startsWith('video/'))) {
        const { videoFrame } = await import('./files/video-frame.ts')
        for (const [i, f] of files.entries()) {
          const frame = f.type.startsWith('video/') ? await videoFrame(f) : null
          if (frame !== null) previews.set(i, frame)
        }
      }
      await client.sendFiles(id, files, caption, previews)
    } catch (err) {
      ui.notify('error', `Couldn’t send the file: ${errorText(err)}`)
    }
  }

  /** Text past the limit goes as a .txt file (issue 21). */
  const sendAsFile = (): void => {
    const body = text.trim()
    const file = new File([body], `message-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.txt`, { type: 'text/plain' })
    void sendAttached([...attached, file], '')
  }

  const submit = async (): Promise<void> => {
    const body = text.trim()
    if (attached.length > 0 && mode?.kind !== 'edit') {
      if (body.length > MAX_TEXT_LENGTH) return
      await sendAttached(attached, body)
      return
    }
    if (body.length === 0 || body.length > MAX_TEXT_LENGTH) return
    if (mode?.kind === 'edit') {
      try {
        if (body !== mode.message.text) await client.edit(id, mode.message.id, body)
        ui.composerMode.value = null
      } catch (err) {
        ui.notify('error', `Couldn’t edit the message: ${errorText(err)}`)
      }
      return
    }
    const replyTo = mode?.kind === 'reply' ? mode.message.id : undefined
    setText('')
    ui.drafts.delete(id)
    ui.composerMode.value = null
    try {
      await client.send(id, body, replyTo)
    } catch (err) {
      ui.notify('error', `Couldn’t send: ${errorText(err)}`)
      setText((current) => current.length === 0 ? body : current)
    }
  }

  const togglePicker = (): void => {
    const el = textarea.current
    if (!picking && el !== null) caret.current = { start: el.selectionStart, end: el.selectionEnd }
    setPicking(!picking)
  }

  const insertEmoji = (emoji: string): void => {
    const at = caret.current ?? { start: text.length, end: text.length }
    const value = text.slice(0, at.start) + emoji + text.slice(at.end)
    const after = at.start + emoji.length
    caret.current = { start: after, end: after }
    updateText(value)
    setPicking(false)
    // After the render that puts the new text in, so the caret lands right after the emoji.
    requestAnimationFrame(() => {
      const el = textarea.current
      if (el === null) return
      el.focus()
      el.setSelectionRange(after, after)
    })
  }

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault()
      void submit()
    } else if (e.key === 'Escape' && mode !== null) {
      e.preventDefault()
      ui.composerMode.value = null
    } else if (e.key === 'ArrowUp' && text.length === 0 && mode === null && lastOwn !== undefined) {
      e.preventDefault()
      ui.composerMode.value = { kind: 'edit', message: lastOwn }
    }
  }

  const editing = mode?.kind === 'edit'
  const empty = text.trim().length === 0 && (attached.length === 0 || editing)
  const left = formatLengthLeft(text.trim().length, MAX_TEXT_LENGTH)
  return (
    <div class='composer' ref={composer}
      onKeyDown={(e) => { if (e.key === 'Escape' && picking) { e.preventDefault(); setPicking(false); textarea.current?.focus() } }}>
      {picking && (
        <EmojiPicker label='Insert an emoji' class='composer-emoji' onPick={insertEmoji}
          onClose={() => { setPicking(false); textarea.current?.focus() }} />
      )}
      {mode !== null && (
        <div class='composer-context' data-testid='composer-context'>
          {editing ? <IconEdit size={18} /> : <IconReply size={18} />}
          <div class='composer-context-text'>
            <p class='composer-context-title'>{editing ? 'Editing message' : `Replying to ${mode.message.own ? 'yourself' : mode.message.senderName}`}</p>
            <p class='composer-context-quote'>{editing ? mode.message.text : messageSnippet(mode.message.text, mode.message.file)}</p>
          </div>
          <button type='button' class='icon-button' aria-label={editing ? 'Cancel editing' : 'Cancel reply'}
            data-testid='composer-cancel' onClick={() => { ui.composerMode.value = null; textarea.current?.focus() }}>
            <IconClose size={18} />
          </button>
        </div>
      )}
      {attached.length > 0 && !editing && <LazyAttachmentTray files={attached} onRemove={(i) => ui.detach(id, i)} />}
      {left?.over === true && !editing && (
        <div class='composer-context composer-long' data-testid='long-text'>
          <div class='composer-context-text'>
            <p class='composer-context-title'>This is too long for one message</p>
            <p class='composer-context-quote'>Send it as a text file instead.</p>
          </div>
          <button type='button' class='button' data-testid='send-as-file' onClick={sendAsFile}>Send as .txt</button>
        </div>
      )}
      <form class='composer-row' onSubmit={(e) => { e.preventDefault(); void submit() }}>
        <input ref={fileInput} type='file' multiple hidden data-testid='attach-input' tabIndex={-1}
          onChange={(e) => {
            const input = e.currentTarget
            ui.attach(id, [...(input.files ?? [])])
            input.value = ''
            textarea.current?.focus()
          }} />
        <button type='button' class='icon-button composer-attach-button' data-testid='attach-button' aria-label='Attach files'
          title='Attach files' disabled={editing} onClick={() => fileInput.current?.click()}>
          <IconPaperclip />
        </button>
        <button type='button' class='icon-button composer-emoji-button' data-testid='emoji-button' aria-label='Emoji'
          title='Emoji' aria-expanded={picking} aria-haspopup='dialog' onClick={togglePicker}>
          <IconSmile />
        </button>
        <textarea ref={textarea} data-testid='composer' class='composer-input' rows={1} value={text} dir='auto'
          placeholder={attached.length > 0 && !editing ? 'Add a caption…' : conversation.name.length <= PLACEHOLDER_NAME_MAX ? `Message ${conversation.name}` : 'Message'} aria-label={`Message ${conversation.name}`}
          onInput={(e) => updateText(e.currentTarget.value)} onKeyDown={onKeyDown}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])]
            if (files.length === 0 || editing) return
            e.preventDefault()
            ui.attach(id, files)
          }} />
        {left !== null && (
          <span class={left.over ? 'composer-counter over' : 'composer-counter'} data-testid='composer-counter' aria-live='polite'>{left.text}</span>
        )}
        <button type='submit' class='send-button' data-testid='send' disabled={empty || left?.over === true} aria-label={editing ? 'Save edit' : 'Send'}>
          {editing ? <IconCheck /> : <IconSend />}
        </button>
      </form>
    </div>
  )
}
