/* Draws the dashboard charts with ECharts (served from node_modules, see settings.STATICFILES_DIRS).
 *
 * The data comes from the page (json_script "chart-data"); the same numbers are in the table
 * beneath each chart. Charts take their card's width, put the legend below, and are redrawn when
 * the window is resized (phone or desktop layout).
 */
(function () {
  "use strict";

  var source = document.getElementById("chart-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var drawn = [];
  // Dark enough for white labels inside the funnel and for lines on white (WCAG AA).
  var palette = ["#1d4ed8", "#047857", "#b45309", "#b91c1c", "#6d28d9", "#0e7490"];

  function isNarrow() {
    return window.innerWidth < 576;
  }

  function base(spec, narrow) {
    return {
      animation: !reduceMotion,
      color: palette,
      textStyle: { fontSize: narrow ? 11 : 12 },
      tooltip: { trigger: spec.kind === "funnel" ? "item" : "axis", confine: true },
      legend: { bottom: 0, type: narrow ? "scroll" : "plain" },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
    };
  }

  function series(spec, type) {
    return spec.series.map(function (s) {
      return { name: s.name, type: type, data: s.data, barMaxWidth: 28 };
    });
  }

  function option(spec) {
    var narrow = isNarrow();
    var opt = base(spec, narrow);
    var valueAxis = { type: "value", minInterval: 1 };
    if (spec.kind === "funnel") {
      var s = spec.series[0];
      opt.legend.show = false;
      opt.series = [
        {
          name: s.name,
          type: "funnel",
          sort: "none",
          left: "5%",
          width: "90%",
          top: 8,
          bottom: 8,
          minSize: "10%",
          label: { show: true, position: "inside", color: "#fff", formatter: "{b}:{c}" },
          data: spec.labels.map(function (label, i) {
            return { name: label, value: s.data[i] };
          }),
        },
      ];
    } else if (spec.kind === "hbar") {
      opt.yAxis = { type: "category", data: spec.labels, inverse: true };
      opt.xAxis = valueAxis;
      opt.series = series(spec, "bar");
    } else {
      opt.xAxis = {
        type: "category",
        data: spec.labels,
        axisLabel: { interval: narrow ? "auto" : 0, rotate: narrow ? 45 : 0, hideOverlap: true },
      };
      // The unit (件/场) above the vertical value axis; room for it at the top.
      valueAxis.name = spec.unit;
      valueAxis.nameTextStyle = { align: "left" };
      opt.grid.top = 32;
      opt.yAxis = valueAxis;
      opt.series = series(spec, spec.kind === "line" ? "line" : "bar");
    }
    if (spec.series.length < 2) {
      opt.legend.show = false;
      opt.grid.bottom = 8;
    }
    return opt;
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = data[el.getAttribute("data-chart")];
    if (!spec) {
      return;
    }
    // SVG scales crisply on high-density phone screens and is easy to check in tests.
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(spec));
    drawn.push({ chart: chart, spec: spec });
  });

  var narrowNow = isNarrow();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      var narrow = isNarrow();
      drawn.forEach(function (item) {
        if (narrow !== narrowNow) {
          item.chart.setOption(option(item.spec), true);
        }
        item.chart.resize();
      });
      narrowNow = narrow;
    }, 150);
  });

  // Printing shows the numbers: open every data table first.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table").forEach(function (details) {
      details.open = true;
    });
  });
})();
