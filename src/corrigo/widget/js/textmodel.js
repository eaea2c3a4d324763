/* The article text model (docs/text-model.md), the same algorithm as the server's
 * corrigo/anchoring/textmodel.py: the plain text of the article root that every quote and
 * offset refers to, built in one pass that also measures where given DOM points fall. */

// Keep these three identical to corrigo.anchoring.BLOCK_TAGS, SKIPPED_TAGS and WHITESPACE.
export const BLOCK_TAGS = new Set(('address article aside blockquote dd details dialog div dl dt fieldset ' +
  'figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section summary ' +
  'table thead tbody tfoot tr td th ul').split(' '))
export const SKIPPED_TAGS = new Set('script style noscript template textarea input select button svg iframe object canvas'.split(' '))
// Unicode White_Space exactly (not JS \s, which adds U+FEFF and lacks U+0085).
const WHITESPACE = '\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'
const REMOVED = '\xad\u200b\ufeff' // soft hyphen, zero width space, zero width no-break space

const ELEMENT_NODE = 1
const TEXT_NODE = 3
const FRAGMENT_NODE = 11
// Positions of a boundary point that is not inside a text node (see boundaryPoint).
const BEFORE_NODE = -1
const AFTER_CHILDREN = -2

// A selector the engine rejects matches nothing, as on the server.
export function firstMatch (selector) {
  try {
    return selector ? document.querySelector(selector) : null
  } catch {
    return null
  }
}

function matchesSelector (element, selector) {
  try {
    return element.matches(selector)
  } catch {
    return false
  }
}

// The root of the text model: the site's selector, then the default order.
export function defaultRoot (articleSelector) {
  return firstMatch(articleSelector) || firstMatch('[data-corrigo-article]') || firstMatch('article') ||
    firstMatch('main') || document.body
}

export function isSkipped (element, ignoreSelectors) {
  return SKIPPED_TAGS.has(element.localName) || element.hasAttribute('hidden') ||
    element.hasAttribute('data-corrigo-ignore') || element.getAttribute('aria-hidden') === 'true' ||
    ignoreSelectors.some((selector) => selector && matchesSelector(element, selector))
}

// A DOM boundary point (container, offset) as [node, position]: a position >= 0 is an index
// into a text node, BEFORE_NODE means just before node, AFTER_CHILDREN at the end of its children.
export function boundaryPoint (container, offset) {
  if (container.nodeType === TEXT_NODE) return [container, offset]
  if (container.nodeType === ELEMENT_NODE || container.nodeType === FRAGMENT_NODE) {
    return offset < container.childNodes.length ? [container.childNodes[offset], BEFORE_NODE] : [container, AFTER_CHILDREN]
  }
  return [container, BEFORE_NODE]
}

// The article text of root and, for each boundary point, its offset in that text (UTF-16
// units). A point inside whitespace or a skipped subtree maps to the end of the text before
// it, so a selection's trailing space or ad slot adds nothing.
export function articleText (root, ignoreSelectors, points = []) {
  let out = ''
  let pendingSpace = false
  let pendingBreak = false
  const offsets = points.map(() => -1)
  const breakHere = () => { pendingSpace = pendingBreak = true }
  // Index loops, not destructuring: these run for every node of the article.
  const markPoint = (node, position) => {
    for (let i = 0; i < points.length; i++) {
      if (points[i][0] === node && points[i][1] === position && offsets[i] < 0) offsets[i] = out.length
    }
  }
  const holdsPoint = (node) => {
    for (let i = 0; i < points.length; i++) if (points[i][0] === node) return true
    return false
  }
  const markPointsInside = (element) => {
    for (let i = 0; i < points.length; i++) if (offsets[i] < 0 && element.contains(points[i][0])) offsets[i] = out.length
  }

  let node = root.firstChild
  while (node) {
    markPoint(node, BEFORE_NODE)
    if (node.nodeType === TEXT_NODE) {
      const data = node.data
      const watched = holdsPoint(node)
      for (let i = 0; ; i++) {
        if (watched) markPoint(node, i)
        if (i === data.length) break
        const char = data[i]
        const code = char.charCodeAt(0)
        if (code <= 32 || code >= 127) { // printable ASCII, most of most articles, needs no lookup
          if (REMOVED.includes(char)) continue
          if (WHITESPACE.includes(char)) { pendingSpace = true; continue }
        }
        if (pendingSpace) {
          if (out) out += pendingBreak ? '\n' : ' '
          pendingSpace = pendingBreak = false
        }
        out += char
      }
    } else if (node.nodeType === ELEMENT_NODE) {
      if (isSkipped(node, ignoreSelectors)) {
        markPointsInside(node)
      } else if (node.localName === 'br') {
        breakHere()
      } else {
        if (BLOCK_TAGS.has(node.localName)) breakHere()
        if (node.firstChild) {
          node = node.firstChild
          continue
        }
        markPoint(node, AFTER_CHILDREN)
      }
    }
    // Climb out of finished elements: each end is a point, and a block's end is a break.
    while (node && !node.nextSibling) {
      node = node.parentNode
      if (node === root || !node) {
        node = null
      } else {
        markPoint(node, AFTER_CHILDREN)
        if (BLOCK_TAGS.has(node.localName)) breakHere()
      }
    }
    node = node && node.nextSibling
  }
  // NFC comes last (as on the server); offsets before it are re-measured after it.
  const text = out.normalize('NFC')
  return {
    text,
    offsets: offsets.map((offset) => {
      const end = offset < 0 ? out.length : offset
      return text === out ? end : out.slice(0, end).normalize('NFC').length
    })
  }
}
