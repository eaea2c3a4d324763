/* Corrigo reader widget, the part loaded on first use: the text model, the quote, the
 * dialog, delivery and the touch button. The loader (widget.js) imports it (an ES module:
 * no global, no <script> element) together with the styles and one language's strings,
 * calls start() once, then the functions below. A new capability that waits for a
 * reader's action goes here, as a module of its own; the loader stays as small as it is. */
import { openDialog } from './dialog.js'
import { resumeKept } from './outbox.js'
import { quoteOfRange, selectedWords, unquotableReason } from './quote.js'
import { widget } from './shell.js'
import { articleText, defaultRoot, firstMatch } from './textmodel.js'
import { hideTouchButton, showTouchButton } from './touch.js'

const selectorList = (selectors) => (Array.isArray(selectors) ? selectors : [selectors]).filter(Boolean)

// The loader's settings: {site, articleSelector, ignoreSelectors, base, language, strings,
// css, openForRange(range): the loader's way in (it keeps the dialog's one-at-a-time
// rule), done(): the dialog has closed}.
export function start (settings) {
  Object.assign(widget, settings, {
    endpoint: settings.base + 'api/v1/reports',
    ignoreSelectors: selectorList(settings.ignoreSelectors),
    // The configured root only: a page without it (a section front using the article
    // template) has none, and the loader leaves its selections alone.
    articleRoot: () => settings.articleSelector ? firstMatch(settings.articleSelector) : defaultRoot()
  })
}

const quoteIn = (range, root) => root && quoteOfRange(range, root, widget.ignoreSelectors)

// Ctrl+Enter or the touch button: the dialog for the quote, or, for a selection that makes
// none, the general form saying why, with the selected words in the message (the plain
// general form if the page took the words away while the lazy part was loading).
export function reportRange (range, back) {
  hideTouchButton()
  const root = widget.articleRoot()
  const quoted = quoteIn(range, root)
  const words = !quoted && selectedWords(range)
  openDialog(quoted ? { quote: quoted } : words ? { words, reason: unquotableReason(range, root) } : {}, back)
}

// "Write to us": the general form.
export function writeToUs (back) {
  hideTouchButton()
  openDialog({}, back)
}

// A settled selection on a touch screen: the button for a quotable one, or one in the
// headline outside the root (the reader is then told why it is not quoted).
export function touchSelection (range) {
  const root = widget.articleRoot()
  if (quoteIn(range, root) || unquotableReason(range, root) === 'whyHeadline') showTouchButton(range)
  else hideTouchButton()
}

export { hideTouchButton, resumeKept }

// Hooks for tests and integrators (Corrigo._textModel and Corrigo._quote).
export function textModel (articleSelector, ignoreSelectors) {
  const root = defaultRoot(articleSelector)
  return root ? articleText(root, selectorList(ignoreSelectors)).text : ''
}

export function quote (range, articleSelector, ignoreSelectors) {
  const root = defaultRoot(articleSelector)
  return root && quoteOfRange(range, root, selectorList(ignoreSelectors))
}
