// The counter page: charts drawn from the public series API (GET /count/{name}/series),
// the same contract every other client uses. No inline script anywhere, so a
// Content-Security-Policy of script-src 'self' holds.
(function () {
  "use strict";

  const root = document.getElementById("counter-dashboard");
  if (!root || typeof Chart === "undefined") {
    return;
  }
  const seriesUrl = root.dataset.seriesUrl;
  const counter = root.dataset.counter;
  const today = root.dataset.today; // the service's today, in its time zone
  const $ = (id) => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat("en");

  const state = { range: "30", start: null, end: today, group: "day" };

  // --- dates as YYYY-MM-DD strings, computed in UTC so that no DST shift moves a day

  function parseDay(text) {
    const [y, m, d] = text.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d));
  }
  function formatDay(date) {
    return date.toISOString().slice(0, 10);
  }
  function daysBefore(text, days) {
    const date = parseDay(text);
    date.setUTCDate(date.getUTCDate() - days);
    return formatDay(date);
  }
  function yearBefore(text) {
    const date = parseDay(text);
    date.setUTCFullYear(date.getUTCFullYear() - 1);
    date.setUTCDate(date.getUTCDate() + 1);
    return formatDay(date);
  }
  function presetStart(range) {
    if (range === "all") return null;
    if (range === "12m") return yearBefore(today);
    return daysBefore(today, Number(range) - 1);
  }
  function monthLabel(text) {
    const date = parseDay(text);
    return date.toLocaleDateString("en", { month: "short", year: "numeric", timeZone: "UTC" });
  }

  // --- colours follow the stylesheet, which follows the system's dark mode

  function colours() {
    const style = getComputedStyle(document.documentElement);
    const get = (name) => style.getPropertyValue(name).trim();
    return {
      line: get("--chart-line"),
      fill: get("--chart-fill"),
      bar: get("--chart-bar"),
      grid: get("--chart-grid"),
      text: get("--text-muted"),
    };
  }

  function axes(c) {
    const scale = {
      grid: { color: c.grid },
      border: { color: c.grid },
      ticks: { color: c.text, maxRotation: 0, autoSkipPadding: 12 },
    };
    return { x: scale, y: { ...scale, beginAtZero: true, ticks: { ...scale.ticks, precision: 0 } } };
  }

  function baseOptions(c) {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { display: false } },
      scales: axes(c),
    };
  }

  let seriesChart = null;
  let monthlyChart = null;

  function drawSeries(points) {
    const c = colours();
    const labels = points.map((p) => (state.group === "month" ? monthLabel(p.date) : p.date));
    const data = points.map((p) => p.count);
    const pointRadius = points.length <= 60 ? 2.5 : 0;
    if (!seriesChart) {
      seriesChart = new Chart($("series-chart"), {
        type: "line",
        data: { labels, datasets: [{ label: counter, data }] },
        options: baseOptions(c),
      });
    }
    const dataset = seriesChart.data.datasets[0];
    seriesChart.data.labels = labels;
    dataset.data = data;
    Object.assign(dataset, {
      borderColor: c.line,
      backgroundColor: c.fill,
      pointBackgroundColor: c.line,
      fill: true,
      // monotone: a curve through the points that never overshoots below zero
      cubicInterpolationMode: "monotone",
      pointRadius,
      borderWidth: 2,
    });
    seriesChart.update();
  }

  function drawMonthly(points) {
    const c = colours();
    const labels = points.map((p) => monthLabel(p.date));
    const data = points.map((p) => p.count);
    if (!monthlyChart) {
      monthlyChart = new Chart($("monthly-chart"), {
        type: "bar",
        data: { labels, datasets: [{ label: "per month", data }] },
        options: baseOptions(c),
      });
    }
    monthlyChart.data.labels = labels;
    Object.assign(monthlyChart.data.datasets[0], { data, backgroundColor: c.bar, borderRadius: 3 });
    monthlyChart.update();
  }

  function recolour() {
    const c = colours();
    for (const chart of [seriesChart, monthlyChart]) {
      if (chart) chart.options.scales = axes(c);
    }
    if (seriesChart) drawSeries(currentPoints);
    if (monthlyChart) drawMonthly(monthlyPoints);
  }

  // --- reading the API

  async function getSeries(params) {
    const query = new URLSearchParams({ fill: "zero", ...params });
    const response = await fetch(`${seriesUrl}?${query}`, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = body.detail || Object.values(body).flat().join(" ") || response.statusText;
      throw new Error(detail);
    }
    return body;
  }

  // The box around the canvas is hidden, not the canvas: Chart.js sets its display.
  function showEmpty(boxId, emptyId, message) {
    const empty = $(emptyId);
    $(boxId).hidden = message !== null;
    empty.hidden = message === null;
    if (message !== null) {
      empty.replaceChildren(Object.assign(document.createElement("p"), { textContent: message }));
    }
  }

  let currentPoints = [];
  let monthlyPoints = [];
  let requestNumber = 0;

  async function loadSeries() {
    const mine = ++requestNumber;
    root.dataset.seriesState = "loading";
    const params = { group: state.group, end: state.end };
    if (state.start) params.start = state.start;
    const csv = $("csv-download");
    try {
      const series = await getSeries(params);
      if (mine !== requestNumber) return; // a newer choice was made meanwhile
      currentPoints = series.points;
      const csvQuery = new URLSearchParams({ group: series.group, fill: "zero", format: "csv", end: series.end });
      if (series.start) csvQuery.set("start", series.start);
      csv.href = `${seriesUrl}?${csvQuery}`;
      csv.download = `${counter}_${series.start || "start"}_${series.end}_${series.group}.csv`;
      csv.hidden = series.points.length === 0;
      $("range-label").textContent = series.start
        ? `${series.start} to ${series.end}, per ${series.group}: ${numberFormat.format(series.total)} in ${series.points.length} ${series.group}${series.points.length === 1 ? "" : "s"}`
        : "";
      if (series.points.length === 0) {
        showEmpty("series-box", "series-empty", "No uses counted yet: the chart starts with the first count.");
      } else if (series.total === 0) {
        showEmpty("series-box", "series-empty", `No uses counted between ${series.start} and ${series.end}.`);
      } else {
        showEmpty("series-box", "series-empty", null);
        drawSeries(series.points);
      }
      if (state.start === null && series.start) {
        $("range-start").value = series.start;
      }
    } catch (error) {
      if (mine !== requestNumber) return;
      csv.hidden = true;
      $("range-label").textContent = "";
      showEmpty("series-box", "series-empty", `This range cannot be shown: ${error.message}`);
    }
    root.dataset.seriesState = "ready";
  }

  function setFigure(id, text) {
    $(id).textContent = text;
  }

  async function loadMonthly() {
    try {
      const monthly = await getSeries({ group: "month", end: today });
      monthlyPoints = monthly.points;
      // The month and week comparisons are rendered with the page (counters/dashboard.py).
      setFigure("figure-total", numberFormat.format(monthly.total));
      if (monthly.total === 0) {
        showEmpty("monthly-box", "monthly-empty", "No uses counted yet: the first count starts the history.");
      } else {
        showEmpty("monthly-box", "monthly-empty", null);
        drawMonthly(monthly.points);
      }
    } catch (error) {
      showEmpty("monthly-box", "monthly-empty", `The monthly totals cannot be shown: ${error.message}`);
    }
    root.dataset.monthlyState = "ready";
  }

  // --- controls

  function press(selector, pressed) {
    for (const button of root.querySelectorAll(selector)) {
      button.setAttribute("aria-pressed", String(button === pressed));
    }
  }

  function choosePreset(button) {
    state.range = button.dataset.range;
    state.start = presetStart(state.range);
    state.end = today;
    press("[data-range]", button);
    $("range-start").value = state.start || "";
    $("range-end").value = state.end;
    loadSeries();
  }

  for (const button of root.querySelectorAll("[data-range]")) {
    button.addEventListener("click", () => choosePreset(button));
  }
  for (const button of root.querySelectorAll("[data-group]")) {
    button.addEventListener("click", () => {
      state.group = button.dataset.group;
      press("[data-group]", button);
      loadSeries();
    });
  }
  $("custom-range").addEventListener("submit", (event) => {
    event.preventDefault();
    const start = $("range-start").value;
    const end = $("range-end").value;
    if (!start || !end) return;
    if (start > end) {
      showEmpty("series-box", "series-empty", "The start of the range must not be after its end.");
      return;
    }
    state.range = "custom";
    state.start = start;
    state.end = end;
    press("[data-range]", null);
    loadSeries();
  });

  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const code = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(code.textContent);
        button.textContent = "Copied";
      } catch {
        // Without clipboard access (plain http on a remote host), select it for Ctrl+C.
        const selection = window.getSelection();
        selection.selectAllChildren(code);
        button.textContent = "Selected: press Ctrl+C";
      }
      setTimeout(() => (button.textContent = "Copy"), 2000);
    });
  }

  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolour);

  $("range-end").max = today;
  $("range-start").max = today;
  choosePreset(root.querySelector('[data-range="30"]'));
  loadMonthly();
})();
