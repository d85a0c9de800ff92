// The review screen's keyboard: Tab between flagged fields, type to replace, Enter confirms, Ctrl+U unreadable,
// Ctrl+Enter saves and opens the next record, Ctrl+R rejects. Values are checked by the server as they are typed.
(function () {
  "use strict";
  const form = document.getElementById("review-form");
  if (!form || form.dataset.editable !== "true") return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const year = parseInt(form.dataset.year, 10) || null;
  // Tab and Enter walk the flagged fields; a record with none (drawn to audit auto-accepted values) walks all.
  const flaggedOnly = Array.from(form.querySelectorAll("fieldset.field.flagged"));
  const flagged = flaggedOnly.length ? flaggedOnly : Array.from(form.querySelectorAll("fieldset.field"));
  const dialog = document.getElementById("reject-dialog");
  const viewer = window.pageViewer || { focusKey: function () {} };
  const pending = new Map(); // fieldset -> timer of the debounced check
  const latest = new Map(); // fieldset -> number of its newest check, so an older answer never wins
  const answers = new Map(); // fieldset -> {raw, result} of its last answer, so Enter needs no second round trip

  function input(fs) { return fs.querySelector("input.value"); }
  function output(fs) { return fs.querySelector("output.canonical"); }
  function errorOf(fs) { return fs.querySelector("p.error"); }
  function decision(fs) { return fs.querySelector("select.decision").value; }
  function fieldsetOf(el) { return el && el.closest ? el.closest("fieldset.field") : null; }

  function setDecision(fs, value) {
    fs.querySelector("select.decision").value = value;
    fs.dataset.decision = value;
  }

  function showError(fs, message) {
    const p = errorOf(fs);
    p.textContent = message || "";
    p.hidden = !message;
    fs.classList.toggle("invalid", Boolean(message));
  }

  function showResult(fs, result) {
    const out = output(fs);
    if (result.ok) {
      out.textContent = result.value === null ? "→ blank" : "→ " + result.value;
      out.classList.toggle("warn", Boolean(result.warning));
      if (result.warning) out.textContent += " (" + result.warning + ")";
      showError(fs, "");
    } else {
      out.textContent = "";
      showError(fs, result.message || "cannot be read");
    }
  }

  // Asks the server for the canonical form of what is typed; resolves to {ok, value, message, warning}.
  async function check(fs) {
    const raw = input(fs).value;
    if (raw === fs.dataset.original) {
      output(fs).textContent = "";
      showError(fs, "");
      return { ok: true, value: raw };
    }
    const known = answers.get(fs);
    if (known && known.raw === raw) {
      showResult(fs, known.result);
      return known.result;
    }
    const number = (latest.get(fs) || 0) + 1;
    latest.set(fs, number);
    const response = await fetch("/api/parse", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ value_type: fs.dataset.type, raw: raw, key: fs.dataset.key, reference_year: year }),
    });
    const result = response.ok
      ? await response.json()
      : { ok: false, value: null, message: "the value could not be checked (" + response.status + ")" };
    if (response.ok) answers.set(fs, { raw: raw, result: result });
    if (latest.get(fs) === number) showResult(fs, result);
    return result;
  }

  function scheduleCheck(fs) {
    clearTimeout(pending.get(fs));
    pending.set(fs, setTimeout(function () { check(fs); }, 250));
  }

  function focusField(fs) {
    if (!fs) return;
    const el = input(fs);
    el.focus();
  }

  function neighbour(fs, step) {
    if (!flagged.length) return null;
    const at = flagged.indexOf(fs);
    const from = at < 0 ? (step > 0 ? -1 : 0) : at;
    return flagged[(from + step + flagged.length) % flagged.length];
  }

  function nextUndecided(fs) {
    const at = flagged.indexOf(fs);
    for (let i = 1; i <= flagged.length; i += 1) {
      const candidate = flagged[(at + i + flagged.length) % flagged.length];
      if (!decision(candidate)) return candidate;
    }
    return null;
  }

  function advance(fs) {
    const next = nextUndecided(fs);
    if (next) focusField(next);
    else document.getElementById("save").focus();
  }

  async function confirmField(fs) {
    clearTimeout(pending.get(fs));
    const el = input(fs);
    if (el.value === fs.dataset.original) {
      setDecision(fs, "confirm");
      output(fs).textContent = "";
      showError(fs, "");
      advance(fs);
      return;
    }
    const result = await check(fs);
    if (!result.ok) {
      el.focus();
      el.select(); // refused: what is typed next replaces the wrong text
      return;
    }
    // What is saved is what is shown: the canonical form replaces the typed text.
    el.value = result.value === null ? "" : result.value;
    setDecision(fs, el.value === fs.dataset.original ? "confirm" : "edit");
    advance(fs);
  }

  function markUnreadable(fs) {
    clearTimeout(pending.get(fs));
    input(fs).value = "";
    setDecision(fs, "unreadable");
    output(fs).textContent = "→ unreadable";
    showError(fs, "");
    if (flagged.indexOf(fs) >= 0) advance(fs);
  }

  function undo(fs) {
    clearTimeout(pending.get(fs));
    input(fs).value = fs.dataset.original;
    setDecision(fs, "");
    output(fs).textContent = "";
    showError(fs, "");
    input(fs).select();
  }

  async function saveAndNext() {
    for (const fs of flaggedOnly) {
      if (!decision(fs)) {
        showError(fs, "not reviewed: Enter to confirm, type the right value, or Ctrl+U if unreadable");
        focusField(fs);
        return;
      }
    }
    for (const fs of form.querySelectorAll("fieldset.field")) {
      if (decision(fs) === "unreadable" || input(fs).value === fs.dataset.original) continue;
      const result = await check(fs);
      if (!result.ok) {
        const details = fs.closest("details");
        if (details) details.open = true;
        focusField(fs);
        return;
      }
    }
    form.submit();
  }

  function openReject() {
    if (!dialog) return;
    dialog.showModal();
    const first = dialog.querySelector("input[type=radio]");
    if (first) first.focus();
  }

  form.addEventListener("focusin", function (event) {
    const fs = fieldsetOf(event.target);
    if (!fs || !event.target.matches("input.value")) return;
    form.querySelectorAll("fieldset.field.active").forEach(function (f) { f.classList.remove("active"); });
    fs.classList.add("active");
    // Typing replaces the value: the whole text is selected when a field is entered.
    event.target.select();
    viewer.focusKey(fs.dataset.key);
  });

  form.addEventListener("input", function (event) {
    const fs = fieldsetOf(event.target);
    if (!fs || !event.target.matches("input.value")) return;
    setDecision(fs, event.target.value === fs.dataset.original ? "" : "edit");
    scheduleCheck(fs);
  });

  form.addEventListener("change", function (event) {
    const fs = fieldsetOf(event.target);
    if (!fs || !event.target.matches("select.decision")) return;
    if (event.target.value === "unreadable") markUnreadable(fs);
    else fs.dataset.decision = event.target.value;
  });

  form.addEventListener("submit", function (event) {
    const action = event.submitter ? event.submitter.getAttribute("formaction") : null;
    if (action) return; // "put back" goes straight through
    event.preventDefault();
    saveAndNext();
  });

  document.addEventListener("keydown", function (event) {
    if (dialog && dialog.open) return; // the dialog keeps its own keys (Esc closes it)
    const fs = fieldsetOf(document.activeElement);
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && event.key === "Enter") {
      event.preventDefault();
      saveAndNext();
    } else if (ctrl && (event.key === "r" || event.key === "R")) {
      event.preventDefault();
      openReject();
    } else if (ctrl && (event.key === "u" || event.key === "U")) {
      event.preventDefault();
      if (fs) markUnreadable(fs);
    } else if (event.key === "Tab" && !ctrl && !event.altKey) {
      if (fs && flagged.indexOf(fs) < 0) return; // the other fields keep the usual Tab order
      if (!flagged.length) return;
      event.preventDefault();
      focusField(neighbour(fs, event.shiftKey ? -1 : 1));
    } else if (event.key === "Enter" && fs && event.target.matches("input.value")) {
      event.preventDefault();
      confirmField(fs);
    } else if (event.key === "Escape" && fs && event.target.matches("input.value")) {
      event.preventDefault();
      undo(fs);
    }
  });

  if (dialog) {
    document.getElementById("reject-open").addEventListener("click", openReject);
    document.getElementById("reject-cancel").addEventListener("click", function () { dialog.close(); });
  }

  // The lease lasts 15 minutes: renewed every 4 while the screen is open and the reviewer has done something.
  let active = false;
  form.addEventListener("keydown", function () { active = true; });
  form.addEventListener("pointerdown", function () { active = true; });
  setInterval(async function () {
    if (!active) return;
    active = false;
    const response = await fetch("/api/records/" + form.dataset.record + "/lease", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrf },
    });
    const lease = response.ok ? await response.json() : { held: false };
    const banner = document.getElementById("lease-lost");
    if (banner) banner.hidden = lease.held;
  }, 4 * 60 * 1000);

  form.querySelectorAll("fieldset.field").forEach(function (fs) {
    fs.dataset.decision = decision(fs);
  });
  const invalid = form.querySelector("fieldset.field.invalid");
  if (invalid) {
    const details = invalid.closest("details");
    if (details) details.open = true;
  }
  focusField(invalid || flagged.find(function (fs) { return !decision(fs); }) || flagged[0]);
})();
