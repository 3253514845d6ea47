// Errata table: find claims by a word, filter by verdict and section, sort by a column.
// Plain DOM, no dependency. The hook loads it only on the page with the table, after
// the table and before Material's bundle (measured/web/assets.py), so the filter
// works as soon as the page is parsed. Without JavaScript the filters stay hidden
// and every entry is shown.
(function () {
  // Typographic apostrophes and quotes match the ones a keyboard types.
  function fold(text) {
    return text.toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"');
  }

  function setUp(root) {
    if (root.dataset.errataReady) return;
    root.dataset.errataReady = "1";
    var table = root.querySelector("table");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var filters = root.querySelectorAll("select[data-filter]");
    var text = root.querySelector("[data-filter-text]");
    var shown = root.querySelector("[data-errata-shown]");
    // What the word filter searches: the claim's quote, its section and correction.
    var haystacks = rows.map(function (row) {
      return fold([0, 1, 3].map(function (i) { return row.cells[i].textContent; }).join(" "));
    });

    function apply() {
      var words = fold(text.value).split(/\s+/).filter(Boolean);
      var count = 0;
      rows.forEach(function (row, i) {
        var visible = Array.prototype.every.call(filters, function (select) {
          return !select.value || row.dataset[select.dataset.filter] === select.value;
        }) && words.every(function (word) { return haystacks[i].indexOf(word) !== -1; });
        row.hidden = !visible;
        if (visible) count += 1;
      });
      shown.textContent = count + " of " + rows.length + " claims shown";
    }

    root.querySelectorAll("button[data-sort]").forEach(function (button) {
      button.addEventListener("click", function () {
        var column = Number(button.dataset.sort);
        var th = button.parentElement;
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        root.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var order = rows.map(function (row, i) { return i; });
        order.sort(function (a, b) {
          var x = rows[a].cells[column].textContent.trim();
          var y = rows[b].cells[column].textContent.trim();
          return ascending ? x.localeCompare(y) : y.localeCompare(x);
        });
        rows = order.map(function (i) { return rows[i]; });
        haystacks = order.map(function (i) { return haystacks[i]; });
        rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
      });
    });
    filters.forEach(function (select) { select.addEventListener("change", apply); });
    text.addEventListener("input", apply);
    root.querySelector(".errata-filters").hidden = false;
    apply();
  }

  function init() {
    document.querySelectorAll("[data-errata]").forEach(setUp);
  }
  init(); // the table is already parsed: this script comes after it
  if (typeof document$ !== "undefined") {
    document$.subscribe(init); // instant navigation, if it is ever turned on
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
