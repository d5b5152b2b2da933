/* Typed text lands where it was typed in Dash's text fields, however busy the page is.

   dcc.Input (Dash 4) with `debounce` puts the caret back after each key from a zero-delay timer,
   at the place it had when that key's change was handled. While the page is busy (the map
   drawing, a figure redrawing) the browser handles the next keys before those timers, so an old
   timer moves the caret back under the person's fingers and the following keys land in the
   wrong place: "Community frailty" came out "Commnity Frailtyu", and a trailing space moved
   to the end of the name. Each field's caret is noted whenever the person types, moves it or
   clicks, and a caret put back by Dash goes to that place instead of an older one.

   Upstreamable: dcc.Input could read the caret when its timer runs rather than when it is set. */
(function () {
  function isDashField(el) {
    return !!el && el.tagName === 'INPUT' && el.classList.contains('dash-input-element');
  }

  function note(event) {
    var el = event.target;
    if (!isDashField(el)) { return; }
    try {
      el.integramapCaret = el.selectionStart;
    } catch (err) {
      el.integramapCaret = undefined;  // a type without a caret (number, email) reads as null or throws
    }
  }

  ['input', 'keyup', 'mouseup', 'focusin', 'select'].forEach(function (type) {
    document.addEventListener(type, note, true);
  });

  var setSelectionRange = HTMLInputElement.prototype.setSelectionRange;
  HTMLInputElement.prototype.setSelectionRange = function (start, end, direction) {
    var caret = this.integramapCaret;
    if (isDashField(this) && start === end && typeof caret === 'number' && caret !== start) {
      start = end = Math.min(caret, this.value.length);
    }
    return setSelectionRange.call(this, start, end, direction);
  };
})();
