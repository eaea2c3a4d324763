/* Delivery through an outbox: a report is written to memory and this tab's sessionStorage
 * before it is sent, and leaves only when the server has answered for good (2xx, or a 4xx
 * that no retry can fix). Network errors, 408, 429 and 5xx keep it; it is retried with the
 * same client_report_id, so the server stores it once however many tries it takes. */
import { toast, widget } from './shell.js'
import { takeSolution } from './solver.js'

const STORAGE_KEY = 'corrigo-outbox:'
const RETRY_SECONDS = [3, 10, 30, 60] // between rounds of retries; the last one repeats

// All of the delivery state, in one place.
const outbox = {
  reports: new Map(), // client_report_id -> {endpoint, body, sending}
  retryTimer: null,
  failedRounds: 0, // rounds since the last success: picks the next delay
  flushing: false,
  flushAgain: false, // asked to flush while flushing: another round straight after
  awaited: null // {id, settle(result)}: the open dialog waiting to hear about a kept report
}

function saveToStorage (site) {
  try {
    const kept = [...outbox.reports.values()].filter((report) => report.body.site === site)
      .map(({ endpoint, body }) => ({ endpoint, body }))
    if (kept.length) sessionStorage.setItem(STORAGE_KEY + site, JSON.stringify(kept))
    else sessionStorage.removeItem(STORAGE_KEY + site)
  } catch { /* storage full or disabled: the report is still kept in memory */ }
}

function loadFromStorage (site) {
  try {
    for (const report of JSON.parse(sessionStorage.getItem(STORAGE_KEY + site)) || []) {
      if (!outbox.reports.has(report.body.client_report_id)) outbox.reports.set(report.body.client_report_id, report)
    }
  } catch { /* nothing readable was kept */ }
}

// One attempt: {ok}, {later} (keep it and retry) or {error, fields} (the server refused it).
// Asked for proof of work, it solves a challenge and tries once more.
async function deliver (report, solved) {
  let response
  try {
    // A string body goes as text/plain, so the browser sends no CORS preflight.
    response = await fetch(report.endpoint, { method: 'POST', body: JSON.stringify(report.body), credentials: 'omit' })
  } catch {
    return { later: true }
  }
  if (response.ok) return { ok: true }
  if (response.status === 408 || response.status === 429 || response.status >= 500) return { later: true }
  const error = await response.json().then((answer) => answer.error, () => null) || {}
  if (error.code === 'challenge_required' && !solved && (report.body.altcha = await takeSolution())) return deliver(report, true)
  return { error: error.message || 'HTTP ' + response.status, fields: error.fields || {} }
}

function forget (id, site) {
  outbox.reports.delete(id)
  saveToStorage(site)
}

const resultText = (result) => result.ok ? widget.strings.later : widget.strings.rejected + ' ' + result.error

// A kept report got its final answer: tell the dialog waiting for it, or the page.
function settle (id, report, result) {
  forget(id, report.body.site)
  if (outbox.awaited && outbox.awaited.id === id) outbox.awaited.settle(resultText(result))
  else toast(resultText(result))
}

function retryLater (delaySeconds) {
  clearTimeout(outbox.retryTimer)
  outbox.retryTimer = setTimeout(flush, delaySeconds * 1000)
}

// Tries every kept report once, then schedules the next round while any is left.
async function flush () {
  // Asked again mid-flush (the network came back while a try was failing): go again after
  // it, rather than wait out the next delay, up to a minute.
  if (outbox.flushing) {
    outbox.flushAgain = true
    return
  }
  outbox.flushing = true
  outbox.flushAgain = false
  clearTimeout(outbox.retryTimer)
  for (const [id, report] of outbox.reports) {
    if (report.sending) continue
    report.sending = true
    const result = await deliver(report)
    report.sending = false
    if (!result.later) settle(id, report, result)
  }
  outbox.flushing = false
  if (outbox.flushAgain) return flush()
  if (outbox.reports.size) retryLater(RETRY_SECONDS[Math.min(outbox.failedRounds++, RETRY_SECONDS.length - 1)])
  else outbox.failedRounds = 0
}

addEventListener('online', () => flush())

// Sends a new report: kept first, then tried once. The result, as deliver's; a kept
// report ({later}) is retried on its own from then on.
export async function sendReport (body) {
  const id = body.client_report_id
  const report = { endpoint: widget.endpoint, body, sending: true }
  outbox.reports.set(id, report)
  saveToStorage(body.site)
  const result = await deliver(report)
  report.sending = false
  if (result.later) {
    if (!outbox.flushing) retryLater(RETRY_SECONDS[0])
  } else {
    forget(id, body.site)
  }
  return result
}

// The open dialog shows what becomes of the kept report `id` (settle gets the text to
// show); null when it closes.
export function awaitKeptReport (id, settleText) {
  outbox.awaited = id ? { id, settle: settleText } : null
}

// Reports an earlier page of this tab left unsent are tried again.
export function resumeKept () {
  loadFromStorage(widget.site)
  flush()
}
