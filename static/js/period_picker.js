// The dashboards' period picker (issue 16): show only the fields of the chosen period (年度: 年份;
// 季度: 年份 and 季度; 月度: 年份 and 月份; 自定义: the two dates). Hidden fields are disabled, so
// they are not sent either. Without JavaScript every field shows and the server reads the ones
// the period needs.
(function () {
  "use strict";
  var form = document.getElementById("period-picker");
  if (!form) { return; }
  var kind = form.querySelector('select[name="period"]');
  if (!kind) { return; }

  function apply() {
    var chosen = kind.value || "year";
    form.querySelectorAll("[data-period-for]").forEach(function (box) {
      var show = box.getAttribute("data-period-for").split(" ").indexOf(chosen) >= 0;
      box.classList.toggle("d-none", !show);
      box.querySelectorAll("input, select").forEach(function (field) { field.disabled = !show; });
    });
  }
  kind.addEventListener("change", apply);
  apply();
})();
