/* Leaving the page (reload, closing the tab, typing another address) with unsaved edits asks first.
   The Map page sets window.integramapUnsaved from its working copy's state after every change.
   Unsaved edits are kept on the server either way; the question is so they are not forgotten. */
(function () {
  window.addEventListener('beforeunload', function (event) {
    if (!window.integramapUnsaved) { return undefined; }
    event.preventDefault();
    event.returnValue = '';
    return '';
  });
})();
