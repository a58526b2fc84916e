/*
 * CounterHub website snippet.
 *
 *   <script src="https://HOST/static/counterhub.js" data-counter="NAME" defer></script>
 *
 * Counts one use of NAME once per browser session (tab), and writes the counter's total
 * into every element marked data-counterhub-total (empty, or naming this counter).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var name = script && script.getAttribute("data-counter");
  if (!name) {
    return;
  }
  // The service is wherever this script was loaded from.
  var url = new URL("/count/" + encodeURIComponent(name), script.src).href;
  var key = "counterhub:" + url;

  function alreadyCounted() {
    try {
      return window.sessionStorage.getItem(key) !== null;
    } catch (e) {
      return false; // storage blocked: count, as a visit without storage would
    }
  }

  function rememberCounted() {
    try {
      window.sessionStorage.setItem(key, "1");
    } catch (e) {
      // storage blocked: nothing to remember with
    }
  }

  function showTotal(total) {
    var text = Number(total).toLocaleString();
    var elements = document.querySelectorAll("[data-counterhub-total]");
    for (var i = 0; i < elements.length; i++) {
      var wanted = elements[i].getAttribute("data-counterhub-total");
      if (wanted === "" || wanted === name) {
        elements[i].textContent = text;
      }
    }
  }

  var counted = alreadyCounted();
  // keepalive lets the count finish when the visitor leaves at once; no body and no
  // custom header keep it a simple cross-origin request, without a preflight.
  var request = counted
    ? fetch(url, { credentials: "omit" })
    : fetch(url, { method: "POST", keepalive: true, credentials: "omit" });

  request
    .then(function (response) {
      if (!response.ok) {
        throw new Error("CounterHub answered " + response.status);
      }
      return response.json();
    })
    .then(function (body) {
      if (!counted) {
        rememberCounted();
      }
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () {
          showTotal(body.total);
        });
      } else {
        showTotal(body.total);
      }
    })
    .catch(function (error) {
      if (window.console) {
        window.console.warn("counterhub:", error.message);
      }
    });
})();
