// Łącznik office panel, announcements: live counts while composing, and a report that
// refreshes itself. Without this script the pages work the same: "Policz" counts, and the
// report is a normal page.
"use strict";

// Replace a part of the page with its fresh server-rendered HTML (escaped there), unless
// the person is working inside it (focus would be lost); open <details> stay open.
function swapPart(element, html) {
  if (!element || typeof html !== "string" || element.innerHTML === html) return;
  if (element.contains(document.activeElement) && document.activeElement !== document.body) {
    return;
  }
  const open = Array.from(element.querySelectorAll("details[open][id]"), (d) => d.id);
  element.innerHTML = html;
  open.forEach((id) => {
    const details = document.getElementById(id);
    if (details) details.open = true;
  });
}

function liveCounts(form) {
  const body = document.getElementById("counts-body");
  if (!body || !form.dataset.countUrl) return;
  let timer = null;
  let asked = 0;
  const update = () => {
    const mine = ++asked;
    const data = new FormData(form);
    data.set("do", "count");
    // The server answers 200 for a form still being filled in ("incomplete": the hint,
    // no error before anything is typed) and for a wrong one ("invalid": what is wrong).
    window.panelFetch(form.dataset.countUrl, { method: "POST", body: data })
      .then((response) => response.json())
      .then((json) => {
        if (mine !== asked) return;
        if (typeof json.html === "string") {
          swapPart(body, json.html);
        } else if (typeof json.error === "string") {
          // What is still missing ("Wybierz gminę."), as text: never markup.
          const note = document.createElement("p");
          note.className = "hint";
          note.textContent = json.error;
          body.replaceChildren(note);
        }
      })
      .catch(() => {});
  };
  const later = (delay) => () => {
    clearTimeout(timer);
    timer = setTimeout(update, delay);
  };
  form.addEventListener("input", later(500));
  form.addEventListener("change", later(150));
}

// Show only the field the chosen audience needs (without script all of them are shown and
// the server reads the one that belongs to the choice).
function chosenField(form) {
  const fields = { forum: "f-forum", gmina: "f-gmina", person: "f-email" };
  const update = () => {
    const chosen = form.querySelector("input[name=kind]:checked");
    Object.entries(fields).forEach(([kind, id]) => {
      const input = document.getElementById(id);
      const wrap = input && input.closest(".field");
      if (wrap) wrap.hidden = !chosen || chosen.value !== kind;
    });
  };
  form.addEventListener("change", update);
  update();
}

function liveReport(live) {
  const people = document.getElementById("report-people");
  const summary = document.getElementById("report-summary");
  const updated = document.getElementById("report-updated");
  const refresh = () => {
    if (document.hidden) return;
    window.panelFetch(live.dataset.refresh + window.location.search)
      .then((response) => (response.ok ? response.json() : null))
      .then((json) => {
        if (!json) return;
        swapPart(live, json.live);
        swapPart(people, json.people);
        // Only the counters line is a live region: read out when the numbers change.
        const strong = summary && summary.querySelector("strong");
        if (strong && json.summary && strong.textContent !== json.summary) {
          strong.textContent = json.summary;
        }
        if (updated && json.updated) updated.textContent = json.updated;
      })
      .catch(() => {});
  };
  setInterval(refresh, 10000);
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compose");
  if (form) {
    chosenField(form);
    liveCounts(form);
  }
  const live = document.getElementById("report-live");
  if (live && live.dataset.refresh) liveReport(live);
});
