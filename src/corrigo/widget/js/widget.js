/* Corrigo reader widget: the loader, the one file every article view loads (docs/widget.md).
 * It reads its <script> tag and waits for a reader to ask: Ctrl+Enter or ⌘+Enter on a
 * selection, a "write to us" link, a settled selection on a touch screen. Nothing else
 * happens on page view: no request, no DOM change. On first use it loads the rest in
 * parallel: ui.js (the text model, the quote, the dialog, delivery, the touch button),
 * widget.css and one language's strings. A page with a data-corrigo-notices box loads
 * notices.js when the box nears the viewport. The one global is window.Corrigo. */
(() => {
  if (window.Corrigo || !window.HTMLDialogElement || !Element.prototype.attachShadow) return
  const script = document.currentScript || document.querySelector('script[data-site][src*="widget.js"]')
  if (!script) return
  const tag = script.dataset
  if (!tag.site) {
    console.warn('Corrigo: the widget.js tag needs a data-site attribute')
    return
  }
  // The lazy files and the API live next to widget.js, so a path prefix on our origin works too.
  const base = new URL('.', script.src).href
  const LANGUAGES = ['en', 'uk', 'ru']

  let dialogOpen = false // open or opening: the keys are the dialog's, and only one opens at a time
  let loading = null // the lazy part, once asked for

  function language () {
    for (const code of [tag.lang, document.documentElement.lang, ...(navigator.languages || [navigator.language])]) {
      const primary = String(code || '').toLowerCase().split(/[-_]/)[0]
      if (LANGUAGES.includes(primary)) return primary
    }
    return 'en'
  }

  const fetchFile = (path, as) => fetch(base + path, { credentials: 'omit' }).then((response) => {
    if (!response.ok) throw Error(path + ': HTTP ' + response.status)
    return response[as]()
  })

  // The lazy part, loaded once (again after a failure): the module, started with its settings.
  function lazyPart () {
    if (loading) return loading
    const code = language()
    loading = Promise.all([
      import(base + 'widget/ui.js'), fetchFile('widget/i18n-' + code + '.json', 'json'), fetchFile('widget/widget.css', 'text')
    ]).then(([ui, strings, css]) => {
      ui.start({
        site: tag.site, articleSelector: tag.article, ignoreSelectors: tag.ignore, base, language: code, strings, css,
        openForRange: (range) => {
          const back = focusedElement()
          open((lazy) => lazy.reportRange(range, back))
        },
        done: () => { dialogOpen = false }
      })
      return ui
    }).catch((error) => {
      loading = null
      throw error
    })
    return loading
  }

  const withLazyPart = (action) => lazyPart().then(action).catch((error) => console.warn('Corrigo:', error))

  // One dialog at a time: `show(ui)` opens it once the lazy part is there.
  function open (show) {
    if (dialogOpen) return
    dialogOpen = true
    lazyPart().then(show).catch((error) => {
      dialogOpen = false
      console.warn('Corrigo could not open its dialog:', error)
    })
  }

  function focusedElement () {
    let focused = document.activeElement
    while (focused && focused.shadowRoot && focused.shadowRoot.activeElement) focused = focused.shadowRoot.activeElement
    return focused
  }

  const isEditable = (node) => {
    const element = node && (node.nodeType === 1 ? node : node.parentElement)
    return !!element && (element.isContentEditable || /^(input|textarea|select)$/.test(element.localName))
  }

  // A page without the configured root (a section front sharing the article template) is
  // not an article: the widget leaves its selections alone. A selector the engine rejects
  // matches nothing.
  function isArticlePage () {
    try {
      return !tag.article || !!document.querySelector(tag.article)
    } catch {
      return false
    }
  }

  // The reader's selection, when it has words in it, outside any editable area, on an article page.
  function selectedRange () {
    const selection = document.getSelection()
    if (!selection || !selection.rangeCount || selection.isCollapsed) return null
    const range = selection.getRangeAt(0)
    // The range's text, not the selection's: that is only what is rendered, and a page may
    // keep its article hidden until its own scripts run.
    if (!range.toString().trim() || !isArticlePage()) return null
    return isEditable(range.startContainer) || isEditable(range.endContainer) ? null : range
  }

  // Ctrl+Enter (⌘+Enter) on a selection. The range is taken now, at the key press, and quoted
  // when the lazy part arrives: a reader who presses before it is loaded gets the right quote.
  addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.altKey || event.isComposing) return
    if (event.defaultPrevented || dialogOpen) return
    if (isEditable(event.composedPath()[0]) || isEditable(focusedElement())) return
    const range = selectedRange()
    if (!range) return
    event.preventDefault()
    const taken = range.cloneRange()
    const back = focusedElement()
    open((ui) => ui.reportRange(taken, back))
  })

  // Capture phase: a page's click router must not turn a "write to us" link into navigation.
  addEventListener('click', (event) => {
    if (!event.composedPath().some((node) => node.nodeType === 1 && node.hasAttribute('data-corrigo-open'))) return
    event.preventDefault()
    const back = focusedElement()
    open((ui) => ui.writeToUs(back))
  }, true)

  // Touch screens have no Ctrl+Enter: the lazy part shows a button next to a settled selection.
  if (navigator.maxTouchPoints > 0 || (window.matchMedia && matchMedia('(pointer: coarse)').matches)) {
    let settling = null
    const settled = () => {
      const range = !dialogOpen && selectedRange()
      if (range) withLazyPart((ui) => ui.touchSelection(range.cloneRange()))
      else if (loading) withLazyPart((ui) => ui.hideTouchButton())
    }
    document.addEventListener('selectionchange', () => {
      clearTimeout(settling)
      settling = setTimeout(settled, 250)
    })
  }

  // Reports that could not be sent before (this tab, an earlier page) are retried.
  try {
    if (sessionStorage.getItem('corrigo-outbox:' + tag.site)) {
      const resume = () => withLazyPart((ui) => ui.resumeKept())
      if (document.readyState === 'complete') resume()
      else addEventListener('load', resume)
    }
  } catch { /* storage disabled: nothing kept, nothing to resume */ }

  // A page with a <div data-corrigo-notices> box gets the article's notices there once the box
  // nears the viewport (notices.js, loaded then); a page without one makes no request.
  const watchNoticesBox = () => {
    const box = document.querySelector('[data-corrigo-notices]')
    if (!box || !window.IntersectionObserver) return
    const watch = new IntersectionObserver((entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return
      watch.disconnect()
      import(base + 'widget/notices.js').then((notices) => notices.show(box, { site: tag.site, base, language: language() }))
        .catch((error) => console.warn('Corrigo:', error))
    }, { rootMargin: '300px' })
    watch.observe(box)
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watchNoticesBox)
  else watchNoticesBox()

  window.Corrigo = {
    version: 1,
    open: () => open((ui) => ui.writeToUs(focusedElement())),
    // Hooks for tests and integrators; they load the lazy part, so they answer a Promise:
    // the article text, and the TextQuote of a range.
    _textModel: (article, ignore) => lazyPart().then((ui) => ui.textModel(article, ignore)),
    _quote: (range, article, ignore) => lazyPart().then((ui) => ui.quote(range, article, ignore))
  }
})()
