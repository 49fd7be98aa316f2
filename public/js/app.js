/* Site-wide behaviour. Loaded on every page; no inline scripts anywhere (strict CSP). */
(function () {
  'use strict';

  // Print buttons on A4 pages.
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-action="print"]') : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  // Confirmation for destructive actions: <form data-confirm="…">.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    // A button may ask on its own (<button data-confirm="…">), e.g. a reset next to a save.
    var submitter = event.submitter instanceof Element ? event.submitter : null;
    var message = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    // A required field left empty: no "are you sure?" for a form the server will send back with its message.
    var missing = Array.prototype.some.call(form.querySelectorAll('[required]'), function (f) { return !f.disabled && f.type !== 'checkbox' && f.value.trim() === ''; });
    if (message && !missing && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // Prevent double submits: the server is idempotent anyway, this just spares a second round trip.
    var buttons = form.querySelectorAll('button[type="submit"]:not([data-allow-resubmit])');
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // "同一份样品" on a later step of a 一件事: its sample fields are taken from the earlier step, so they hide.
  document.querySelectorAll('input[data-same-sample]').forEach(function (box) {
    var fields = document.getElementById(box.getAttribute('data-same-sample'));
    if (!fields) return;
    box.addEventListener('change', function () { fields.hidden = box.checked; });
  });

  // A table wider than the screen scrolls sideways: make its box reachable and scrollable with the keyboard.
  document.querySelectorAll('.table-responsive').forEach(function (box) {
    if (box.scrollWidth <= box.clientWidth + 1) return;
    box.tabIndex = 0;
    box.setAttribute('role', 'region');
    var caption = box.querySelector('caption');
    box.setAttribute('aria-label', caption && caption.textContent.trim() ? caption.textContent.trim() : '可横向滚动的表格');
  });

  // "Select all" checkbox of a table of checkboxes (bulk actions).
  var selectAll = document.getElementById('select-all');
  if (selectAll) {
    selectAll.addEventListener('change', function () {
      selectAll.form.querySelectorAll('input[name="numbers[]"]').forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  // A field the server marked wrong stops looking wrong as soon as the user corrects it (types, picks, ticks): the red
  // border, aria-invalid and its message go; radio buttons and checkboxes of one name clear together. The server
  // checks everything again on submit.
  function messagesOf(field) {
    var ids = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    var described = ids.map(function (id) { return document.getElementById(id); }).filter(function (el) { return el && el.classList.contains('invalid-feedback'); });
    var next = field.nextElementSibling;
    if (next && next.classList.contains('invalid-feedback') && described.indexOf(next) < 0) described.push(next);
    return described;
  }
  function clearError(field) {
    if (!(field instanceof HTMLElement) || !field.classList.contains('is-invalid')) return;
    var group = (field.type === 'radio' || field.type === 'checkbox') && field.name && field.form
      ? Array.prototype.filter.call(field.form.elements, function (el) { return el.name === field.name; })
      : [field];
    group.forEach(function (el) {
      messagesOf(el).forEach(function (message) {
        message.hidden = true;
        var rest = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(function (id) { return id && id !== message.id; });
        if (rest.length) el.setAttribute('aria-describedby', rest.join(' '));
        else el.removeAttribute('aria-describedby');
      });
      el.classList.remove('is-invalid');
      el.removeAttribute('aria-invalid');
    });
    var box = field.closest('fieldset');
    if (box && box.getAttribute('aria-describedby')) {
      box.getAttribute('aria-describedby').split(/\s+/).forEach(function (id) {
        var message = document.getElementById(id);
        if (message && message.classList.contains('invalid-feedback') && !box.querySelector('.is-invalid')) message.hidden = true;
      });
    }
  }
  document.addEventListener('input', function (event) { clearError(event.target); });
  document.addEventListener('change', function (event) { clearError(event.target); });

  // After a failed submit, move focus to the summary of errors so screen readers announce it.
  var summary = document.getElementById('form-error');
  if (summary) {
    var firstInvalid = document.querySelector('.is-invalid');
    if (firstInvalid instanceof HTMLElement) firstInvalid.focus();
  }

  /*
   * The three Bootstrap behaviours the pages use, without Bootstrap's 80 KB script (and Popper): the navbar's menu
   * button (collapse), the account menu (dropdown, in the navbar so statically placed) and closing a message (alert).
   */
  function openMenus() { return document.querySelectorAll('[data-bs-toggle="dropdown"][aria-expanded="true"]'); }
  function setMenu(toggle, open) {
    var menu = toggle.parentElement && toggle.parentElement.querySelector('.dropdown-menu');
    if (!menu) return;
    toggle.classList.toggle('show', open);
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    menu.classList.toggle('show', open);
    if (open) menu.setAttribute('data-bs-popper', 'static');
  }
  function closeMenus(except) {
    openMenus().forEach(function (t) { if (t !== except) setMenu(t, false); });
  }
  document.addEventListener('click', function (event) {
    var el = event.target instanceof Element ? event.target : null;
    if (!el) return;
    var collapse = el.closest('[data-bs-toggle="collapse"]');
    if (collapse) {
      var target = document.querySelector(collapse.getAttribute('data-bs-target') || '');
      if (target) {
        var shown = target.classList.toggle('show');
        collapse.setAttribute('aria-expanded', shown ? 'true' : 'false');
        collapse.classList.toggle('collapsed', !shown);
      }
      return;
    }
    var toggle = el.closest('[data-bs-toggle="dropdown"]');
    if (toggle) {
      event.preventDefault();
      closeMenus(toggle);
      setMenu(toggle, toggle.getAttribute('aria-expanded') !== 'true');
      return;
    }
    if (!el.closest('.dropdown-menu')) closeMenus();
    var dismiss = el.closest('[data-bs-dismiss="alert"]');
    var alertBox = dismiss && dismiss.closest('.alert');
    if (alertBox) alertBox.remove();
  });
  document.addEventListener('keydown', function (event) {
    var open = openMenus();
    if (event.key === 'Escape' && open.length) {
      var toggle = open[0];
      closeMenus();
      if (toggle instanceof HTMLElement) toggle.focus();
      return;
    }
    // Arrow keys move through an open menu's items (and ArrowDown on its button opens it).
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    var active = document.activeElement;
    var host = active instanceof Element ? active.closest('.dropdown') : null;
    var button = host && host.querySelector('[data-bs-toggle="dropdown"]');
    if (!button) return;
    event.preventDefault();
    if (button.getAttribute('aria-expanded') !== 'true') setMenu(button, true);
    var items = Array.prototype.slice.call(host.querySelectorAll('.dropdown-menu a, .dropdown-menu button'));
    var i = items.indexOf(active);
    var next = items[event.key === 'ArrowDown' ? Math.min(items.length - 1, i + 1) : Math.max(0, i - 1)];
    if (next) next.focus();
  });
  document.addEventListener('focusin', function (event) {
    var el = event.target instanceof Element ? event.target : null;
    if (el && !el.closest('.dropdown')) closeMenus();
  });
})();
