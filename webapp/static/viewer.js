// The page viewer: zoom (wheel, Alt+= / Alt+- / Alt+0), pan (drag, Alt+arrows), and centring a field's box.
(function () {
  "use strict";
  const stage = document.getElementById("stage");
  const canvas = document.getElementById("canvas");
  const noop = { focusKey: function () {}, fit: function () {} };
  if (!stage || !canvas) {
    window.pageViewer = noop;
    return;
  }
  const width = Number(canvas.dataset.width);
  const height = Number(canvas.dataset.height);
  // A scan of an open book is shown as its two pages side by side: x of the second page's left edge (0: one page).
  const secondPage = Number(canvas.dataset.secondPage) || 0;
  let scale = 1;
  let tx = 0;
  let ty = 0;

  function minScale() {
    return Math.min(stage.clientWidth / width, stage.clientHeight / height) * 0.5;
  }

  function apply() {
    canvas.style.transform = "translate(" + tx + "px, " + ty + "px) scale(" + scale + ")";
  }

  function fit() {
    scale = stage.clientWidth / width;
    tx = 0;
    ty = 0;
    apply();
  }

  // Zooms keeping the point (cx, cy) of the stage where it is, as maps do.
  function zoomAt(factor, cx, cy) {
    const next = Math.max(minScale(), Math.min(4, scale * factor));
    tx = cx - ((cx - tx) * next) / scale;
    ty = cy - ((cy - ty) * next) / scale;
    scale = next;
    apply();
  }

  function zoomCentre(factor) {
    zoomAt(factor, stage.clientWidth / 2, stage.clientHeight / 2);
  }

  function pan(dx, dy) {
    tx += dx;
    ty += dy;
    apply();
  }

  // The left edge of the page a box lies on: the image's, or the second page's on a spread.
  function pageLeft(x) {
    return secondPage > 0 && x >= secondPage ? secondPage : 0;
  }

  // Shows one field's box in the middle of the stage, wide enough to read, and marks it.
  function focusKey(key) {
    const rects = canvas.querySelectorAll("rect.box");
    let target = null;
    rects.forEach(function (rect) {
      const on = rect.dataset.key === key;
      rect.classList.toggle("active", on);
      if (on) target = rect;
    });
    if (!target) return;
    const x = Number(target.getAttribute("x"));
    const y = Number(target.getAttribute("y"));
    const w = Number(target.getAttribute("width"));
    const h = Number(target.getAttribute("height"));
    // From the left edge of the box's page to the box's right edge: the printed label stays in view beside
    // the value, and a field of a spread's second page is shown without the first page.
    const left = pageLeft(x);
    const span = x + w + 20 - left;
    scale = Math.max(minScale(), Math.min(1.5, (stage.clientWidth * 0.96) / span));
    tx = stage.clientWidth / 2 - (left + span / 2) * scale;
    ty = stage.clientHeight / 2 - (y + h / 2) * scale;
    apply();
  }

  stage.addEventListener(
    "wheel",
    function (event) {
      event.preventDefault();
      const box = stage.getBoundingClientRect();
      zoomAt(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - box.left, event.clientY - box.top);
    },
    { passive: false }
  );

  let dragging = null;
  stage.addEventListener("pointerdown", function (event) {
    dragging = { x: event.clientX, y: event.clientY };
    stage.setPointerCapture(event.pointerId);
    stage.classList.add("dragging");
  });
  stage.addEventListener("pointermove", function (event) {
    if (!dragging) return;
    pan(event.clientX - dragging.x, event.clientY - dragging.y);
    dragging = { x: event.clientX, y: event.clientY };
  });
  function stopDrag() {
    dragging = null;
    stage.classList.remove("dragging");
  }
  stage.addEventListener("pointerup", stopDrag);
  stage.addEventListener("pointercancel", stopDrag);

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const step = 80;
    const actions = {
      ArrowLeft: function () { pan(step, 0); },
      ArrowRight: function () { pan(-step, 0); },
      ArrowUp: function () { pan(0, step); },
      ArrowDown: function () { pan(0, -step); },
      "=": function () { zoomCentre(1.25); },
      "+": function () { zoomCentre(1.25); },
      "-": function () { zoomCentre(0.8); },
      "0": fit,
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  document.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      const kind = button.dataset.zoom;
      if (kind === "in") zoomCentre(1.25);
      else if (kind === "out") zoomCentre(0.8);
      else fit();
    });
  });

  window.addEventListener("resize", fit);
  fit();
  window.pageViewer = { focusKey: focusKey, fit: fit };
})();
