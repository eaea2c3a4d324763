/* The report dialog: a native modal <dialog> in the widget's shadow root, in three forms:
 * a quote (the selected words in their context, with a suggestion field), the general
 * form ("write to us", a message required), and the general form with a one-line note
 * saying why a selection could not be quoted, its words already in the message. */
import { awaitKeptReport, sendReport } from './outbox.js'
import { prepareSolution } from './solver.js'
import { clip } from './quote.js'
import { element, toast, widget, widgetRoot } from './shell.js'

const CONTEXT = 32 // code points of context quote.js takes each side
const MAX_ARTICLE = 200000 // code points of article_text the API takes
const CATEGORIES = ['typo', 'fact', 'other']

// The words of a selection that cannot carry offsets, as they open the message.
const quotedWords = (words) => '“' + words + '”\n'

const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('')

function quoteFigure (quote) {
  // Cut context starts and ends on a word boundary, so it reads as text, not as fragments.
  const before = quote.start > CONTEXT ? '…' + quote.prefix.replace(/^\S*\s/, '') : quote.prefix
  const after = quote.end + CONTEXT < quote.length ? quote.suffix.replace(/\s\S*$/, '') + '…' : quote.suffix
  return element('figure', { class: 'quote' }, element('figcaption', null, widget.strings.quote),
    element('blockquote', { dir: 'auto' }, before, element('mark', null, quote.exact), after))
}

function field (id, label, control, note) {
  control.id = id
  if (note) control.setAttribute('aria-describedby', id + '-note')
  return element('div', { class: 'field' }, element('label', { for: id }, label), control,
    note && element('p', { id: id + '-note', class: 'note' }, note))
}

// The dialog's elements, not yet in the page. `request` is what opens it: {quote} for a
// quotable selection, {words, reason} for one that is not, {} for "write to us".
function buildDialog ({ quote, words, reason }) {
  const strings = widget.strings
  const general = !quote
  const controls = {
    suggestion: !general && element('textarea', { name: 'suggestion', rows: 2, maxlength: 2000 }),
    comment: element('textarea', { name: 'comment', rows: 3, maxlength: 5000, required: general }),
    email: element('input', { type: 'email', name: 'email', autocomplete: 'email', maxlength: 254 })
  }
  if (words) controls.comment.value = quotedWords(words)
  // What the dialog is about: the quote, or what to write, after why a selection is not quoted.
  const about = general
    ? [reason && element('p', { id: 'corrigo-why', class: 'why' }, strings[reason]), element('p', { class: 'lead' }, strings.leadGeneral)]
    : [quoteFigure(quote)]
  const categories = element('fieldset', null, element('legend', null, strings.category),
    ...CATEGORIES.map((category) => element('label', { class: 'choice' },
      element('input', { type: 'radio', name: 'category', value: category, checked: !general && category === 'typo' }),
      strings[category])))
  const fields = element('div', { class: 'fields' }, ...about, categories,
    controls.suggestion && field('corrigo-suggestion', strings.suggestion, controls.suggestion),
    field('corrigo-comment', general ? strings.commentRequired : strings.comment, controls.comment),
    field('corrigo-email', strings.email, controls.email, strings.emailNote))
  const status = element('p', { class: 'status', role: 'status' })
  const cancel = element('button', { type: 'button', class: 'secondary' }, strings.cancel)
  const send = element('button', { type: 'submit' }, strings.send)
  const form = element('form', { novalidate: true },
    element('h2', { id: 'corrigo-title' }, general ? strings.titleGeneral : strings.title),
    fields, status, element('div', { class: 'actions' }, cancel, send))
  const dialog = element('dialog',
    { 'aria-labelledby': 'corrigo-title', 'aria-describedby': reason && 'corrigo-why', lang: widget.language, dir: strings.dir },
    form)
  return { quote, general, controls, fields, status, cancel, send, form, dialog }
}

const say = (view, text) => { view.status.textContent = text }

function markInvalid (view, control, text) {
  control.setAttribute('aria-invalid', 'true')
  say(view, text)
  control.focus()
}

// The report has gone (or is kept): only the result and a Close button are left.
function finish (view, text) {
  say(view, text)
  view.fields.hidden = view.send.hidden = true
  view.cancel.textContent = widget.strings.close
  view.cancel.focus()
}

const valueOf = (control) => (control && control.value.trim()) || undefined

// True when the form may be sent; otherwise the first problem is shown on its field.
function validate (view) {
  const { comment, email } = view.controls
  const problem = view.general && !valueOf(comment) ? [comment, widget.strings.needComment]
    : !email.checkValidity() ? [email, widget.strings.badEmail]
        : null
  if (problem) markInvalid(view, ...problem)
  return !problem
}

// The report as the API takes it (docs/api.md, POST /api/v1/reports).
function reportBody (view) {
  const { quote, controls, form } = view
  const root = widget.articleRoot()
  const idHolder = (root && root.closest('[data-article-id]')) || document.querySelector('[data-article-id]')
  const canonical = document.querySelector('link[rel~="canonical"][href]')
  const comment = valueOf(controls.comment)
  // An article longer than the API takes cannot carry offsets; the quote goes in the comment.
  const withOffsets = quote && quote.length <= MAX_ARTICLE
  return {
    site: widget.site,
    url: location.href,
    canonical_url: canonical ? canonical.href : undefined,
    article_id: idHolder ? idHolder.getAttribute('data-article-id') : undefined,
    title: clip(document.title.trim(), 500) || undefined,
    quote: withOffsets ? { exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix, start: quote.start, end: quote.end } : undefined,
    article_text: withOffsets ? quote.text : undefined,
    suggestion: valueOf(controls.suggestion),
    comment: quote && !withOffsets ? clip(quotedWords(quote.exact) + (comment || ''), 5000) : comment,
    category: form.elements.category.value || undefined,
    email: valueOf(controls.email),
    language: widget.language,
    client_report_id: randomId()
  }
}

// The server refused the report: its message, and focus on the first field it names.
function showRefusal (view, result) {
  const named = Object.keys(result.fields).map((name) => view.form.elements[name]).find((control) => control && control.focus)
  const details = Object.entries(result.fields).map(([name, problem]) => name + ': ' + problem).join('; ')
  const message = widget.strings.rejected + ' ' + result.error + (details ? ' (' + details + ')' : '')
  if (named) markInvalid(view, named, message)
  else say(view, message)
}

async function submit (view) {
  const strings = widget.strings
  if (view.send.disabled || !validate(view)) return
  const body = reportBody(view)
  view.send.disabled = true
  say(view, strings.sending)
  const result = await sendReport(body)
  view.send.disabled = false
  const closed = !view.dialog.open // the reader closed it while the report was on its way
  if (closed) {
    toast(result.later ? strings.kept : result.ok ? strings.sent : strings.rejected + ' ' + result.error)
  } else if (result.later) {
    finish(view, strings.kept)
    awaitKeptReport(body.client_report_id, (text) => say(view, text))
  } else if (result.ok) {
    finish(view, strings.sent)
  } else {
    showRefusal(view, result)
  }
}

function listen (view, back) {
  const { form, dialog, send } = view
  view.cancel.addEventListener('click', () => dialog.close())
  form.addEventListener('input', (event) => event.target.removeAttribute('aria-invalid'))
  form.addEventListener('keydown', (event) => {
    // A dialog closed a moment ago keeps the focus until its close event: the key is not its.
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !send.hidden && dialog.open) {
      event.preventDefault()
      form.requestSubmit()
    }
  })
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    submit(view)
  })
  dialog.addEventListener('close', () => {
    dialog.remove()
    awaitKeptReport(null)
    // Back to where the reader was; a removed or unfocusable element is left alone.
    if (back && back.isConnected && back.focus) back.focus({ preventScroll: true })
    widget.done()
  })
}

// Opens the dialog for `request` (see buildDialog); focus returns to `back` when it closes.
export function openDialog (request, back) {
  const view = buildDialog(request)
  listen(view, back)
  widgetRoot().append(view.dialog)
  view.dialog.showModal()
  prepareSolution()
  const first = view.controls.suggestion || view.controls.comment
  first.focus()
  if (request.words) first.setSelectionRange(first.value.length, first.value.length)
}
