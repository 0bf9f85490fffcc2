// The review page's only script: live queue and item updates, keyboard shortcuts.
// Plain JS, no dependencies. It never builds HTML from data: the queue
// fragment comes escaped from the server and is parsed with DOMParser,
// which does not run scripts (and the CSP forbids inline ones anyway).
(function () {
  "use strict";

  var page = document.body.dataset.page;
  var busy = false;  // one keyboard-triggered submit per page: no double approvals

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function toggleHelp(force) {
    var help = document.getElementById("help");
    if (help) { help.hidden = force === undefined ? !help.hidden : !force; }
  }
  document.querySelectorAll("[data-help]").forEach(function (button) {
    button.addEventListener("click", function () { toggleHelp(); });
  });

  // -- queue: selection ----------------------------------------------------
  var selectedId = null;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue-body tr.row")); }

  function showSelection() {
    rows().forEach(function (row) {
      var on = row.dataset.id === selectedId;
      row.classList.toggle("selected", on);
      if (on) { row.setAttribute("aria-selected", "true"); } else { row.removeAttribute("aria-selected"); }
    });
  }

  function move(step) {
    var list = rows();
    if (!list.length) { return; }
    var at = list.findIndex(function (row) { return row.dataset.id === selectedId; });
    at = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + step));
    selectedId = list[at].dataset.id;
    showSelection();
    list[at].scrollIntoView({ block: "nearest" });
  }

  function openSelected() {
    var row = rows().find(function (r) { return r.dataset.id === selectedId; });
    if (row) { window.location.assign(row.dataset.href); }
  }

  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#queue-body tr.row");
    if (row && !event.target.closest("a")) { window.location.assign(row.dataset.href); }
  });

  // -- live updates (queue rows; an item's state) -----------------------------
  // On an item page: once another reviewer has decided, its decision forms go
  // away (the server would refuse them anyway) and polling stops.
  function itemClosed() {
    var state = document.getElementById("live-state");
    if (page !== "item" || !state || !state.dataset.closed) { return false; }
    var actions = document.getElementById("actions");
    if (actions) { actions.hidden = true; }
    busy = true;
    return true;
  }

  function startPolling() {
    var live = document.getElementById("live");
    if (!live) { return; }
    var interval = parseInt(live.dataset.interval, 10) || 3000;
    function schedule() { window.setTimeout(tick, interval); }
    function tick() {
      if (document.hidden) { schedule(); return; }
      fetch(live.dataset.poll, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 401) { window.location.reload(); return null; }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html === null) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          live.replaceChildren.apply(live, Array.prototype.slice.call(doc.body.childNodes));
          showSelection();
          live.dispatchEvent(new CustomEvent("queue-updated"));
        })
        .catch(function () { /* offline for a moment: try again next tick */ })
        .then(function () { if (!itemClosed()) { schedule(); } });
    }
    schedule();
  }

  // -- item: actions -------------------------------------------------------
  function submit(id) {
    var form = document.getElementById(id);
    if (!form || busy) { return; }
    busy = true;
    form.requestSubmit();
  }

  function follow(key) {
    var link = document.querySelector('a[data-key="' + key + '"]');
    if (link) { window.location.assign(link.href); }
  }

  function openEditor() {
    var editor = document.getElementById("editor");
    var text = document.getElementById("edit-text");
    if (!editor || !text) { return; }
    editor.open = true;
    text.focus();
  }

  document.addEventListener("submit", function () { busy = true; });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") { toggleHelp(false); return; }
    if (typing(event.target)) { return; }
    var key = event.key;
    if (key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (page === "queue") {
      if (key === "j") { move(1); } else if (key === "k") { move(-1); } else if (key === "Enter" && selectedId) { openSelected(); } else { return; }
    } else if (page === "item") {
      if (key === "j" || key === "k" || key === "u") { follow(key); }
      else if (key === "a") { submit("approve-form"); }
      else if (key === "r") { submit("reject-form"); }
      else if (key === "c") { submit("claim-form"); }
      else if (key === "e") { openEditor(); }
      else { return; }
    } else {
      return;
    }
    event.preventDefault();
  });

  if (page === "queue" || (page === "item" && !itemClosed())) { startPolling(); }
})();
