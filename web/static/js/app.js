/*
 * matchmaker portal behaviour. Loaded with `defer` after vendor/htmx.min.js; no inline
 * scripts or styles anywhere, so a strict Content-Security-Policy holds. Every page works
 * without this file: it only adds confirmations, auto-submitting filters and CSRF for htmx.
 */
(() => {
  "use strict";

  // htmx settings that keep a strict CSP and keep private pages out of localStorage.
  // Set before DOMContentLoaded, when htmx reads its configuration.
  if (window.htmx) {
    Object.assign(window.htmx.config, {
      includeIndicatorStyles: false, // would inject a <style>; app.css styles .htmx-indicator
      allowEval: false, // hx-on and trigger filters need eval; use plain listeners instead
      allowScriptTags: false, // never run <script> found in swapped HTML
      historyCacheSize: 0, // no page snapshots (contact details, tokens) in localStorage
      refreshOnHistoryMiss: true,
    });
  }

  const csrfToken = () => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };

  // The server compares a form field `csrf_token` with its cookie on every unsafe request.
  // Send it in the body (also for DELETE, which htmx would otherwise put in the URL) and as
  // the X-CSRF-Token header that the API accepts.
  document.addEventListener("htmx:configRequest", (event) => {
    const detail = event.detail;
    const token = csrfToken();
    if (!token || detail.verb === "get") return;
    detail.parameters.csrf_token = token;
    detail.headers["X-CSRF-Token"] = token;
    detail.useUrlParams = false;
  });

  const confirmed = (element) => window.confirm(element.dataset.confirm);

  const stop = (event) => {
    event.preventDefault();
    event.stopImmediatePropagation();
  };

  // data-confirm="…" on a link, button or form: ask before going on. Capture phase on the
  // document, so a refusal stops the event before htmx or any other handler sees it.
  document.addEventListener(
    "click",
    (event) => {
      if (!(event.target instanceof Element)) return;
      const trigger = event.target.closest(
        "a[data-confirm], button[data-confirm], input[data-confirm]",
      );
      if (trigger && !confirmed(trigger)) stop(event);
    },
    true,
  );

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
      // A submit button with its own data-confirm has already asked on click.
      if (event.submitter && event.submitter.hasAttribute("data-confirm")) return;
      if (!confirmed(form)) stop(event);
    },
    true,
  );

  // <select data-autosubmit> submits its form on change. The form keeps its own submit
  // button for keyboard users and for browsers without JavaScript.
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-autosubmit")) return;
    const form = select.form;
    if (!form) return;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(); // fires `submit`: validation, data-confirm and htmx all apply
    } else {
      form.submit();
    }
  });
})();
