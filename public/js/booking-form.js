/* Booking form: instrument rows, oil-test filters, delivery mode, upload size hints. Progressive enhancement only:
   the server validates everything again. */
(function () {
  'use strict';

  // Choosing another node reloads the form for that node (a GET form; works without script via its button).
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { if (select.value) select.form.submit(); });
  });

  var form = document.getElementById('booking-form');
  if (!form) return;

  // ── instrument rows ──
  var table = document.getElementById('instrument-table');
  function reindex() {
    if (!table) return;
    var rows = table.querySelectorAll('tbody tr[data-row]');
    var total = 0;
    rows.forEach(function (row, i) {
      row.querySelector('.row-no').textContent = String(i + 1);
      row.querySelectorAll('[data-field]').forEach(function (input) {
        var field = input.getAttribute('data-field');
        input.name = 'items[' + i + '][' + field + ']';
        input.id = 'item-' + i + '-' + field;
        var label = input.parentElement.querySelector('label');
        if (label) {
          label.htmlFor = input.id;
          label.textContent = label.textContent.replace(/第 \d+ 行/, '第 ' + (i + 1) + ' 行');
        }
        if (field === 'quantity') total += Math.max(1, parseInt(input.value, 10) || 1);
      });
      var remove = row.querySelector('[data-remove-row]');
      if (remove) {
        remove.setAttribute('aria-label', '删除第 ' + (i + 1) + ' 行');
        remove.disabled = rows.length === 1;
      }
    });
    var totalEl = document.getElementById('units-total');
    if (totalEl) totalEl.textContent = String(total);
  }
  if (table) {
    var addButton = document.getElementById('add-row');
    addButton.addEventListener('click', function () {
      var rows = table.querySelectorAll('tbody tr[data-row]');
      if (rows.length >= 50) return;
      var last = rows[rows.length - 1];
      var clone = last.cloneNode(true);
      clone.querySelectorAll('input').forEach(function (input) {
        input.classList.remove('is-invalid');
        input.removeAttribute('aria-invalid');
        input.removeAttribute('title');
        if (input.type === 'checkbox') input.checked = false;
        else if (input.getAttribute('data-field') === 'quantity') input.value = '1';
        else if (input.getAttribute('data-field') !== 'name') input.value = '';
      });
      clone.querySelectorAll('.invalid-feedback').forEach(function (el) { el.remove(); });
      last.parentNode.appendChild(clone);
      reindex();
      var first = clone.querySelector('input[data-field="serialNo"]');
      if (first) first.focus();
    });
    table.addEventListener('click', function (event) {
      var button = event.target.closest('[data-remove-row]');
      if (!button) return;
      var rows = table.querySelectorAll('tbody tr[data-row]');
      if (rows.length <= 1) return;
      button.closest('tr').remove();
      reindex();
      addButton.focus();
    });
    table.addEventListener('input', function (event) {
      if (event.target.getAttribute('data-field') === 'quantity') reindex();
    });
    reindex();
  }

  // ── "从台账选择": fill the instrument rows from the ledger without reloading (the GET form works without script) ──
  var pickForm = document.getElementById('ledger-pick-form');
  if (pickForm && table) {
    pickForm.addEventListener('submit', function (event) {
      var picked = Array.prototype.filter.call(pickForm.querySelectorAll('input[data-line]'), function (box) { return box.checked; });
      if (picked.length === 0) return;
      event.preventDefault();
      var body = table.querySelector('tbody');
      var template = body.querySelector('tr[data-row]');
      body.querySelectorAll('tr[data-row]').forEach(function (row, i) { if (i > 0) row.remove(); });
      picked.slice(0, 50).forEach(function (box, i) {
        var line = JSON.parse(box.getAttribute('data-line'));
        var row = i === 0 ? template : template.cloneNode(true);
        row.querySelectorAll('[data-field]').forEach(function (input) {
          var field = input.getAttribute('data-field');
          input.classList.remove('is-invalid');
          if (input.type === 'checkbox') input.checked = line[field] === 'on';
          else input.value = line[field] !== undefined ? line[field] : '';
        });
        row.querySelectorAll('.invalid-feedback').forEach(function (el) { el.remove(); });
        if (i > 0) body.appendChild(row);
      });
      reindex();
      var details = document.getElementById('ledger-picks');
      if (details) details.open = false;
      var firstSerial = table.querySelector('input[data-field="serialNo"]');
      if (firstSerial) firstSerial.focus();
    });
  }

  // ── on-site address only for on-site work ──
  var addressGroup = document.getElementById('onsite-address-group');
  function syncDelivery() {
    if (!addressGroup) return;
    var chosen = form.querySelector('input[name="deliveryMode"]:checked');
    addressGroup.hidden = !(chosen && chosen.getAttribute('data-toggle-onsite') === '1');
  }
  form.querySelectorAll('input[name="deliveryMode"]').forEach(function (r) { r.addEventListener('change', syncDelivery); });
  syncDelivery();

  // ── oil test: editions, packages and items follow the grade ──
  var families = form.getAttribute('data-grade-families');
  if (families) {
    var gradeFamily = JSON.parse(families);
    var grade = document.getElementById('f-gradeCode');
    var edition = document.getElementById('f-specEdition');
    var pkg = document.getElementById('f-packageCode');
    var applies = function (list, family) {
      var parts = list.split(' ');
      return parts.indexOf(family) >= 0 || (parts.indexOf('marine') >= 0 && family.indexOf('marine') === 0);
    };
    var variant = document.getElementById('f-gradeVariant');
    var variantGroup = document.getElementById('variant-group');
    var sulphurGroup = document.getElementById('sulphur-group');
    // Options that name the grades they belong to (editions, qualities) show only for the chosen grade.
    var filterByGrade = function (select, code) {
      if (!select) return false;
      var any = false;
      select.querySelectorAll('option[data-grades]').forEach(function (o) {
        // disabled as well: some phones' pickers list hidden options
        o.hidden = o.disabled = code !== '' && o.getAttribute('data-grades').split(' ').indexOf(code) < 0;
        if (o.hidden && o.selected) select.value = '';
        if (!o.hidden) any = true;
      });
      return any;
    };
    var syncGrade = function () {
      var family = gradeFamily[grade.value] || '';
      filterByGrade(edition, grade.value);
      if (variantGroup) variantGroup.hidden = grade.value !== '' && !filterByGrade(variant, grade.value);
      if (sulphurGroup) sulphurGroup.hidden = family !== '' && family.indexOf('marine') !== 0;
      if (pkg) {
        pkg.querySelectorAll('option[data-families]').forEach(function (o) {
          var grades = o.getAttribute('data-grades');
          o.hidden = o.disabled = family !== '' && (o.getAttribute('data-families').split(' ').indexOf(family) < 0 || (grades !== '' && grades.split(' ').indexOf(grade.value) < 0));
          if (o.hidden && o.selected) pkg.value = '';
        });
      }
      form.querySelectorAll('.test-items [data-applies]').forEach(function (col) {
        var show = family === '' || applies(col.getAttribute('data-applies'), family);
        col.hidden = !show;
        if (!show) col.querySelector('input').checked = false;
      });
    };
    grade.addEventListener('change', syncGrade);
    syncGrade();
    var syncMode = function () {
      var mode = form.querySelector('input[name="testMode"]:checked');
      var items = mode && mode.value === 'items';
      document.getElementById('package-group').hidden = items;
      document.getElementById('items-group').hidden = !items;
    };
    form.querySelectorAll('input[name="testMode"]').forEach(function (r) { r.addEventListener('change', syncMode); });
    syncMode();
  }

  // ── uploads: say at once when a file is over 10 MB (the server refuses it anyway) ──
  form.querySelectorAll('input[type="file"][data-max-bytes]').forEach(function (input) {
    input.addEventListener('change', function () {
      var max = Number(input.getAttribute('data-max-bytes'));
      var tooBig = Array.prototype.filter.call(input.files, function (f) { return f.size > max; });
      input.setCustomValidity(tooBig.length ? '文件“' + tooBig[0].name + '”超过 10 MB，请压缩后再上传。' : '');
      if (tooBig.length) input.reportValidity();
    });
  });
})();
