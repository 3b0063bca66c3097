import { describe, expect, it } from 'vitest'
import type { Notice } from '../../../../src/web/client/types.ts'
import { MAX_TOASTS, stackToasts } from '../../../../src/web/ui/toasts.tsx'

const toast = (id: number, at: number): { notice: Notice } => ({ notice: { id, kind: 'info', text: `notice ${id}`, at } })

describe('stackToasts', () => {
  it('keeps the newest three, oldest first, and drops the rest', () => {
    const { kept, dropped } = stackToasts([toast(-1, 40), toast(1, 10), toast(2, 30), toast(3, 20)])
    expect(MAX_TOASTS).toBe(3)
    expect(kept.map((t) => t.notice.id)).toEqual([3, 2, -1])
    expect(dropped.map((t) => t.notice.id)).toEqual([1])
  })

  it('drops nothing while there is room', () => {
    expect(stackToasts([toast(1, 1)]).dropped).toEqual([])
  })
})
