// Behaviour every page may use, wired by data attributes (the Content-Security-Policy allows no
// inline script, so no onclick/onsubmit in the templates):
//   <form data-confirm="…">        asks before it is sent (a negative or irreversible move)
//   <button data-print-page>       prints the page
//   <input data-select-on-focus>   selects its text when focused (an address to copy)
//   <button data-copy-target="#id"> copies that field's text and says so in its label
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () {
      input.select();
    });
  });
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copyTarget);
      if (!field) {
        return;
      }
      var label = button.textContent;
      var done = function () {
        button.textContent = "已复制";
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      };
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy");
          done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
