// The source panel shows the source that was clicked, and nothing else.
//
// Chainlit 2.11–2.12 opens its side panel by itself whenever a message with side elements
// arrives, filled with every side element of the chat under the newest one's name (upstream
// issue Chainlit/chainlit#2979, fix proposed in #2982). A new answer could so put its source's
// title above an older answer's passage. Until Chainlit ships the fix, this script undoes
// such an opening: when the panel was showing a source the user clicked, that source is shown
// again; when it was closed, it is closed again. Opening by a click is left alone.
(function () {
  "use strict";
  var SETTLE_MS = 600; // a user's click owns the panel's changes until it is this long quiet
  var CLICK_OWNS_AT_MOST_MS = 3000;
  var RESTORE_GAP_MS = 400; // between two of this script's own clicks
  var MAX_RESTORES = 6; // in a row without success, then leave the panel as it is
  var wanted = null; // the source the user opened: {index of its link, what the panel showed}
  var clickAt = 0;
  var lastChangeAt = 0;
  var restoredAt = 0;
  var restores = 0;
  var pending = false;

  function links() {
    return document.querySelectorAll("a.element-link");
  }

  function panel() {
    var content = document.getElementById("side-view-content");
    var title = document.getElementById("side-view-title");
    if (!content || !title) return null;
    return { title: title, key: title.textContent + "|" + content.children.length + "|" +
      content.textContent.length };
  }

  function closePanel(p) {
    var button = p.title.querySelector("button");
    if (button) {
      button.click();
    } else {
      document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    }
  }

  function later(ms) {
    setTimeout(check, ms);
  }

  function userClickOwns(now) {
    return wanted && now - clickAt < CLICK_OWNS_AT_MOST_MS && now - lastChangeAt < SETTLE_MS;
  }

  function check() {
    pending = false;
    var p = panel();
    var now = Date.now();
    if (userClickOwns(now)) {
      // the panel as the user's click left it (it may render in several steps)
      var key = p ? p.key : null;
      if (key !== wanted.key) {
        wanted.key = key;
        lastChangeAt = now;
      }
      later(SETTLE_MS);
      return;
    }
    if (!wanted) {
      if (p) closePanel(p); // the panel opened by itself: close it
      return;
    }
    if (p && p.key === wanted.key) {
      restores = 0;
      return;
    }
    if (restores >= MAX_RESTORES) return;
    if (now - restoredAt < RESTORE_GAP_MS) {
      later(RESTORE_GAP_MS);
      return;
    }
    var link = links()[wanted.index];
    if (!link) {
      wanted = null;
      if (p) closePanel(p);
      return;
    }
    // the panel was showing a clicked source: show that source again (this click is the
    // script's own, untrusted, so it does not change which source is wanted)
    restores += 1;
    restoredAt = now;
    link.click();
    later(RESTORE_GAP_MS);
  }

  document.addEventListener(
    "click",
    function (event) {
      var target = event.target;
      if (!target || !target.closest) return;
      var link = target.closest("a.element-link");
      if (link) {
        if (!event.isTrusted) return; // this script's own restoring click
        wanted = { index: Array.prototype.indexOf.call(links(), link), key: null };
        clickAt = lastChangeAt = Date.now();
        restores = 0;
        later(50);
      } else if (target.closest("#side-view-title button")) {
        wanted = null; // the user closed the panel
      }
    },
    true
  );
  document.addEventListener(
    "keydown",
    function (event) {
      if (event.key === "Escape" && event.isTrusted) wanted = null;
    },
    true
  );

  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      setTimeout(check, 50);
    }
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
})();
