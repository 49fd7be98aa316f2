/* Instrument ledger: select all rows, node choice reloads the proposal, the entry form explains the chosen category.
   Progressive enhancement only: every page works without it and the server checks everything again. */
(function () {
  'use strict';

  // "Select all" on the ledger list (checkboxes named ids).
  var all = document.getElementById('select-all-instruments');
  if (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('#ledger-select input[name="ids"]').forEach(function (box) { box.checked = all.checked; });
    });
  }

  // One-click booking: choosing another node shows that node's windows (the GET form has its own button too).
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { if (select.form) select.form.submit(); });
  });

  // Entry form: the category's 强检 uses, regulations and period, and only the uses it allows.
  var form = document.getElementById('instrument-form');
  if (!form) return;
  var info = JSON.parse(form.getAttribute('data-categories') || '{}');
  var category = document.getElementById('f-categoryCode');
  var rules = document.getElementById('category-rules');
  var compulsory = document.getElementById('f-compulsory');
  var use = document.getElementById('f-compulsoryUse');
  var period = document.getElementById('f-periodMonths');
  var name = document.getElementById('f-name');
  var regime = document.getElementById('f-regime');
  var presets = document.getElementById('regime-presets');
  function sync() {
    var c = info[category.value];
    if (!c) return;
    var text = c.name + '：依据 ' + c.regs + '。';
    text += c.uses.length ? '用于' + c.uses.join('、') + '的，列入强制检定目录。' : '作为工作计量器具不在强制检定目录内。';
    if (c.options.length) text += '按规程：' + c.options.map(function (o) { return o.label; }).join('；') + '。';
    if (c.period) text += c.verified ? '检定周期一般不超过 ' + c.period + ' 个月。' : '参考周期 ' + c.period + ' 个月（未经核实，仅作提醒默认值，以检定/校准证书为准）。';
    rules.textContent = text;
    if (use) {
      Array.prototype.forEach.call(use.options, function (o) {
        o.hidden = o.value !== '' && c.uses.indexOf(o.text) < 0;
        if (o.hidden && o.selected) use.value = '';
      });
      if (c.uses.length === 1 && compulsory && compulsory.value === 'yes' && !use.value) {
        Array.prototype.forEach.call(use.options, function (o) { if (o.text === c.uses[0]) use.value = o.value; });
      }
    }
    if (period) period.placeholder = c.period ? '默认 ' + c.period : '';
    // Water and gas meters: one click fills the regime and the use limit the regulation sets.
    if (presets) {
      presets.textContent = '';
      presets.hidden = c.options.length === 0;
      c.options.forEach(function (o) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'btn btn-sm btn-outline-secondary text-start';
        b.textContent = '按此填写：' + o.label;
        b.addEventListener('click', function () {
          if (regime) regime.value = o.regime;
          if (period) period.value = String(o.months);
          if (period) period.focus();
        });
        presets.appendChild(b);
      });
    }
    if (name && !name.value) name.placeholder = c.name.replace(/\(.*\)|（.*）/g, '');
  }
  category.addEventListener('change', sync);
  if (compulsory) compulsory.addEventListener('change', sync);
  sync();
})();
