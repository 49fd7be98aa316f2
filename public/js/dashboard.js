/* Dashboard charts (Apache ECharts, served from our own origin). Every chart has its numbers in the table below it;
   bars carry value labels and decal patterns, so nothing depends on colour alone. A bar (or its axis label) leads to
   the bookings behind it, as the table row below does for keyboard and screen-reader users. */
(function () {
  'use strict';
  // A date typed in the period form asks for those dates: 自定义 (a preset would ignore them).
  var custom = document.getElementById('period-custom');
  ['p-from', 'p-to'].forEach(function (id) {
    var field = document.getElementById(id);
    if (field && custom) field.addEventListener('input', function () { custom.checked = true; });
  });
})();

(function () {
  'use strict';
  if (!window.echarts) return;
  var palette = ['#0b4f8a', '#f0a500', '#5a8f3c', '#9b59b6', '#c0392b', '#16a085', '#7f8c8d'];
  var charts = [];

  /** Labels shown whole: wrapped beside horizontal bars, turned when many or long under vertical ones. */
  function categoryLabels(spec) {
    if (spec.horizontal) return { interval: 0, width: 150, overflow: 'break', lineHeight: 14 };
    var longest = spec.categories.reduce(function (n, c) { return Math.max(n, String(c).length); }, 0);
    var crowded = spec.categories.length * Math.max(longest, 2) > 40;
    return { interval: 0, hideOverlap: false, rotate: crowded ? 35 : 0, width: crowded ? 160 : 90, overflow: crowded ? 'truncate' : 'break', lineHeight: 14 };
  }

  /** The list behind a bar: one link per category, or per series and category (stacked bars). */
  function linkOf(spec, seriesIndex, dataIndex) {
    if (!spec.links) return null;
    var row = Array.isArray(spec.links[0]) ? spec.links[seriesIndex] : spec.links;
    return row ? row[dataIndex] || null : null;
  }

  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute('data-chart')); } catch { return; }
    if (!spec.categories || spec.categories.length === 0) {
      el.classList.add('d-none');
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    var categoryAxis = { type: 'category', data: spec.categories, axisLabel: categoryLabels(spec), triggerEvent: !!spec.links };
    var valueAxis = { type: 'value', minInterval: 1 };
    chart.setOption({
      color: palette,
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 32, top: spec.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return { name: s.name, type: 'bar', data: s.data, stack: spec.stacked ? 'total' : undefined, cursor: spec.links ? 'pointer' : 'default', label: { show: !spec.stacked, position: spec.horizontal ? 'right' : 'top' } };
      }),
    });
    if (spec.links) {
      chart.on('click', function (params) {
        var index = spec.categories.indexOf(params.value);
        var link = params.componentType === 'series' ? linkOf(spec, params.seriesIndex, params.dataIndex) : spec.axisLinks ? spec.axisLinks[index] : linkOf(spec, 0, index);
        if (link) window.location.assign(link);
      });
    }
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
