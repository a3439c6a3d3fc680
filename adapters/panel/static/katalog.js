// Katalog: the freshness campaign's counters follow the answers while the page is open.
// The page shows the same counters without this script (a reload brings them up to date).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("fresh-progress");
  if (!table || !window.panelFetch) return;
  const refresh = async () => {
    try {
      const response = await window.panelFetch("/panel/katalog/aktualnosc.json");
      if (!response.ok) return;
      const counts = await response.json();
      for (const cell of table.querySelectorAll("td[data-count]")) {
        const value = counts[cell.dataset.count];
        if (typeof value === "number" && cell.textContent !== String(value)) {
          cell.textContent = String(value);
        }
      }
    } catch (_error) {
      // offline for a moment: the next round tries again
    }
  };
  window.setInterval(refresh, 15000);
});
