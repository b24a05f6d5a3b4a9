/*
 * The signing wall (templates/agreements/wall.html): listens to the Server-Sent Events
 * stream named in <main data-stream> and puts each new signing on top of the list, with
 * the running totals. EventSource reconnects by itself; the status line says so.
 */
(() => {
  "use strict";

  const MAX_ITEMS = 12;

  const start = () => {
    const wall = document.querySelector("main.wall[data-stream]");
    const template = document.getElementById("wall-item");
    const list = document.getElementById("wall-list");
    const status = document.getElementById("wall-status");
    if (!wall || !template || !list || !window.EventSource) return;

    const say = (key) => {
      if (status) status.textContent = status.dataset[key] || "";
    };

    const show = (data) => {
      if (data.code && list.querySelector(`[data-code="${CSS.escape(data.code)}"]`)) return;
      const item = template.content.firstElementChild.cloneNode(true);
      item.dataset.code = data.code || "";
      item.querySelectorAll("[data-field]").forEach((field) => {
        const value = data[field.dataset.field];
        field.textContent = value === null || value === undefined || value === "" ? "—" : String(value);
      });
      item.classList.add("wall__item--new");
      list.prepend(item);
      while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
      const count = document.getElementById("wall-count");
      const total = document.getElementById("wall-total");
      if (count && data.count !== undefined) count.textContent = String(data.count);
      if (total && data.total) total.textContent = data.total;
    };

    const source = new EventSource(wall.dataset.stream, { withCredentials: true });
    source.addEventListener("open", () => say("live"));
    source.addEventListener("error", () => say("offline"));
    source.addEventListener("signing", (event) => {
      try {
        show(JSON.parse(event.data));
      } catch (error) {
        // A malformed event is skipped; the next one still shows.
      }
    });
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
