/* Typed text lands where it was typed in Dash's text fields, however busy the page is.

   dcc.Input (Dash 4) with `debounce` puts the caret back after each key from a zero-delay timer,
   at the place it had when that key's change was handled. While the page is busy (the map
   drawing, a figure redrawing) the browser handles the next keys, and arrow keys, before those
   timers, so an old timer moves the caret back under the person's fingers and the following keys
   land in the wrong place: "Community frailty" came out "Commnity Frailtyu", and a trailing space
   moved to the end of the name.

   The caret only needs putting back when the field's text was replaced by the page (React
   writing a value the person did not type moves the caret to the end). While the field holds
   exactly what the person typed, the browser's caret is where the person left it, and Dash's
   putting back is skipped.

   Upstreamable: dcc.Input could put the caret back only when it has replaced the text. */
(function () {
  function isDashField(el) {
    return !!el && el.tagName === 'INPUT' && el.classList.contains('dash-input-element');
  }

  document.addEventListener('input', function (event) {
    if (isDashField(event.target)) { event.target.integramapTyped = event.target.value; }
  }, true);

  var setSelectionRange = HTMLInputElement.prototype.setSelectionRange;
  HTMLInputElement.prototype.setSelectionRange = function (start, end, direction) {
    if (isDashField(this) && start === end && this === document.activeElement
        && this.value === this.integramapTyped) {
      return undefined;  // the caret is where the person left it
    }
    return setSelectionRange.call(this, start, end, direction);
  };
})();
