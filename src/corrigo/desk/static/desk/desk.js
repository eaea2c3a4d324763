// The desk's keyboard triage, selection, toasts and copy buttons. Loaded as a static file:
// the desk's Content-Security-Policy allows no inline script. htmx does the partial page
// updates; the server decides everything (what an action does, what undo restores).
(function () {
  "use strict";

  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue] li.case"));
  }

  function mark(index) {
    var all = rows();
    if (!all.length) { current = -1; return; }
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

  // ---- selection: each card's box, the page's box, and "all N matching" ----

  function picks() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue] input.pick"));
  }

  function refreshSelection() {
    var bulk = document.querySelector("[data-bulk]");
    if (!bulk) return;
    var boxes = picks();
    var picked = boxes.filter(function (box) { return box.checked; }).length;
    var page = bulk.querySelector("[data-select-page]");
    var count = bulk.querySelector("[data-selected-count]");
    var allInput = bulk.querySelector("[data-all-matching-input]");
    var allOffer = bulk.querySelector("[data-all-matching]");
    var everyOnPage = boxes.length > 0 && picked === boxes.length;
    if (page) {
      page.checked = everyOnPage;
      page.indeterminate = picked > 0 && !everyOnPage;
    }
    if (allInput && !everyOnPage) allInput.value = "";
    var all = allInput && allInput.value === "on";
    if (allOffer) allOffer.hidden = !everyOnPage;
    if (count) {
      count.textContent = all ? "All matching cases are selected"
        : picked ? picked + " selected" : "Select all on this page";
    }
    var offerButton = bulk.querySelector("[data-select-all-matching]");
    if (offerButton) offerButton.textContent = all ? "Clear the selection" : offerButton.getAttribute("data-label") || offerButton.textContent;
    bulk.classList.toggle("has-selection", picked > 0);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-select-page]")) {
      picks().forEach(function (box) { box.checked = target.checked; });
      refreshSelection();
    } else if (target.matches && target.matches("input.pick")) {
      refreshSelection();
    }
  });

  function selectAllMatching(button) {
    var bulk = button.closest("[data-bulk]");
    var input = bulk.querySelector("[data-all-matching-input]");
    if (!button.getAttribute("data-label")) button.setAttribute("data-label", button.textContent);
    if (input.value === "on") {
      input.value = "";
      picks().forEach(function (box) { box.checked = false; });
    } else {
      input.value = "on";
    }
    refreshSelection();
  }

  // ---- keys ----

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
        if (!box) return;
        box.checked = !box.checked;
        refreshSelection();
        break;
      }
      case "/": {
        var search = document.querySelector("[data-search]");
        if (search) search.focus();
        break;
      }
      case "u": {
        var undo = document.querySelector("#toasts [data-undo]");
        if (!undo) return;
        // A toast swapped in a moment ago may not be wired to htmx yet.
        if (window.htmx) window.htmx.process(undo.closest("form"));
        undo.click();
        break;
      }
      case "b": {
        var back = document.querySelector("[data-back]");
        if (!back) return;
        back.click();
        break;
      }
      default: return;
    }
    event.preventDefault();
  });

  // ---- after htmx answers ----

  // After an undo the answer (or the page it led to) names the case that came back.
  function focusReturned() {
    var state = document.getElementById("queue-state");
    var back = state && state.getAttribute("data-focus-case");
    if (!back) return false;
    state.removeAttribute("data-focus-case");
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-case-id") === back) { mark(i); return true; }
    }
    return false;
  }

  // A closed case leaves the list: drop its article's heading when it was the last one,
  // then keep the place, so focus lands on the next card.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-queue] li.group").forEach(function (group) {
      if (!group.querySelector("li.case")) group.remove();
    });
    refreshSelection();
    if (focusReturned()) return;
    if (current >= 0) mark(current);
  });

  // A refused action (409) says why in a toast rather than failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var toasts = document.getElementById("toasts");
    if (!toasts || !event.detail.xhr) return;
    var list = document.createElement("ul");
    list.className = "messages";
    var item = document.createElement("li");
    item.className = "toast message message-error";
    var text = document.createElement("span");
    text.className = "toast-text";
    text.textContent = event.detail.xhr.responseText || "That did not work.";
    item.appendChild(text);
    list.appendChild(item);
    toasts.replaceChildren(list);
  });

  // ---- the rest ----

  // The reported passage may sit deep in a long article: bring it into its box's view.
  document.addEventListener("DOMContentLoaded", function () {
    var passage = document.getElementById("passage");
    var box = passage && passage.closest(".article-text");
    if (box) box.scrollTop = Math.max(0, passage.offsetTop - box.offsetTop - box.clientHeight / 3);
    refreshSelection();
    focusReturned();
  });

  document.addEventListener("submit", function (event) {
    // A saved filter is the queue as it is now, after any filtering htmx did in place.
    var query = event.target.querySelector && event.target.querySelector("[data-filter-query]");
    if (query) query.value = window.location.search.replace(/^\?/, "");
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-shortcuts-open]")) { toggleHelp(); return; }
    var dismiss = target.closest("[data-dismiss]");
    if (dismiss) { dismiss.closest(".toast").remove(); return; }
    var allMatching = target.closest("[data-select-all-matching]");
    if (allMatching) { selectAllMatching(allMatching); return; }
    var copy = target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy"));
      if (source && navigator.clipboard) navigator.clipboard.writeText(source.textContent);
      return;
    }
    if (target.closest("[data-copy-quote]")) {
      // The case's data is embedded with json_script: parsed as data, never run.
      var data = JSON.parse(document.getElementById("case-data").textContent);
      if (navigator.clipboard) navigator.clipboard.writeText(data.quote);
    }
  });
})();
