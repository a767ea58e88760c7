// The session form (登记协商活动): add or remove attendance rows without a round trip, and reload
// the lists when the venue changes. Without JavaScript the same buttons post the page back to the
// server ("_reload"), which re-renders it with everything typed kept.
(function () {
  "use strict";
  var form = document.getElementById("consultation-form");
  if (!form) { return; }
  var rows = document.getElementById("attendance-rows");
  var select = document.getElementById("add_member");
  var addButton = document.getElementById("add-member-button");
  var template = document.getElementById("attendance-row-template");
  var venue = document.getElementById("id_venue");
  var reload = document.getElementById("reload-venue");

  // Remove buttons of rows rendered by the server are hidden until JavaScript can run them.
  form.querySelectorAll(".js-only").forEach(function (el) { el.classList.remove("d-none"); });

  function addRow(option) {
    var id = option.value;
    if (!id || rows.querySelector('[data-member="' + id + '"]')) { return; }
    var html = template.innerHTML.split("__ID__").join(id);
    var holder = document.createElement("ul");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    row.querySelector(".member-name").textContent = option.textContent;
    row.querySelector(".member-sector").textContent = option.getAttribute("data-sector") || "";
    var fieldset = row.querySelector("fieldset");
    fieldset.setAttribute("aria-label", option.textContent + " 出席情况");
    row.querySelector("[data-remove-member]").setAttribute("aria-label", "移除 " + option.textContent);
    rows.appendChild(row);
    row.dataset.optionText = option.textContent;
    row.dataset.optionSector = option.getAttribute("data-sector") || "";
    option.remove();
    select.value = "";
    var empty = document.getElementById("attendance-empty");
    if (empty) { empty.remove(); }
  }

  if (addButton && select && template && rows) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var option = select.options[select.selectedIndex];
      if (option && option.value) { addRow(option); }
      select.focus();
    });
  }

  if (rows) {
    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-member]");
      if (!button) { return; }
      var row = button.closest("[data-member]");
      var option = document.createElement("option");
      option.value = row.getAttribute("data-member");
      option.textContent = row.dataset.optionText || row.querySelector(".member-name").textContent;
      option.setAttribute("data-sector", row.dataset.optionSector || "");
      select.appendChild(option);
      row.remove();
    });
  }

  // A new venue lists other members and topics: post the page back with what was typed.
  if (venue && reload) {
    venue.addEventListener("change", function () {
      if (venue.value) { reload.click(); }
    });
  }
})();
