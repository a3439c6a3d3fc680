// Łącznik office panel: the little script every page shares. Pages work without it.
"use strict";

// A sign-in link page submits itself, so opening the link signs in (link previews and mail
// scanners, which run no script, do not use the link up).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
});

// fetch() with the page's CSRF token, for pages that refresh parts of themselves.
window.panelFetch = (url, options = {}) => {
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const headers = new Headers(options.headers || {});
  headers.set("X-CSRF-Token", token);
  headers.set("Accept", "application/json");
  return fetch(url, { ...options, headers, credentials: "same-origin" });
};
