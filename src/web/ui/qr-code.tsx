/**
 * A QR code drawn as one SVG path with `qrcode-generator`: crisp at any size, dark modules on white
 * with the four-module quiet zone the spec requires, in both colour schemes.
 */
import qrcode from 'qrcode-generator'
import { useMemo } from 'preact/hooks'
import type { JSX } from 'preact'

const QUIET_ZONE = 4

/** Props of {@link QrCode}. */
export interface QrCodeProps {
  readonly text: string
  /** Accessible description, e.g. "QR code of your invite link". */
  readonly label: string
  /** Encode digits in numeric mode (denser, for safety numbers). */
  readonly numeric?: boolean
}

/** Builds the path of the dark modules, merging runs along each row. */
function buildPath (text: string, numeric: boolean): { size: number, path: string } | null {
  try {
    const qr = qrcode(0, text.length > 600 ? 'L' : 'M')
    qr.addData(text, numeric ? 'Numeric' : 'Byte')
    qr.make()
    const count = qr.getModuleCount()
    let path = ''
    for (let row = 0; row < count; row++) {
      let col = 0
      while (col < count) {
        if (!qr.isDark(row, col)) { col++; continue }
        const start = col
        while (col < count && qr.isDark(row, col)) col++
        path += `M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h-${col - start}z`
      }
    }
    return { size: count + QUIET_ZONE * 2, path }
  } catch {
    return null
  }
}

/** The QR code, or a short note when the text is too long to encode. */
export function QrCode ({ text, label, numeric = false }: QrCodeProps): JSX.Element {
  const code = useMemo(() => buildPath(text, numeric), [text, numeric])
  if (code === null) return <p class='qr-missing'>Too long for a QR code — copy the link instead.</p>
  return (
    <svg class='qr' viewBox={`0 0 ${code.size} ${code.size}`} role='img' aria-label={label} shape-rendering='crispEdges'>
      <rect width={code.size} height={code.size} fill='#fff' />
      <path d={code.path} fill='#111' />
    </svg>
  )
}
