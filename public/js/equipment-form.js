/* Equipment booking form: shows the estimated fee (hours × the rate of the chosen mode) as the times change.
   The server computes and freezes the real price; this is only a preview. */
(function () {
  'use strict';
  var form = document.querySelector('form.equipment-form');
  if (!form) return;
  var rates;
  try { rates = JSON.parse(form.getAttribute('data-rates') || '{}'); } catch { return; }
  var out = document.getElementById('estimate');
  var initial = out ? out.textContent : '';
  function minutes(t) { return /^\d\d:\d\d$/.test(t) ? Number(t.slice(0, 2)) * 60 + Number(t.slice(3)) : NaN; }
  function update() {
    var start = minutes(form.elements.startTime.value);
    var end = minutes(form.elements.endTime.value);
    var checked = form.querySelector('input[name="mode"]:checked');
    var rate = checked ? rates[checked.value] : undefined;
    if (!out) return;
    if (isNaN(start) || isNaN(end) || end <= start || typeof rate !== 'number') { out.textContent = initial; return; }
    var hours = (end - start) / 60;
    var yuan = (rate * hours / 100).toFixed(2);
    out.textContent = '预计 ' + hours + ' 小时 × ' + (rate / 100).toFixed(2) + ' 元/小时 ≈ ' + yuan + ' 元（以签退结算为准）。';
  }
  form.addEventListener('change', update);
  update();
})();
