/* From a reader's selection to what the report carries: the TextQuote in the article text
 * (docs/text-model.md, "Offsets"), or, for a selection that makes none, why not and the
 * selected words, which then go into the reader's message. */
import { articleText, boundaryPoint } from './textmodel.js'

const CONTEXT = 32 // code points of prefix and of suffix
const MAX_EXACT = 1000 // code points of exact the API takes
const MAX_WORDS = 1000 // UTF-16 units of an unquotable selection kept for the message

// Code points: UTF-16 units less one per surrogate pair (a lone surrogate counts one, as in Python).
export const codePoints = (string) => string.length - (string.match(/[\ud800-\udbff][\udc00-\udfff]/g) || []).length

// At most `units` UTF-16 units, never ending in half a surrogate pair (the API refuses those).
export function clip (string, units) {
  const cut = string.slice(0, units)
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut
}

const inOtherTree = (range, root) => range.commonAncestorContainer.getRootNode() !== root.getRootNode()

// The range cut to what lies inside root; collapsed when nothing does.
function clipToRoot (range, root) {
  const clipped = range.cloneRange()
  const whole = document.createRange()
  whole.selectNodeContents(root)
  if (clipped.compareBoundaryPoints(Range.START_TO_START, whole) < 0) clipped.setStart(root, 0)
  // A range wholly before or after root collapses here (a start set after its end moves the end).
  if (clipped.compareBoundaryPoints(Range.END_TO_END, whole) > 0) clipped.setEnd(root, root.childNodes.length)
  return clipped
}

// The TextQuote of a range, clipped to root: {text, length, exact, prefix, suffix, start,
// end}, offsets in code points; null when the range holds no article text.
export function quoteOfRange (range, root, ignoreSelectors) {
  // Text in a shadow tree (a page's own components) is not article text.
  if (inOtherTree(range, root)) return null
  const clipped = clipToRoot(range, root)
  if (clipped.collapsed) return null
  const points = [boundaryPoint(clipped.startContainer, clipped.startOffset), boundaryPoint(clipped.endContainer, clipped.endOffset)]
  const { text, offsets: [startUnit, endUnit] } = articleText(root, ignoreSelectors, points)
  const isBlank = (i) => text[i] === ' ' || text[i] === '\n'
  const isLowSurrogateAfterHigh = (i) => /[\udc00-\udfff]/.test(text[i] || '') && /[\ud800-\udbff]/.test(text[i - 1] || '')
  // Never split a surrogate pair; leave out the spaces and breaks double- and triple-clicks take.
  let start = startUnit - isLowSurrogateAfterHigh(startUnit)
  let end = endUnit + isLowSurrogateAfterHigh(endUnit)
  while (start < end && isBlank(start)) start++
  while (end > start && isBlank(end - 1)) end--
  if (start >= end) return null
  // 2 * MAX_EXACT units always hold MAX_EXACT code points.
  if (codePoints(text.slice(start, end)) > MAX_EXACT) {
    end = start + Array.from(text.slice(start, start + 2 * MAX_EXACT)).slice(0, MAX_EXACT).join('').length
    while (isBlank(end - 1)) end--
  }
  const exact = text.slice(start, end)
  const startPoint = codePoints(text.slice(0, start))
  // Context from twice as many units as it needs (a pair cut at the far end drops off).
  return {
    text,
    length: codePoints(text),
    exact,
    prefix: Array.from(text.slice(Math.max(0, start - 2 * CONTEXT), start)).slice(-CONTEXT).join(''),
    suffix: Array.from(text.slice(end, end + 2 * CONTEXT)).slice(0, CONTEXT).join(''),
    start: startPoint,
    end: startPoint + codePoints(exact)
  }
}

// Why a selection makes no quote, as the key of its one-line explanation: in the headline
// (outside the root), elsewhere outside the root, or in a part the text model leaves out.
export function unquotableReason (range, root) {
  let node = range.commonAncestorContainer
  while (node.getRootNode() instanceof ShadowRoot) node = node.getRootNode().host // out of a page's component
  const reachesRoot = root && (inOtherTree(range, root) ? root.contains(node) : !clipToRoot(range, root).collapsed)
  if (reachesRoot) return 'whyIgnored'
  const element = node.nodeType === 1 ? node : node.parentElement
  return element && element.closest('h1, [itemprop~=headline]') ? 'whyHeadline' : 'whyOutside'
}

// The words of a selection as the reader sees them, for the message.
export const selectedWords = (range) => clip(range.toString().replace(/\s+/g, ' ').trim(), MAX_WORDS)
