/* Corrigo: the article's correction notices in the page's <div data-corrigo-notices> box.
 * Loaded by widget.js only when the box exists and nears the viewport. Asks the public
 * notices API for this article (by its data-article-id, else its canonical URL, else
 * the page's) and writes the notices with textContent only: no reader's or editor's word
 * is ever parsed as HTML. Minor fixes are listed folded, never as a banner. */

const KINDS = {
  en: { correction: 'Correction', clarification: 'Clarification', update: 'Update', editors_note: "Editor's note", retraction: 'Retraction', minor: 'Smaller fixes', label: 'Corrections to this article' },
  uk: { correction: 'Виправлення', clarification: 'Уточнення', update: 'Оновлення', editors_note: 'Примітка редакції', retraction: 'Відкликання', minor: 'Дрібні виправлення', label: 'Виправлення до цієї статті' },
  ru: { correction: 'Исправление', clarification: 'Уточнение', update: 'Обновление', editors_note: 'Примечание редакции', retraction: 'Отзыв публикации', minor: 'Мелкие исправления', label: 'Исправления к этой статье' }
}

function articleQuery (site) {
  const query = new URLSearchParams({ site })
  const idHolder = document.querySelector('[data-article-id]')
  const canonical = document.querySelector('link[rel~="canonical"][href]')
  if (idHolder) query.set('article_id', idHolder.getAttribute('data-article-id'))
  else query.set('url', canonical ? canonical.href : location.href)
  return query
}

function element (name, className, text) {
  const node = document.createElement(name)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

function noticeElement (notice, words, language) {
  const item = element('div', 'corrigo-notice corrigo-' + notice.kind)
  item.dataset.kind = notice.kind
  item.id = 'corrigo-notice-' + notice.id
  const head = element('p')
  head.append(element('strong', '', words[notice.kind] || notice.kind), ' · ')
  const when = element('time', '', new Date(notice.published_at).toLocaleDateString(language, { dateStyle: 'long' }))
  when.dateTime = notice.published_at
  head.append(when)
  const text = element('p', 'corrigo-notice-text', notice.text)
  text.dir = 'auto'
  item.append(head, text)
  return item
}

export function render (box, notices, language) {
  const words = KINDS[language] || KINDS.en
  const section = element('section', 'corrigo-notices')
  section.lang = language
  section.setAttribute('aria-label', words.label)
  const banners = notices.filter((notice) => !notice.minor)
  const smaller = notices.filter((notice) => notice.minor)
  for (const notice of banners) section.append(noticeElement(notice, words, language))
  if (smaller.length) {
    const folded = element('details', 'corrigo-smaller')
    folded.append(element('summary', '', words.minor + ' (' + smaller.length + ')'))
    for (const notice of smaller) folded.append(noticeElement(notice, words, language))
    section.append(folded)
  }
  box.replaceChildren(...(notices.length ? [section] : []))
  box.dataset.corrigoShown = String(notices.length)
}

export function show (box, { site, base, language }) {
  return fetch(base + 'api/v1/notices?' + articleQuery(site), { credentials: 'omit' })
    .then((response) => {
      if (!response.ok) throw Error('notices: HTTP ' + response.status)
      return response.json()
    })
    .then((answer) => render(box, answer.notices, language))
}
