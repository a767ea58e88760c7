// The session form (登记协商活动), without round trips: add or remove attendance rows, add new
// topic rows, filter the departments' checkboxes, and on a venue change fetch the venue's
// members, host list and topics into the page (the rest of what was typed stays as it is).
// Without JavaScript the same buttons post the page back to the server ("_reload"), which
// re-renders it with everything typed kept.
(function () {
  "use strict";
  var form = document.getElementById("consultation-form");
  if (!form) { return; }
  var venue = document.getElementById("id_venue");

  function showJsOnly(root) {
    root.querySelectorAll(".js-only").forEach(function (el) { el.classList.remove("d-none"); });
    root.querySelectorAll(".no-js-only").forEach(function (el) { el.classList.add("d-none"); });
  }
  showJsOnly(form);

  // --- attendance rows ------------------------------------------------------------------
  function addRow(option) {
    var rows = document.getElementById("attendance-rows");
    var select = document.getElementById("add_member");
    var template = document.getElementById("attendance-row-template");
    var id = option.value;
    if (!id || rows.querySelector('[data-member="' + id + '"]')) { return; }
    var holder = document.createElement("ul");
    holder.innerHTML = template.innerHTML.split("__ID__").join(id).trim();
    var row = holder.firstElementChild;
    row.querySelector(".member-name").textContent = option.textContent;
    row.querySelector(".member-sector").textContent = option.getAttribute("data-sector") || "";
    row.querySelector("fieldset").setAttribute("aria-label", option.textContent + " 出席情况");
    row.querySelector("[data-remove-member]").setAttribute("aria-label", "移除 " + option.textContent);
    rows.appendChild(row);
    row.dataset.optionText = option.textContent;
    row.dataset.optionSector = option.getAttribute("data-sector") || "";
    option.remove();
    select.value = "";
    var empty = document.getElementById("attendance-empty");
    if (empty) { empty.remove(); }
  }

  form.addEventListener("click", function (event) {
    var add = event.target.closest("#add-member-button");
    if (add) {
      event.preventDefault();
      var select = document.getElementById("add_member");
      var option = select.options[select.selectedIndex];
      if (option && option.value) { addRow(option); }
      select.focus();
      return;
    }
    var remove = event.target.closest("[data-remove-member]");
    if (remove) {
      var row = remove.closest("[data-member]");
      var back = document.createElement("option");
      back.value = row.getAttribute("data-member");
      back.textContent = row.dataset.optionText || row.querySelector(".member-name").textContent;
      back.setAttribute("data-sector", row.dataset.optionSector || "");
      document.getElementById("add_member").appendChild(back);
      row.remove();
    }
  });

  // --- new topic rows ---------------------------------------------------------------------
  var addTopic = document.getElementById("add-topic-row");
  var topicRows = document.getElementById("new-topic-rows");
  var topicTemplate = document.getElementById("new-topic-template");
  var total = form.querySelector('input[name="new-TOTAL_FORMS"]');
  var maxRows = form.querySelector('input[name="new-MAX_NUM_FORMS"]');
  if (addTopic && topicRows && topicTemplate && total) {
    addTopic.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      if (maxRows && index >= (parseInt(maxRows.value, 10) || 50)) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = topicTemplate.innerHTML.split("__prefix__").join(String(index))
        .split("__number__").join(String(index + 1)).trim();
      var row = holder.firstElementChild;
      topicRows.appendChild(row);
      total.value = String(index + 1);
      var panel = row.querySelector("[data-similar-url]");
      if (panel && window.setUpSimilarPanel) { window.setUpSimilarPanel(panel); }
      var title = row.querySelector('input[name$="-title"]');
      if (title) { title.focus(); }
    });
  }

  // 合并 in a new-topic row's similar panel: discuss the existing topic instead of a new one.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-link-topic]");
    if (!button) { return; }
    var pk = button.getAttribute("data-link-topic");
    var box = document.getElementById("link_" + pk);
    if (box) {
      box.checked = true;
    } else {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "link_topic";
      hidden.value = pk;
      form.appendChild(hidden);
    }
    var row = button.closest(".new-topic-row");
    if (row) {
      row.querySelectorAll("input[type=text], textarea").forEach(function (el) { el.value = ""; });
      var category = row.querySelector("select[name$='-category']");
      if (category) { category.value = ""; }
      var panel = row.querySelector(".similar-in-row");
      if (panel) {
        panel.innerHTML = "";
        var note = document.createElement("p");
        note.className = "small text-success mb-0";
        note.setAttribute("role", "status");
        note.textContent = "已改为讨论议题 #" + pk + "“" + (button.getAttribute("data-link-title") || "") + "”,保存时关联到本次活动。";
        panel.appendChild(note);
      }
    }
  });

  // --- departments: filter the checkbox list as a name is typed ----------------------------
  var filter = document.getElementById("dept-filter");
  var list = document.getElementById("dept-list");
  if (filter && list) {
    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      list.querySelectorAll(".form-check").forEach(function (item) {
        var text = item.textContent.toLowerCase();
        var checked = item.querySelector("input:checked");
        item.classList.toggle("filtered-out", !!needle && text.indexOf(needle) < 0 && !checked);
      });
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  }

  // --- venue: fetch its members, hosts and topics into the page ----------------------------
  var status = document.getElementById("venue-loading");
  var reload = document.getElementById("reload-venue");
  function swapVenueParts() {
    var data = new FormData(form);
    data.delete("attachments");
    data.set("_reload", "venue");
    if (status) { status.textContent = "正在载入该阵地的委员和议题……"; }
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      form.querySelectorAll("[data-venue-part]").forEach(function (part) {
        var name = part.getAttribute("data-venue-part");
        var next = fresh.querySelector('[data-venue-part="' + name + '"]');
        if (next) {
          var copy = document.importNode(next, true);
          part.replaceWith(copy);
          showJsOnly(copy.parentNode || form);
        }
      });
      if (status) { status.textContent = "已载入该阵地的委员和议题。"; }
    }).catch(function () {
      // Offline or refused: fall back to posting the page back.
      if (reload) { reload.click(); }
    });
  }
  if (venue) {
    venue.addEventListener("change", function () {
      if (venue.value) { swapVenueParts(); }
    });
  }
})();
