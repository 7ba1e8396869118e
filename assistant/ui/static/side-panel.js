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
  var CLICK_WINDOW_MS = 600;
  var wanted = null; // the source the user opened: {index of its link, what the panel showed}
  var lastClickAt = 0;
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

  function check() {
    pending = false;
    var p = panel();
    if (Date.now() - lastClickAt < CLICK_WINDOW_MS) {
      if (p && wanted) wanted.key = p.key; // opened (or changed) by the user's click
      return;
    }
    if (!wanted) {
      if (p) closePanel(p); // the panel opened by itself: close it
      return;
    }
    if (p && p.key === wanted.key) return;
    var link = links()[wanted.index];
    if (link) {
      link.click(); // the panel was showing a clicked source: show that source again
    } else {
      wanted = null;
      if (p) closePanel(p);
    }
  }

  document.addEventListener(
    "click",
    function (event) {
      var target = event.target;
      if (!target || !target.closest) return;
      var link = target.closest("a.element-link");
      if (link) {
        wanted = { index: Array.prototype.indexOf.call(links(), link), key: null };
        lastClickAt = Date.now();
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
