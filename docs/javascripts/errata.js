// Errata table: filter rows by verdict and section, sort by a column.
// Plain DOM, no dependency; runs on every page load (Material's document$ when
// instant navigation is on) and does nothing on pages without the table.
(function () {
  function setUp(root) {
    var table = root.querySelector("table");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var filters = root.querySelectorAll("select[data-filter]");
    var shown = root.querySelector("[data-errata-shown]");

    function apply() {
      var count = 0;
      rows.forEach(function (row) {
        var visible = Array.prototype.every.call(filters, function (select) {
          return !select.value || row.dataset[select.dataset.filter] === select.value;
        });
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
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent.trim();
          var y = b.cells[column].textContent.trim();
          return ascending ? x.localeCompare(y) : y.localeCompare(x);
        });
        rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
      });
    });
    filters.forEach(function (select) { select.addEventListener("change", apply); });
    apply();
  }

  function init() {
    document.querySelectorAll("[data-errata]").forEach(setUp);
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
