/* Workbench: nothing the server needs — only conveniences. */
(function () {
  'use strict';
  // Moving between result inputs with Enter instead of submitting half a form.
  document.querySelectorAll('.results-table input').forEach(function (input, i, all) {
    input.addEventListener('keydown', function (event) {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      var next = all[i + 1];
      if (next) next.focus();
    });
  });

  // 合格 / 不合格 while the tester types, for items with a verified numeric limit (the form carries it in data-limit-*).
  // The same rule as the server (src/lab/judgement.ts): a value equal to a limit meets it; "0.45", "-6", "+12", "1.2e3"
  // are numbers, "1,000" is not. The server judges again on submit — this only shows what it will say.
  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
  function measured(text) {
    var normalized = text.trim().replace(/^＋/, '+').replace(/^－/, '-');
    if (!NUMBER.test(normalized)) return undefined;
    var n = Number(normalized);
    return isFinite(n) ? n : undefined;
  }
  function bound(input, name) {
    var v = input.getAttribute('data-' + name);
    return v === null || v === '' ? null : Number(v);
  }
  // "<0.60" / ">480": a result beyond the method's range, judged only where the bound decides it (judgeBounded).
  var BOUNDED = /^([<>＜＞])\s*(.+)$/;
  // A copper strip rating "1a" is judged by its class (parseCorrosionClass).
  var RATING = /^([1-4])\s*([a-eA-E])?\s*级?$/;
  // The sample's sulphur in % m/m from its own sulphur input, when the form has one (limitNotApplicable).
  function sulphurOf(prefix) {
    var pct = document.getElementById(prefix + 'OIL-S-PCT');
    var ppm = document.getElementById(prefix + 'OIL-S-PPM');
    var v = pct ? measured(pct.value) : undefined;
    if (v === undefined && ppm) {
      var p = measured(ppm.value);
      v = p === undefined ? undefined : p / 10000;
    }
    return v;
  }
  function verdict(input) {
    var text = input.value;
    if (!text.trim()) return { text: '自动判定', tone: '' };
    var lowSulphurOnly = input.getAttribute('data-low-sulphur-only');
    if (lowSulphurOnly) {
      var s = sulphurOf(lowSulphurOnly);
      if (s !== undefined && s >= 0.05) return { text: '不适用', tone: 'text-bg-secondary' };
    }
    var rating = input.hasAttribute('data-rating') ? RATING.exec(text.trim()) : null;
    var value = rating ? Number(rating[1]) : measured(text);
    var relation = null;
    if (value === undefined) {
      var m = BOUNDED.exec(text.trim());
      value = m ? measured(m[2]) : undefined;
      relation = m && value !== undefined ? (m[1] === '<' || m[1] === '＜' ? '<' : '>') : null;
    }
    if (value === undefined) return { text: '请填写数值', tone: 'text-bg-warning' };
    var pmin = bound(input, 'plausible-min');
    var pmax = bound(input, 'plausible-max');
    if ((pmin !== null && value < pmin) || (pmax !== null && value > pmax)) return { text: '超出合理范围，请核对', tone: 'text-bg-warning' };
    var kind = input.getAttribute('data-limit-kind');
    var min = bound(input, 'limit-min');
    var max = bound(input, 'limit-max');
    var pass;
    if (relation === '<') pass = kind === 'max' && max !== null && value <= max ? true : kind !== 'max' && min !== null && value <= min ? false : null;
    else if (relation === '>') pass = kind !== 'min' && max !== null && value >= max ? false : kind === 'min' && min !== null && value >= min ? true : null;
    else pass = kind === 'max' ? max !== null && value <= max : kind === 'min' ? min !== null && value >= min : min !== null && max !== null && value >= min && value <= max;
    if (pass === null) return { text: '不能判定', tone: 'text-bg-warning' };
    return pass ? { text: '合格', tone: 'text-bg-success' } : { text: '不合格', tone: 'text-bg-danger' };
  }
  document.querySelectorAll('input[data-limit-kind]').forEach(function (input) {
    var out = document.getElementById(input.getAttribute('data-judgement'));
    if (!out) return;
    function show() {
      var v = verdict(input);
      out.textContent = v.text;
      out.className = 'small live-judgement' + (v.tone ? ' badge ' + v.tone : '');
    }
    input.addEventListener('input', show);
    // a lubricity line follows the sample's sulphur as it is typed
    var prefix = input.getAttribute('data-low-sulphur-only');
    ['OIL-S-PCT', 'OIL-S-PPM'].forEach(function (code) {
      var s = prefix && document.getElementById(prefix + code);
      if (s) s.addEventListener('input', show);
    });
    show();
  });
})();
