// The review grid's keyboard and small helpers. j/k or the arrow keys move between rows; a
// approves, x excludes, e edits, s splits, r reopens, Space ticks the row; in a row's form Enter
// saves and Escape cancels. Every action is a link or a button of the page, so the grid works
// without this script (and with the mouse or a finger) just the same.
(function () {
  if (window.zeraReview) return;
  window.zeraReview = true;

  var advance = false; // move to the next row once the current one has been approved or excluded
  var lastStatus = 0; // the status of the answer being swapped in

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#grid tbody tr[data-record]")); }
  function current() { return document.querySelector("#grid tbody tr.current"); }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));
  }

  function select(row, focusForm) {
    if (!row) return;
    rows().forEach(function (r) { if (r !== row) r.classList.remove("current"); });
    row.classList.add("current");
    row.scrollIntoView({ block: "nearest" });
    if (focusForm && row.classList.contains("editing")) {
      var field = row.querySelector("label:not([hidden]) input[name=payee]") ||
        row.querySelector("input[name=account], input[name=amount]");
      if (field) { field.focus(); if (field.select) field.select(); }
    }
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(current());
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }

  function press(row, key) {
    var control = row && row.querySelector('[data-key="' + key + '"]');
    if (!control) return false;
    // A row just swapped in is wired up by htmx when it settles; a quick key must not beat it
    // (the link would then be followed as a plain page load).
    if (window.htmx) window.htmx.process(row);
    control.click();
    return true;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !document.getElementById("grid")) return;
    var row = current();
    var form = e.target.closest && e.target.closest("tr.editing form");
    if (e.key === "Escape") {
      var editing = (form && form.closest("tr")) || (row && row.classList.contains("editing") && row);
      if (editing && press(editing, "cancel")) e.preventDefault();
      return;
    }
    if (typing(e.target)) return; // Enter in a field submits its form: the browser does that
    if (e.key === "Enter" && row && row.classList.contains("editing")) {
      var rowForm = row.querySelector("form");
      if (rowForm) { e.preventDefault(); rowForm.requestSubmit(); }
      return;
    }
    var handled = true;
    switch (e.key) {
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "a": advance = press(row, "a"); break;
      case "x": advance = press(row, "x"); break;
      case "e": press(row, "e"); break;
      case "s": press(row, "s"); break;
      case "r": press(row, "r"); break;
      case " ":
        var box = row && row.querySelector("input[type=checkbox]");
        if (box) box.click(); else handled = false;
        break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });

  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("#grid tbody tr[data-record]");
    if (row && !row.classList.contains("current")) select(row);
  });

  // A row answered 409 (changed by someone else) or 422 (check the fields), a bulk action or a
  // question answered 400: the answer explains itself, so show it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    lastStatus = status;
    var source = e.detail.requestConfig && e.detail.requestConfig.elt;
    var ours = source && source.closest && (source.closest("#grid") || source.closest(".asks"));
    if (ours && (status === 400 || status === 409 || status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // A row swapped in (htmx:load fires on the new row; the request's own element is gone by
  // then): it becomes the current row, its form's first field focused; after a keyboard
  // approve or exclude that worked, the next row is.
  document.addEventListener("htmx:load", function (e) {
    var row = e.target;
    if (!row.matches || !row.matches("#grid tbody tr[data-record]")) return;
    var moveOn = advance && lastStatus < 300 && !row.classList.contains("editing");
    advance = false;
    select(row, true);
    if (moveOn) move(1);
  });

  // The type picks the lists the payee and the account come from.
  document.addEventListener("change", function (e) {
    if (!e.target.matches || !e.target.matches("select[data-type]")) return;
    var option = e.target.selectedOptions[0];
    var form = e.target.form;
    form.querySelector("input[name=account]").setAttribute("list", option.dataset.accounts);
    form.querySelector("[data-account]").hidden = !option.dataset.booked;
    var payee = form.querySelector("[data-payee]");
    payee.hidden = !option.dataset.names;
    payee.querySelector("input").setAttribute("list", option.dataset.names || "");
  });

  // A split's running total, against the statement line's amount.
  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("form.split-form");
    if (!form || e.target.name !== "amount") return;
    var cents = 0;
    form.querySelectorAll("input[name=amount]").forEach(function (input) {
      var value = parseFloat(input.value.replace(/,/g, ""));
      if (!isNaN(value)) cents += Math.round(value * 100);
    });
    var want = Math.round(parseFloat(form.dataset.total) * 100);
    var out = form.querySelector(".split-total output");
    out.textContent = (cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    out.parentNode.classList.toggle("off", cents !== want);
  });
})();
