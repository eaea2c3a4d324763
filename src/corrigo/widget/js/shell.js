/* What every part of the lazy widget shares: the settings the loader hands over, the shadow
 * root all of the widget's UI lives in, a small element builder, and the notice shown
 * outside the dialog. Elements are built with DOM calls and textContent only: reader and
 * server text is never parsed as HTML, and nothing carries inline styles or handlers. */

// Filled once by ui.js's start() from the loader: {site, articleSelector, ignoreSelectors,
// base, endpoint, language, strings, css, openForRange(range), done()}.
export const widget = {}

let shadowRoot = null

// The open shadow root on <corrigo-widget>, made and styled on first need.
export function widgetRoot () {
  if (shadowRoot) return shadowRoot
  const host = document.createElement('corrigo-widget')
  shadowRoot = host.attachShadow({ mode: 'open' })
  try {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(widget.css)
    shadowRoot.adoptedStyleSheets = [sheet]
  } catch { // no constructable stylesheets: a <link>, which needs our origin in style-src
    shadowRoot.append(element('link', { rel: 'stylesheet', href: widget.base + 'widget/widget.css' }))
  }
  document.documentElement.append(host) // outside <body>: never part of the article, safe from SPA re-renders
  return shadowRoot
}

// element('p', {class: 'note'}, 'text', child): attributes with a null or false value are left out.
export function element (tag, attributes, ...children) {
  const made = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value != null && value !== false) made.setAttribute(name, value === true ? '' : value)
  }
  made.append(...children.filter((child) => child != null && child !== false))
  return made
}

// A notice in the corner of the page, for news that arrives when no dialog shows it.
export function toast (text) {
  const root = widgetRoot()
  let box = root.querySelector('.toast')
  if (!box) {
    // Always rendered (an empty one has no size), so screen readers announce each change.
    box = element('p', { class: 'toast', role: 'status', dir: widget.strings.dir, lang: widget.language })
    box.addEventListener('click', () => { box.textContent = '' })
    root.append(box)
  }
  requestAnimationFrame(() => { box.textContent = text })
}
