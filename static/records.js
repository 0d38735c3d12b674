// The record form's line editor: add and remove lines, show what a line comes to (Qty x Rate)
// and the lines' total. Without this script the form still posts, with its blank rows.
(function () {
  if (window.zeraRecords) return;
  window.zeraRecords = true;

  function formOf(el) { return el && el.closest ? el.closest("form.record-form") : null; }

  // Cents as integers, so what the page shows adds up the way the server adds.
  function cents(text) {
    var match = /^\s*\$?(-?)([0-9,]*)(?:\.([0-9]{0,2}))?[0-9]*\s*$/.exec(text || "");
    if (!match || (!match[2] && !match[3])) return null;
    var whole = parseInt(match[2].replace(/,/g, "") || "0", 10);
    var frac = parseInt(((match[3] || "") + "00").slice(0, 2), 10);
    return (match[1] ? -1 : 1) * (whole * 100 + frac);
  }
  function money(n) {
    var sign = n < 0 ? "-" : "";
    n = Math.abs(n);
    var whole = Math.floor(n / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + whole + "." + ("0" + (n % 100)).slice(-2);
  }
  function field(row, column) { return row.querySelector('[data-column="' + column + '"]'); }

  function refresh(form) {
    var kind = form.dataset.lines;
    var sums = { Debit: 0, Credit: 0, all: 0 };
    form.querySelectorAll("tbody[data-line-rows] tr[data-line]").forEach(function (row) {
      var amount = field(row, "amount");
      if (!amount) return;
      var qty = field(row, "qty"), price = field(row, "price");
      if (qty && price) {
        var q = parseFloat(qty.value), p = cents(price.value);
        amount.placeholder = !isNaN(q) && p !== null ? money(Math.round(q * p)) : "";
      }
      var value = cents(amount.value || amount.placeholder);
      if (value === null) return;
      var posting = row.querySelector('select[name="line_posting"]');
      if (posting) sums[posting.value] += value;
      sums.all += value;
    });
    var out = form.querySelector("[data-line-total]");
    if (!out) return;
    out.textContent = kind === "journal"
      ? "Debits " + money(sums.Debit) + " · credits " + money(sums.Credit) +
        (sums.Debit === sums.Credit ? "" : " · out by " + money(Math.abs(sums.Debit - sums.Credit)))
      : "Lines total " + money(sums.all);
  }

  document.addEventListener("click", function (e) {
    var form = formOf(e.target);
    if (!form) return;
    var rows = form.querySelector("tbody[data-line-rows]");
    if (e.target.closest("[data-add-line]")) {
      var row = form.querySelector("template[data-line-template]").content.firstElementChild.cloneNode(true);
      rows.appendChild(row);
      var first = row.querySelector("input, select");
      if (first) first.focus();
    } else if (e.target.closest("[data-remove-line]")) {
      e.target.closest("tr[data-line]").remove();
    } else {
      return;
    }
    refresh(form);
  });
  document.addEventListener("input", function (e) {
    var form = formOf(e.target);
    if (form) refresh(form);
  });
  document.addEventListener("change", function (e) {
    var form = formOf(e.target);
    if (form) refresh(form);
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    // A refused record answers 422 (or 409 when someone changed it meanwhile) with the form
    // and its messages: show it.
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    var status = e.detail.xhr.status;
    if ((status === 422 || status === 409) && formOf(elt)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  function start() { document.querySelectorAll("form.record-form").forEach(refresh); }
  document.addEventListener("htmx:afterSettle", start);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
