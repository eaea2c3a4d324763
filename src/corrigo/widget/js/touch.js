/* The touch button: touch screens have no Ctrl+Enter, so a settled selection that can be
 * reported gets a 48 px button just below its end (above it when there is no room), where
 * the system's own selection menu is not. The loader decides when to ask (a settled
 * selection on the article page); this module decides whether and where to show it. */
import { element, widget, widgetRoot } from './shell.js'

const GAP = 12 // px between the button and the selection or the screen's edge

let button = null
let selected = null // the range the button reports, saved: a tap may clear the selection

function makeButton () {
  button = element('button', { type: 'button', class: 'touch-button', lang: widget.language, dir: widget.strings.dir },
    widget.strings.touchButton)
  // Keep the selection: on touch screens a tap elsewhere would clear it first.
  button.addEventListener('pointerdown', (event) => event.preventDefault())
  button.addEventListener('click', () => widget.openForRange(selected))
  addEventListener('scroll', () => { if (!button.hidden) requestAnimationFrame(place) }, { passive: true })
  widgetRoot().append(button)
}

// Next to the end of the selection, within the screen; positioned through the CSSOM,
// which a strict style-src allows.
function place () {
  const rects = selected.getClientRects()
  const last = rects[rects.length - 1] || selected.getBoundingClientRect()
  const width = button.offsetWidth
  const height = button.offsetHeight
  let top = last.bottom + GAP
  if (top + height > innerHeight) top = Math.max(GAP, (rects[0] || last).top - height - GAP)
  button.style.top = top + 'px'
  button.style.left = Math.min(Math.max(GAP, last.right - width / 2), innerWidth - width - GAP) + 'px'
}

export function showTouchButton (range) {
  selected = range
  if (!button) makeButton()
  button.hidden = false
  place()
}

export function hideTouchButton () {
  if (button) button.hidden = true
}
