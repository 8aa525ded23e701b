/* Kiosk mode: sign out after inactivity (the server ends the session too: assist.middleware), clearing what
   the browser holds for the next person; and the print buttons. */
(function () {
  "use strict";
  function clearClientState() {
    try { window.sessionStorage.clear(); } catch (e) { /* storage disabled */ }
    try { window.localStorage.clear(); } catch (e) { /* storage disabled */ }
    document.querySelectorAll("form").forEach(function (form) { form.reset(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("kiosk-config");
    if (!body) { return; }
    var seconds = parseInt(body.getAttribute("data-kiosk-idle") || "0", 10);
    var endForm = document.getElementById("kiosk-end-form");
    var timer = null;
    /* The start screen begins a new person's visit: nothing from the previous one stays in the browser. */
    if (window.location.pathname === body.getAttribute("data-kiosk-home")) { clearClientState(); }
    function expire() {
      clearClientState();
      if (endForm) {
        endForm.querySelector("input[name=reason]").value = "idle";
        endForm.submit();
      } else {
        window.location.assign(body.getAttribute("data-kiosk-home") + "?ended=idle");
      }
    }
    function restart() {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(expire, seconds * 1000);
    }
    if (seconds > 0 && body.hasAttribute("data-kiosk-signed-in")) {
      ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (name) {
        window.addEventListener(name, restart, { passive: true });
      });
      restart();
    } else if (seconds > 0 && window.location.pathname !== body.getAttribute("data-kiosk-home")) {
      /* Nobody signed in: still go back to the start screen, so a half-typed search or case number does
         not wait for the next person. */
      ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (name) {
        window.addEventListener(name, restart, { passive: true });
      });
      restart();
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
