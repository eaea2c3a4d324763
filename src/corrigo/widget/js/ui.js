/* Corrigo reader widget: the dialog and the delivery of reports (DESIGN.md "Report API v1").
 * widget.js imports this module on first use, so it costs nothing on page view and adds no
 * globals. Everything is built with DOM calls and textContent (reader and server text is
 * never parsed as HTML) and carries no inline styles or handlers, so a strict CSP holds.
 *
 * Delivery: a report goes into the outbox (memory and sessionStorage) before it is sent
 * and leaves it only when the server has answered for good (2xx, or a 4xx that a retry
 * cannot fix). Network errors, 5xx and 429 keep it, and it is retried with the same
 * client_report_id, so the server stores it once however many tries it takes. */

const D = document
const KEY = 'corrigo-outbox:'
const DELAYS = [3, 10, 30, 60] // seconds between retries; the last one repeats
const outbox = new Map() // client_report_id -> {endpoint, body}
let ctx, timer, tries = 0, flushing = false, again = false, waiting // waiting: the open dialog awaiting a kept report

function h (tag, attrs, ...kids) {
  const el = D.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) if (v != null && v !== false) el.setAttribute(k, v === true ? '' : v)
  el.append(...kids.filter((kid) => kid != null && kid !== false))
  return el
}

// ---- outbox -----------------------------------------------------------------------------

function save (site) {
  try {
    const kept = [...outbox.values()].filter((item) => item.body.site === site).map(({ endpoint, body }) => ({ endpoint, body }))
    if (kept.length) sessionStorage.setItem(KEY + site, JSON.stringify(kept))
    else sessionStorage.removeItem(KEY + site)
  } catch (e) { /* storage full or disabled: the report is still kept in memory */ }
}

function load (site) {
  try {
    for (const item of JSON.parse(sessionStorage.getItem(KEY + site)) || []) {
      if (!outbox.has(item.body.client_report_id)) outbox.set(item.body.client_report_id, item)
    }
  } catch (e) { /* nothing readable was kept */ }
}

// One attempt: {ok}, {later} (keep and retry) or {error, fields} (the server refused it).
async function deliver (item) {
  let res
  try {
    // A string body goes as text/plain, so the browser sends no CORS preflight.
    res = await fetch(item.endpoint, { method: 'POST', body: JSON.stringify(item.body), credentials: 'omit' })
  } catch (e) {
    return { later: true }
  }
  if (res.ok) return { ok: true }
  if (res.status === 408 || res.status === 429 || res.status >= 500) return { later: true }
  const error = await res.json().then((j) => j.error, () => null) || {}
  return { error: error.message || 'HTTP ' + res.status, fields: error.fields || {} }
}

function finish (id, item, result) {
  outbox.delete(id)
  save(item.body.site)
  if (waiting && waiting.id === id) waiting.settle(result)
  else if (ctx) toast(result.ok ? ctx.t.later : ctx.t.rejected + ' ' + result.error)
}

async function flush () {
  // Asked again mid-flush (the network came back while a try was failing): go again after
  // it, rather than wait out the next delay, up to a minute.
  if (flushing) { again = true; return }
  flushing = true
  again = false
  clearTimeout(timer)
  for (const [id, item] of outbox) {
    if (item.sending) continue
    item.sending = true
    const result = await deliver(item)
    item.sending = false
    if (!result.later) finish(id, item, result)
  }
  flushing = false
  if (again) return flush()
  if (outbox.size) timer = setTimeout(flush, DELAYS[Math.min(tries++, DELAYS.length - 1)] * 1000)
  else tries = 0
}

addEventListener('online', () => flush())

// ---- status outside the dialog -----------------------------------------------------------

function toast (text) {
  let box = ctx.root.querySelector('.toast')
  if (!box) {
    // Always rendered (an empty one has no size), so screen readers announce each change.
    box = h('p', { class: 'toast', role: 'status', dir: ctx.t.dir, lang: ctx.lang })
    box.addEventListener('click', () => { box.textContent = '' })
    ctx.root.append(box)
  }
  requestAnimationFrame(() => { box.textContent = text })
}

// ---- the dialog ---------------------------------------------------------------------------

// At most n UTF-16 units, never ending in half a surrogate pair (the API refuses those).
const clip = (s, n) => (s = s.slice(0, n), /[\ud800-\udbff]$/.test(s) ? s.slice(0, -1) : s)
const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')

function quoteView (t, q) {
  // Cut context starts and ends on a word boundary, so it reads as text, not as fragments.
  // (Offsets are code points; 32 is the context length widget.js takes.)
  const before = q.start > 32 ? '…' + q.prefix.replace(/^\S*\s/, '') : q.prefix
  const after = q.end + 32 < q.length ? q.suffix.replace(/\s\S*$/, '') + '…' : q.suffix
  return h('figure', { class: 'quote' }, h('figcaption', null, t.quote),
    h('blockquote', { dir: 'auto' }, before, h('mark', null, q.exact), after))
}

function field (id, label, control, note) {
  control.id = id
  if (note) control.setAttribute('aria-describedby', id + '-note')
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    note && h('p', { id: id + '-note', class: 'note' }, note))
}

export function open (c) {
  ctx = c
  const { t, q } = c
  const general = !q
  const comment = h('textarea', { name: 'comment', rows: 3, maxlength: 5000, required: general })
  const suggestion = !general && h('textarea', { name: 'suggestion', rows: 2, maxlength: 2000 })
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', maxlength: 254 })
  const status = h('p', { class: 'status', role: 'status' })
  const cancel = h('button', { type: 'button', class: 'secondary' }, t.cancel)
  const send = h('button', { type: 'submit' }, t.send)
  const fields = h('div', { class: 'fields' },
    general ? h('p', { class: 'lead' }, t.leadGeneral) : quoteView(t, q),
    h('fieldset', null, h('legend', null, t.category),
      ...['typo', 'fact', 'other'].map((v) => h('label', { class: 'choice' },
        h('input', { type: 'radio', name: 'category', value: v, checked: !general && v === 'typo' }), t[v]))),
    suggestion && field('corrigo-suggestion', t.suggestion, suggestion),
    field('corrigo-comment', general ? t.commentRequired : t.comment, comment),
    field('corrigo-email', t.email, email, t.emailNote))
  const form = h('form', { novalidate: true }, h('h2', { id: 'corrigo-title' }, general ? t.titleGeneral : t.title),
    fields, status, h('div', { class: 'actions' }, cancel, send))
  const dialog = h('dialog', { 'aria-labelledby': 'corrigo-title', lang: c.lang, dir: t.dir }, form)

  const say = (text) => { status.textContent = text }
  const invalid = (control, text) => {
    control.setAttribute('aria-invalid', 'true')
    say(text)
    control.focus()
  }
  const done = (text) => {
    say(text)
    fields.hidden = send.hidden = true
    cancel.textContent = t.close
    cancel.focus()
  }

  cancel.addEventListener('click', () => dialog.close())
  form.addEventListener('input', (e) => e.target.removeAttribute('aria-invalid'))
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !send.hidden) { e.preventDefault(); form.requestSubmit() }
  })
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    if (send.disabled) return
    const value = (el) => (el && el.value.trim()) || undefined
    const text = value(comment)
    if (general && !text) return invalid(comment, t.needComment)
    if (!email.checkValidity()) return invalid(email, t.badEmail)
    const root = c.articleRoot
    const idHolder = (root && root.closest('[data-article-id]')) || D.querySelector('[data-article-id]')
    const canonical = D.querySelector('link[rel~="canonical"][href]')
    // An article longer than the API takes cannot carry offsets; the quote goes in the comment.
    const withQuote = q && q.length <= 200000
    const body = {
      site: c.site,
      url: location.href,
      canonical_url: canonical ? canonical.href : undefined,
      article_id: idHolder ? idHolder.getAttribute('data-article-id') : undefined,
      title: clip(D.title.trim(), 500) || undefined,
      quote: withQuote ? { exact: q.exact, prefix: q.prefix, suffix: q.suffix, start: q.start, end: q.end } : undefined,
      article_text: withQuote ? q.text : undefined,
      suggestion: value(suggestion),
      comment: q && !withQuote ? clip('“' + q.exact + '”\n' + (text || ''), 5000) : text,
      category: form.elements.category.value || undefined,
      email: value(email),
      language: c.lang,
      client_report_id: newId()
    }
    const id = body.client_report_id
    const item = { endpoint: c.endpoint, body, sending: true }
    outbox.set(id, item)
    save(c.site)
    send.disabled = true
    say(t.sending)
    const result = await deliver(item)
    item.sending = false
    send.disabled = false
    const closed = !dialog.open // the reader closed it while the report was on its way
    if (result.later) {
      if (closed) toast(t.kept)
      else {
        done(t.kept)
        waiting = { id, settle: (r) => say(r.ok ? t.later : t.rejected + ' ' + r.error) }
      }
      if (!flushing) { clearTimeout(timer); timer = setTimeout(flush, DELAYS[0] * 1000) }
      return
    }
    outbox.delete(id)
    save(c.site)
    if (closed) {
      toast(result.ok ? t.sent : t.rejected + ' ' + result.error)
    } else if (result.ok) {
      done(t.sent)
    } else {
      const bad = Object.keys(result.fields).map((name) => form.elements[name]).find((el) => el && el.focus)
      const details = Object.entries(result.fields).map(([k, v]) => k + ': ' + v).join('; ')
      const message = t.rejected + ' ' + result.error + (details ? ' (' + details + ')' : '')
      bad ? invalid(bad, message) : say(message)
    }
  })
  dialog.addEventListener('close', () => {
    dialog.remove()
    waiting = null
    // Back to where the reader was; a removed or unfocusable element is left alone.
    if (c.back && c.back.isConnected && c.back.focus) c.back.focus({ preventScroll: true })
    c.done()
  })

  c.root.append(dialog)
  dialog.showModal()
  ;(suggestion || comment).focus()
}

// Called on page load when an earlier page of this tab left reports unsent.
export function resume (c) {
  ctx = ctx || c
  load(c.site)
  c.done()
  flush()
}
