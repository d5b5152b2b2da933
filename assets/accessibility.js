/* Small corrections to Dash 4's own components, so screen readers and keyboards get what they need
   (see docs/accessibility.md). Each fix is to the markup Dash renders, made again whenever React
   redraws it; none changes what a control does. Each would be a small change upstream in Dash.

   1. dcc.Dropdown puts a hidden, focusable <input aria-hidden="true"> before its button so Safari
      can tab to it, and takes the button out of the tab order. A focusable element hidden from
      screen readers is announced as nothing (WCAG 4.1.2). The button itself is made the tab stop
      and the hidden input is taken out of the tab order; the button is also named by its visible
      <label for=…> as well as its value ("Site, Riverside Borough", not just "Riverside Borough").
   2. dcc.Checklist, dcc.RadioItems and an open dcc.Dropdown's list mark their box role="listbox"
      and each <label> role="option" around a native checkbox or radio: an interactive control
      nested in another, and a listbox without a name. The native inputs inside their labels already
      say all that is needed (name, checked or not), so the list becomes a plain group (a radiogroup
      for radios) named by its <label for=…>, and the labels lose the option role.
   3. dcc.Upload's file input, which the keyboard reaches, has no name: it gets the drop zone's words.
   4. dcc.Tabs draws its tabs as plain <div>s that only a click opens. They become a tablist of tabs
      that Tab reaches and Enter or Space opens (and the arrow keys move between), saying which is open.
   5. Rows that a click chooses (the Boundaries page's findings) are reached by Tab and chosen by
      Enter or Space as well.

   And three rules that keep the keyboard's place (WCAG 2.4.3 focus order):
   6. A box marked data-focus-on-show (the save conflict's choices) takes the focus when it is shown,
      on its first button, as a dialog would.
   7. A button marked data-focus-after="ID" (Edit in the map's list) moves the focus to element ID
      once that is shown (the form it opened), instead of leaving it in the list far away.
   8. A focused button that becomes disabled (Redo, once nothing is left to redo) or hidden (a choice
      in a box that closes once used) would drop the focus onto the page itself: it passes to the
      control the box names in data-focus-on-hide="ID", else to the nearest usable control beside it. */
(function () {
  function labelFor(id) {
    if (!id) { return null; }
    var labels = document.getElementsByTagName('label');
    for (var i = 0; i < labels.length; i++) {
      if (labels[i].htmlFor === id) { return labels[i]; }
    }
    return null;
  }

  function fixDropdown(target) {
    if (target.getAttribute('tabindex') !== '-1') { target.setAttribute('tabindex', '-1'); }
    var button = target.nextElementSibling;
    if (!button || button.tagName !== 'BUTTON') { return; }
    if (!button.disabled && button.getAttribute('tabindex') !== '0') { button.setAttribute('tabindex', '0'); }
    var label = labelFor(button.id);
    if (label) {
      if (!label.id) { label.id = button.id + '-label'; }
      var named = button.getAttribute('aria-labelledby') || '';
      if (named.split(' ').indexOf(label.id) < 0) {
        button.setAttribute('aria-labelledby', (label.id + ' ' + named).trim());
      }
    }
  }

  function fixOptionsList(list) {
    var wanted = list.querySelector('input[type="radio"]') ? 'radiogroup' : 'group';
    if (list.getAttribute('role') !== wanted) { list.setAttribute('role', wanted); }
    var label = labelFor(list.id);
    if (label && !list.hasAttribute('aria-labelledby')) {
      if (!label.id) { label.id = list.id + '-label'; }
      list.setAttribute('aria-labelledby', label.id);
    }
    var options = list.querySelectorAll('[role="option"], [aria-selected]');
    for (var i = 0; i < options.length; i++) {
      options[i].removeAttribute('role');
      options[i].removeAttribute('aria-selected');
    }
  }

  /* An open dropdown's list is named by the dropdown's own label ("Kind", "Site"). */
  function fixPopover(content) {
    if (!content.id || content.hasAttribute('aria-labelledby')) { return; }
    var trigger = document.querySelector('button[aria-controls="' + content.id + '"]');
    var label = trigger && labelFor(trigger.id);
    if (label) {
      if (!label.id) { label.id = trigger.id + '-label'; }
      content.setAttribute('aria-labelledby', label.id);
    }
  }

  /* dcc.Upload's file input (the part a keyboard reaches) is named by the drop zone's own words. */
  function fixUpload(input) {
    var words = (input.parentElement && input.parentElement.textContent || '').trim();
    if (words && input.getAttribute('aria-label') !== words) { input.setAttribute('aria-label', words); }
  }

  function fixTabs(container) {
    if (container.getAttribute('role') !== 'tablist') { container.setAttribute('role', 'tablist'); }
    var tabs = container.querySelectorAll(':scope > .tab');
    for (var i = 0; i < tabs.length; i++) {
      var tab = tabs[i];
      var selected = tab.classList.contains('tab--selected') ? 'true' : 'false';
      if (tab.getAttribute('role') !== 'tab') { tab.setAttribute('role', 'tab'); }
      if (tab.getAttribute('aria-selected') !== selected) { tab.setAttribute('aria-selected', selected); }
      if (tab.getAttribute('tabindex') !== '0') { tab.setAttribute('tabindex', '0'); }
    }
  }

  var CLICKABLE = '.tab-container > .tab, tr.finding-row';

  function fixClickableRows(scope) {
    var rows = scope.querySelectorAll('tr.finding-row');
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute('tabindex') !== '0') { rows[i].setAttribute('tabindex', '0'); }
    }
  }

  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (!target || !target.matches || !target.matches(CLICKABLE)) { return; }
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      target.click();
    } else if (target.matches('.tab') && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
      var next = event.key === 'ArrowRight' ? target.nextElementSibling : target.previousElementSibling;
      if (next && next.matches('.tab')) { event.preventDefault(); next.focus(); }
    }
  });

  var lastFocused = null;
  var focusAfter = null;  // {id, until}: where the focus goes once it is shown
  document.addEventListener('focusin', function (event) { lastFocused = event.target; });
  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest && event.target.closest('[data-focus-after]');
    if (button) {
      focusAfter = {id: button.getAttribute('data-focus-after'), until: Date.now() + 15000};
      waitToFocus();
    }
  });

  function shown(el) { return !!el && el.offsetParent !== null && !el.hidden; }

  function firstControl(box) {
    return box.querySelector('button:not([disabled]), a[href], input:not([disabled]), [tabindex="0"]');
  }

  var lastShown = {};
  function focusShownBoxes(scope) {
    var boxes = scope.querySelectorAll('[data-focus-on-show]');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var now = shown(box);
      var key = box.id || String(i);
      if (now && !lastShown[key]) {
        var control = firstControl(box);
        if (control) { control.focus(); }
      }
      lastShown[key] = now;
    }
  }

  function waitToFocus() {
    if (!focusAfter) { return; }
    if (Date.now() > focusAfter.until) { focusAfter = null; return; }
    var target = document.getElementById(focusAfter.id);
    if (shown(target)) {
      focusAfter = null;
      target.focus();
      return;
    }
    window.setTimeout(waitToFocus, 50);
  }

  function keepFocus() {
    var active = document.activeElement;
    var lost = lastFocused;
    if (!lost) { return; }
    if (!document.contains(lost)) {
      // Drawn again (a sorted table's heading buttons): the new control of the same id takes the focus
      // back, rather than it falling to the page's start (WCAG 2.4.3).
      var again = lost.id ? document.getElementById(lost.id) : null;
      if (again && shown(again) && !again.disabled && (!active || active === document.body)) { again.focus(); }
      return;
    }
    if (!lost.disabled && shown(lost)) { return; }
    if (active && active !== document.body && active !== lost) { return; }
    var named = lost.closest('[data-focus-on-hide]');
    var heir = named && document.getElementById(named.getAttribute('data-focus-on-hide'));
    if (heir && shown(heir) && !heir.disabled) { heir.focus(); return; }
    var group = lost.parentElement;
    while (group && group !== document.body) {
      var controls = Array.prototype.filter.call(
        group.querySelectorAll('button, a[href], input, [tabindex="0"]'),
        function (el) { return !el.disabled && shown(el); });
      if (controls.length) {
        // The nearest one before the lost control (Undo beside Redo), else the first after it.
        var before = controls.filter(function (el) {
          return lost.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING;
        });
        (before.length ? before[before.length - 1] : controls[0]).focus();
        return;
      }
      group = group.parentElement;
    }
  }

  function fixAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var targets = scope.querySelectorAll('.dash-dropdown-focus-target');
    for (var i = 0; i < targets.length; i++) { fixDropdown(targets[i]); }
    var lists = scope.querySelectorAll('.dash-options-list');
    for (var j = 0; j < lists.length; j++) { fixOptionsList(lists[j]); }
    var popovers = scope.querySelectorAll('.dash-dropdown-content');
    for (var k = 0; k < popovers.length; k++) { fixPopover(popovers[k]); }
    var tabLists = scope.querySelectorAll('.tab-container');
    for (var n = 0; n < tabLists.length; n++) { fixTabs(tabLists[n]); }
    fixClickableRows(scope);
    var files = scope.querySelectorAll('input[type="file"]');
    for (var m = 0; m < files.length; m++) { fixUpload(files[m]); }
    focusShownBoxes(document);
    keepFocus();
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    // A microtask: the fix lands before the browser paints or a screen reader reads the change.
    Promise.resolve().then(function () { pending = false; fixAll(document); });
  }

  function start() {
    fixAll(document);
    new MutationObserver(schedule).observe(document.body, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ['tabindex', 'role', 'aria-selected', 'aria-labelledby', 'aria-label', 'disabled', 'class',
                        'hidden']});
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
