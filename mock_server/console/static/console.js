// sterling-mock console: tabs, copy buttons, confirmations and live fragments. Plain JavaScript, no library.
"use strict";

function setupTabs(root) {
  const tabs = Array.from(root.querySelectorAll('[role="tab"]'));
  const select = (tab) => {
    tabs.forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    });
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (step) {
        const next = tabs[(i + step + tabs.length) % tabs.length];
        select(next);
        next.focus();
      }
    });
  });
  select(tabs.find((t) => t.getAttribute("aria-selected") === "true") || tabs[0]);
}

async function copyFrom(button) {
  const source = document.getElementById(button.dataset.copy);
  const text = source.value;
  try {
    await navigator.clipboard.writeText(text);
  } catch (err) {
    source.hidden = false;
    source.select();
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
}

// Poll a server-rendered fragment every `data-every` ms while the page is visible.
// With `data-after`, new rows are prepended (the journal); otherwise the content is replaced.
function setupLive(el) {
  const every = parseInt(el.dataset.every || "2000", 10);
  let busy = false;
  const tick = async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      let url = el.dataset.live;
      if (el.dataset.after !== undefined) url += (url.includes("?") ? "&" : "?") + "after=" + el.dataset.after;
      const response = await fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "console" } });
      if (!response.ok) return;
      const html = await response.text();
      if (el.dataset.after !== undefined) {
        const holder = document.createElement("tbody");
        holder.innerHTML = html;
        const rows = Array.from(holder.querySelectorAll("tr[data-id]"));
        rows.reverse().forEach((row) => el.insertBefore(row, el.firstChild));
        if (rows.length) el.dataset.after = String(Math.max(...rows.map((r) => parseInt(r.dataset.id, 10))));
      } else {
        el.innerHTML = html;
      }
      el.dataset.updated = String(Date.now());
    } finally {
      busy = false;
    }
  };
  setInterval(tick, every);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-tabs]").forEach(setupTabs);
  document.querySelectorAll("button.copy").forEach((b) => b.addEventListener("click", () => copyFrom(b)));
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  });
  document.querySelectorAll("[data-live]").forEach(setupLive);
});
