/* Proof of work (docs/api.md, "Proof of work"): an ALTCHA challenge, fetched when the dialog
 * opens and, when the server asks for it, solved off the page's main thread in a Web Worker
 * built from search() below (a worker script from Corrigo's origin would be cross-origin on
 * the publisher's page). Where the page's policy allows no blob: worker, the search runs on
 * the main thread, which only waits for WebCrypto's digests. */
import { widget } from './shell.js'

// The number whose SHA-256(salt + number) is the challenge; digests in batches. Self-contained:
// its source is the worker's.
async function search (challenge) {
  const encoder = new TextEncoder()
  const hex = (digest) => Array.from(new Uint8Array(digest), (byte) => (byte < 16 ? '0' : '') + byte.toString(16)).join('')
  for (let start = 0; start <= challenge.maxNumber; start += 1000) {
    const batch = []
    for (let number = start; number < start + 1000 && number <= challenge.maxNumber; number++) {
      batch.push(crypto.subtle.digest('SHA-256', encoder.encode(challenge.salt + number)))
    }
    const found = (await Promise.all(batch)).findIndex((digest) => hex(digest) === challenge.challenge)
    if (found >= 0) return start + found
  }
  return -1
}

function solve (challenge) {
  return new Promise((resolve) => {
    const onMainThread = () => resolve(search(challenge))
    let worker
    try {
      const source = 'onmessage=async(event)=>postMessage(await(' + search + ')(event.data))'
      worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })))
    } catch {
      return onMainThread()
    }
    worker.addEventListener('message', (event) => resolve(event.data))
    worker.addEventListener('error', onMainThread)
    worker.postMessage(challenge)
  })
}

const fetchChallenge = () => fetch(widget.base + 'api/v1/challenge?site=' + encodeURIComponent(widget.site), { credentials: 'omit' })
  .then((response) => response.json())

let ready = null // the challenge fetched for the next report that needs one
let readyAt = 0
const FRESH_MS = 5 * 60 * 1000 // the server's challenges expire after 10 minutes

// When the dialog opens: a challenge, should the report need one. It is solved only then,
// so a page whose policy allows no worker sees none tried unless the site asks for work.
// A challenge fetched for an earlier opening and not used yet serves this one too.
export function prepareSolution () {
  if (ready && Date.now() - readyAt < FRESH_MS) return
  const pending = ready = fetchChallenge()
  readyAt = Date.now()
  pending.catch(() => { if (ready === pending) ready = null })
}

// A solution for a report the server asked one of (challenge_required); each is used once.
export async function takeSolution () {
  const pending = ready || fetchChallenge()
  ready = null
  try {
    const challenge = await pending
    const { algorithm, salt, signature } = challenge
    return btoa(JSON.stringify({ algorithm, challenge: challenge.challenge, number: await solve(challenge), salt, signature }))
  } catch {
    return undefined
  }
}
