/* Corrigo reader widget: the part every article view loads (DESIGN.md "Embed contract").
 * It reads its <script> tag, listens for a reader's request to report, and computes the
 * normative text model and TextQuote. Nothing else happens on page view: no request, no
 * DOM change. The dialog (ui.js), its styles (widget.css) and strings (i18n-LANG.json)
 * load on first use. The one global is window.Corrigo. */
(() => {
  'use strict'
  const W = window, D = document
  if (W.Corrigo || !W.HTMLDialogElement || !Element.prototype.attachShadow) return
  const me = D.currentScript || D.querySelector('script[data-site][src*="widget.js"]')
  if (!me) return
  const cfg = me.dataset
  if (!cfg.site) return console.warn('Corrigo: the widget.js tag needs a data-site attribute')
  // Chunks and the API live next to widget.js, so a path prefix on our origin works too.
  const base = new URL('.', me.src).href
  const LANGS = ['en', 'uk', 'ru']

  // ---- text model (DESIGN.md "Text model"; mirrors corrigo/anchoring/textmodel.py) ----
  const BLOCK = new Set('address article aside blockquote dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section summary table thead tbody tfoot tr td th ul'.split(' '))
  const SKIP = new Set('script style noscript template textarea input select button svg iframe object canvas'.split(' '))
  // Unicode White_Space exactly (not JS \s, which adds U+FEFF and lacks U+0085).
  const SPACE = '\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'
  const GONE = '\xad\u200b\ufeff'

  // A selector the engine rejects matches nothing, as on the server.
  const first = (s) => { try { return s ? D.querySelector(s) : null } catch (e) { return null } }
  const matches = (el, s) => { try { return el.matches(s) } catch (e) { return false } }
  const rootFor = (article) => first(article) || first('[data-corrigo-article]') || first('article') || first('main') || D.body
  const skipped = (el, ignore) => SKIP.has(el.localName) || el.hasAttribute('hidden') ||
    el.hasAttribute('data-corrigo-ignore') || el.getAttribute('aria-hidden') === 'true' ||
    ignore.some((s) => s && matches(el, s))

  // A DOM boundary point as [node, k]: k >= 0 is an index into a text node, -1 means
  // "just before node", -2 "at the end of node's children".
  const point = (c, k) => c.nodeType === 3 ? [c, k]
    : c.nodeType === 1 || c.nodeType === 11 ? (k < c.childNodes.length ? [c.childNodes[k], -1] : [c, -2])
    : [c, -1]

  // Code points: UTF-16 units less one per surrogate pair (a lone surrogate counts one, as in Python).
  const codePoints = (s) => s.length - (s.match(/[\ud800-\udbff][\udc00-\udfff]/g) || []).length

  // Returns [text, offsets]: the article text of root and, for each boundary point, its
  // offset in the text (UTF-16 units). A point inside whitespace or a skipped subtree maps
  // to the end of the text before it, so a selection's trailing space or ad slot adds nothing.
  function model (root, ignore, points = []) {
    let out = '', space = 0, brk = 0
    const at = points.map(() => -1)
    // Index loops, not destructuring: these run for every node of the article.
    const mark = (node, k) => { for (let j = 0; j < points.length; j++) if (points[j][0] === node && points[j][1] === k && at[j] < 0) at[j] = out.length }
    const holds = (node) => { for (let j = 0; j < points.length; j++) if (points[j][0] === node) return 1 }
    let n = root.firstChild
    while (n) {
      mark(n, -1)
      if (n.nodeType === 3) {
        const d = n.data, watch = holds(n)
        for (let i = 0; ; i++) {
          if (watch) mark(n, i)
          if (i === d.length) break
          const c = d[i], k = c.charCodeAt(0)
          if (k <= 32 || k >= 127) { // printable ASCII, most of most articles, needs no lookup
            if (GONE.includes(c)) continue
            if (SPACE.includes(c)) { space = 1; continue }
          }
          if (space) { if (out) out += brk ? '\n' : ' '; space = brk = 0 }
          out += c
        }
      } else if (n.nodeType === 1) {
        if (skipped(n, ignore)) {
          for (let j = 0; j < points.length; j++) if (at[j] < 0 && n.contains(points[j][0])) at[j] = out.length
        } else if (n.localName === 'br') {
          space = brk = 1
        } else {
          if (BLOCK.has(n.localName)) space = brk = 1
          if (n.firstChild) { n = n.firstChild; continue }
          mark(n, -2)
        }
      }
      // Climb out of finished elements: each end is a point, and a block end is a break.
      while (n && !n.nextSibling) {
        n = n.parentNode
        if (n === root || !n) n = null
        else { mark(n, -2); if (BLOCK.has(n.localName)) space = brk = 1 }
      }
      n = n && n.nextSibling
    }
    // NFC comes last (as on the server); offsets before it are re-measured after it.
    const text = out.normalize('NFC')
    return [text, at.map((p) => {
      p = p < 0 ? out.length : p
      return text === out ? p : out.slice(0, p).normalize('NFC').length
    })]
  }

  // The TextQuote of a range, clipped to root, or null when it holds no article text.
  function quote (range, root, ignore) {
    // Text in a shadow tree (a page's own components) is not article text.
    if (range.commonAncestorContainer.getRootNode() !== root.getRootNode()) return null
    const r = range.cloneRange(), all = D.createRange()
    all.selectNodeContents(root)
    if (r.compareBoundaryPoints(Range.START_TO_START, all) < 0) r.setStart(root, 0)
    if (r.compareBoundaryPoints(Range.END_TO_END, all) > 0) r.setEnd(root, root.childNodes.length)
    if (r.collapsed) return null
    const [text, [a0, b0]] = model(root, ignore, [point(r.startContainer, r.startOffset), point(r.endContainer, r.endOffset)])
    const blank = (i) => text[i] === ' ' || text[i] === '\n'
    const low = (i) => /[\udc00-\udfff]/.test(text[i] || '') && /[\ud800-\udbff]/.test(text[i - 1] || '')
    let a = a0 - low(a0), b = b0 + low(b0) // never split a surrogate pair
    while (a < b && blank(a)) a++
    while (b > a && blank(b - 1)) b--
    if (a >= b) return null
    // The API takes up to 1,000 code points of exact; 2,000 units always hold that many.
    if (codePoints(text.slice(a, b)) > 1000) {
      b = a + Array.from(text.slice(a, a + 2000)).slice(0, 1000).join('').length
      while (blank(b - 1)) b--
    }
    const start = codePoints(text.slice(0, a)), exact = text.slice(a, b)
    // Context: 32 code points each side, taken from 64 units (a pair cut at the far end drops off).
    return {
      text,
      length: codePoints(text),
      exact,
      prefix: Array.from(text.slice(Math.max(0, a - 64), a)).slice(-32).join(''),
      suffix: Array.from(text.slice(b, b + 64)).slice(0, 32).join(''),
      start,
      end: start + codePoints(exact)
    }
  }

  const ignores = (s) => (Array.isArray(s) ? s : [s]).filter(Boolean)

  // ---- triggers ----------------------------------------------------------------------
  // The configured root only: a page without it (a section front using the same
  // template) is not an article, so the widget stays silent there.
  const articleRoot = () => cfg.article ? first(cfg.article) : rootFor()
  const selection = () => {
    const s = D.getSelection()
    return s && s.rangeCount && !s.isCollapsed ? s.getRangeAt(0) : null
  }
  const deepActive = () => {
    let a = D.activeElement
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement
    return a
  }
  const editable = (el) => !!el && el.nodeType === 1 && (el.isContentEditable || /^(input|textarea|select)$/.test(el.localName))

  let busy = 0, uiP, shellP, fab, saved, timer

  const get = (path, as) => fetch(base + path, { credentials: 'omit' }).then((r) => {
    if (!r.ok) throw Error(path + ': HTTP ' + r.status)
    return r[as]()
  })
  const lang = () => {
    for (const l of [cfg.lang, D.documentElement.lang, ...(navigator.languages || [navigator.language])]) {
      const p = String(l || '').toLowerCase().split(/[-_]/)[0]
      if (LANGS.includes(p)) return p
    }
    return 'en'
  }
  // The shadow root that holds all UI, with its styles and strings; made on first use.
  const shell = () => shellP || (shellP = (async () => {
    const code = lang()
    const [t, css] = await Promise.all([get('widget/i18n-' + code + '.json', 'json'), get('widget/widget.css', 'text')])
    const host = D.createElement('corrigo-widget'), root = host.attachShadow({ mode: 'open' })
    try {
      const sheet = new CSSStyleSheet()
      sheet.replaceSync(css)
      root.adoptedStyleSheets = [sheet]
    } catch (e) { // no constructable stylesheets: a <link>, which needs our origin in style-src
      const link = D.createElement('link')
      link.rel = 'stylesheet'
      link.href = base + 'widget/widget.css'
      root.append(link)
    }
    D.documentElement.append(host) // outside <body>: never part of the article, safe from SPA re-renders
    return { host, root, t, lang: code }
  })().catch((e) => { shellP = null; throw e }))
  const ui = () => uiP || (uiP = import(base + 'widget/ui.js').catch((e) => { uiP = null; throw e }))
  const context = (s, extra) => Object.assign({ ...s, site: cfg.site, endpoint: base + 'api/v1/reports', done: () => { busy = 0 } }, extra)

  function open (q) {
    const back = deepActive()
    busy = 1
    if (fab) fab.hidden = true
    Promise.all([ui(), shell()]).then(([m, s]) => m.open(context(s, { q, back, articleRoot: articleRoot() })))
      .catch((e) => { busy = 0; console.warn('Corrigo could not open its dialog:', e) })
  }

  // Reports on the range when it holds article text; true when the dialog is opening.
  function report (range) {
    const root = articleRoot()
    const q = root && range && quote(range, root, ignores(cfg.ignore))
    if (!q) return false
    open(q)
    return true
  }

  W.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey) || e.altKey || e.isComposing || e.defaultPrevented || busy) return
    if (editable(e.composedPath()[0]) || editable(deepActive())) return
    if (report(selection())) e.preventDefault()
  })

  // Capture phase: a page's click router must not turn a "write to us" link into navigation.
  W.addEventListener('click', (e) => {
    if (!e.composedPath().some((el) => el.nodeType === 1 && el.hasAttribute('data-corrigo-open'))) return
    e.preventDefault()
    if (!busy) open(null)
  }, true)

  // Touch devices have no Ctrl+Enter: a button appears next to a settled selection.
  function placeFab () {
    const r = selection(), root = articleRoot()
    if (busy || !r || !root || !quote(r, root, ignores(cfg.ignore))) { if (fab) fab.hidden = true; return }
    saved = r.cloneRange()
    shell().then((s) => {
      if (!fab) {
        fab = D.createElement('button')
        fab.type = 'button'
        fab.className = 'fab'
        fab.lang = s.lang
        fab.dir = s.t.dir
        fab.textContent = s.t.fab
        // Keep the selection: on touch screens a tap elsewhere would clear it first.
        fab.addEventListener('pointerdown', (e) => e.preventDefault())
        fab.addEventListener('click', () => { if (!report(saved)) fab.hidden = true })
        s.root.append(fab)
      }
      const rects = saved.getClientRects(), last = rects[rects.length - 1] || saved.getBoundingClientRect()
      fab.hidden = false
      const w = fab.offsetWidth, h = fab.offsetHeight, gap = 12
      // Below the end of the selection, where the system's own menu is not; above it if no room.
      let top = last.bottom + gap
      if (top + h > innerHeight) top = Math.max(gap, (rects[0] || last).top - h - gap)
      fab.style.top = top + 'px' // CSSOM, which a strict style-src allows
      fab.style.left = Math.min(Math.max(gap, last.right - w / 2), innerWidth - w - gap) + 'px'
    }).catch((e) => console.warn('Corrigo:', e))
  }
  if (navigator.maxTouchPoints > 0 || (W.matchMedia && matchMedia('(pointer: coarse)').matches)) {
    const later = () => { clearTimeout(timer); timer = setTimeout(placeFab, 250) }
    D.addEventListener('selectionchange', later)
    W.addEventListener('scroll', () => { if (fab && !fab.hidden) later() }, { passive: true })
  }

  // Reports that could not be sent before (this tab, an earlier page) are retried.
  try {
    if (sessionStorage.getItem('corrigo-outbox:' + cfg.site)) {
      const resume = () => Promise.all([ui(), shell()]).then(([m, s]) => m.resume(context(s))).catch((e) => console.warn('Corrigo:', e))
      D.readyState === 'complete' ? resume() : W.addEventListener('load', resume)
    }
  } catch (e) { /* storage disabled: nothing kept, nothing to resume */ }

  W.Corrigo = {
    version: 1,
    open: () => { if (!busy) open(null) },
    // Hooks for tests and integrators: the text model and the quote of a range.
    _textModel: (article, ignore) => { const r = rootFor(article); return r ? model(r, ignores(ignore))[0] : '' },
    _quote: (range, article, ignore) => { const r = rootFor(article); return r && quote(range, r, ignores(ignore)) }
  }
})()
