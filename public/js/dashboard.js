/* Dashboard charts (Apache ECharts, served from our own origin). Every chart has its numbers in the table below it;
   bars carry value labels and decal patterns, so nothing depends on colour alone. */
(function () {
  'use strict';
  if (!window.echarts) return;
  var palette = ['#0b4f8a', '#f0a500', '#5a8f3c', '#9b59b6', '#c0392b', '#16a085', '#7f8c8d'];
  var charts = [];
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute('data-chart')); } catch { return; }
    if (!spec.categories || spec.categories.length === 0) {
      el.classList.add('d-none');
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    var categoryAxis = { type: 'category', data: spec.categories, axisLabel: { interval: 0, width: 110, overflow: 'truncate' } };
    var valueAxis = { type: 'value', minInterval: 1 };
    chart.setOption({
      color: palette,
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 24, top: spec.series.length > 1 ? 36 : 12, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return { name: s.name, type: 'bar', data: s.data, stack: spec.stacked ? 'total' : undefined, label: { show: !spec.stacked, position: spec.horizontal ? 'right' : 'top' } };
      }),
    });
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
