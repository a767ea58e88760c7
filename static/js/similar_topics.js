// Similar topics while a topic is typed (issue 16): every element with data-similar-url is a
// panel that asks the server for open topics like the one typed, a moment after typing stops.
// data-title / data-description / data-category / data-venue / data-area are CSS selectors of
// the fields to read (looked up inside data-scope when given, e.g. one new-topic row), and
// data-similar-form the form whose 合并 buttons submit. "不是同一问题" hides the row and adds a
// hidden not_same input to that form, so the answer is saved with the topic.
(function () {
  "use strict";
  var DELAY = 400;

  function field(root, selector) {
    if (!selector) { return null; }
    return root.querySelector(selector) || document.querySelector(selector);
  }

  function value(el) { return el ? (el.value || "").trim() : ""; }

  function setUp(panel) {
    var root = panel.closest(panel.getAttribute("data-scope") || "form") || document;
    var form = document.getElementById(panel.getAttribute("data-similar-form") || "") ||
      panel.closest("form");
    var title = field(root, panel.getAttribute("data-title"));
    if (!title) { return; }
    var description = field(root, panel.getAttribute("data-description"));
    var category = field(root, panel.getAttribute("data-category"));
    var venue = field(document, panel.getAttribute("data-venue"));
    var area = field(document, panel.getAttribute("data-area"));
    var timer = null;
    var last = "";
    var dismissed = {};

    function ask() {
      var text = value(title);
      if (text.length < 4) { panel.innerHTML = ""; last = ""; return; }
      var params = new URLSearchParams();
      params.set("title", text);
      params.set("description", value(description).slice(0, 500));
      params.set("category", value(category));
      params.set("venue", value(venue));
      params.set("area", value(area));
      params.set("form", form ? form.id : "");
      params.set("mode", panel.getAttribute("data-mode") || "new");
      Object.keys(dismissed).forEach(function (pk) { params.append("exclude", pk); });
      var query = params.toString();
      if (query === last) { return; }
      last = query;
      fetch(panel.getAttribute("data-similar-url") + "?" + query, {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        if (query === last) { panel.innerHTML = html; }
      }).catch(function () { /* offline: the topic can still be saved */ });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    }

    [title, description].forEach(function (el) { if (el) { el.addEventListener("input", later); } });
    [category, venue, area].forEach(function (el) { if (el) { el.addEventListener("change", later); } });

    panel.addEventListener("click", function (event) {
      var button = event.target.closest("[data-not-same]");
      if (!button) { return; }
      var pk = button.getAttribute("data-not-same");
      dismissed[pk] = true;
      if (form && panel.getAttribute("data-not-same-name")) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = panel.getAttribute("data-not-same-name");
        input.value = pk;
        form.appendChild(input);
      }
      var row = button.closest(".similar-topic");
      if (row) { row.remove(); }
      if (!panel.querySelector(".similar-topic")) { panel.innerHTML = ""; }
    });
  }

  window.setUpSimilarPanel = setUp;
  document.querySelectorAll("[data-similar-url]").forEach(setUp);
})();
