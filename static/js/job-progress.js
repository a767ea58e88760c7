// The progress bar of a queued job (portal.job_views, templates/jobs/job_detail.html). No inline
// script (CSP): the page marks the bar with data-job-progress and the address of its status;
// this polls it every 1.5 s, moves the bar and the text (read out by screen readers through
// aria-live), and reloads the page once the job has finished, so the server shows the result
// (the download link, the import preview, the error).
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box) {
    return;
  }
  var bar = box.querySelector(".progress-bar");
  var text = box.querySelector("[data-job-text]");
  var url = box.dataset.statusUrl;
  var poll = function () {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        bar.style.width = state.percent + "%";
        bar.parentNode.setAttribute("aria-valuenow", state.percent);
        bar.textContent = state.percent + "%";
        text.textContent =
          state.status_label + (state.total ? "(" + state.done + " / " + state.total + ")" : "");
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        text.textContent = "暂时无法获取进度,稍后自动重试……";
        window.setTimeout(poll, 5000);
      });
  };
  window.setTimeout(poll, 800);
})();
