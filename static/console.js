/* Console pages: "select all" boxes for the bulk decisions on applications. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) { return; }
    var form = box.form;
    form.querySelectorAll('input[name="' + box.dataset.selectAll + '"]').forEach(function (item) {
      item.checked = box.checked;
    });
  });
})();
