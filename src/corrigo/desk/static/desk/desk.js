// The desk's keyboard shortcuts and copy buttons. Loaded as a static file: the desk's
// Content-Security-Policy allows no inline script. htmx does the partial page updates.
(function () {
  "use strict";

  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue] > li.case"));
  }

  function mark(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.classList.toggle("current", i === current);
      if (i === current) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    var row = all[current];
    row.setAttribute("tabindex", "-1");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    var all = rows();
    return current >= 0 && current < all.length ? all[current] : null;
  }

  function press(selector) {
    var scope = currentRow() || (document.body.classList.contains("page-case") ? document : null);
    var button = scope && scope.querySelector(selector);
    if (button) button.click();
  }

  function toggleHelp() {
    var help = document.getElementById("shortcuts");
    if (!help) return;
    if (help.open) help.close();
    else help.showModal();
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var help = document.getElementById("shortcuts");
    if (help && help.open && event.key !== "?") return;
    switch (event.key) {
      case "?": toggleHelp(); break;
      case "j": mark(current + 1); break;
      case "k": mark(current < 0 ? 0 : current - 1); break;
      case "o":
      case "Enter": {
        // Enter on a focused link or button keeps its own meaning.
        if (event.key === "Enter" && event.target.closest && event.target.closest("a, button")) return;
        var row = currentRow();
        var link = row && row.querySelector("[data-open]");
        if (!link) return;
        link.click();
        break;
      }
      case "f": press("[data-shortcut='f']"); break;
      case "n": press("[data-shortcut='n']"); break;
      case "x": {
        var box = currentRow() && currentRow().querySelector("input.pick");
        if (box) box.checked = !box.checked;
        break;
      }
      case "/": {
        var search = document.querySelector("[data-search]");
        if (search) search.focus();
        break;
      }
      case "u": {
        var back = document.querySelector("[data-back]");
        if (back) back.click();
        break;
      }
      default: return;
    }
    event.preventDefault();
  });

  // The reported passage may sit deep in a long article: bring it into its box's view.
  document.addEventListener("DOMContentLoaded", function () {
    var passage = document.getElementById("passage");
    var box = passage && passage.closest(".article-text");
    if (box) box.scrollTop = Math.max(0, passage.offsetTop - box.offsetTop - box.clientHeight / 3);
  });

  // A row swapped in by htmx replaces the focused one: keep the place in the list.
  document.addEventListener("htmx:afterSettle", function () {
    if (current >= 0) mark(current);
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-shortcuts-open]");
    if (opener) { toggleHelp(); return; }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy"));
      if (source && navigator.clipboard) navigator.clipboard.writeText(source.textContent);
      return;
    }
    if (event.target.closest("[data-copy-quote]")) {
      // The case's data is embedded with json_script: parsed as data, never run.
      var data = JSON.parse(document.getElementById("case-data").textContent);
      if (navigator.clipboard) navigator.clipboard.writeText(data.quote);
    }
  });
})();
