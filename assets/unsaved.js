/* Leaving the page (reload, closing the tab, typing another address) with unsaved edits asks first.
   The Map page sets window.integramapUnsaved from its working copy's state after every change.
   Unsaved edits are kept on the server either way; the question is so they are not forgotten.
   A change being tried (window.integramapTrying) lives only in the page until it is kept, so
   following a link to another page of the app asks as well. */
(function () {
  window.addEventListener('beforeunload', function (event) {
    if (!window.integramapUnsaved) { return undefined; }
    event.preventDefault();
    event.returnValue = '';
    return '';
  });
  // Capture phase on the document: runs before the app's own link handling, which would
  // change page without unloading.
  document.addEventListener('click', function (event) {
    if (!window.integramapTrying) { return; }
    var link = event.target && event.target.closest ? event.target.closest('a[href]') : null;
    if (!link || link.target === '_blank' || link.hasAttribute('download')) { return; }
    var to = new URL(link.href, window.location.href);
    if (to.origin !== window.location.origin || to.pathname === window.location.pathname) { return; }
    var leave = window.confirm('The change you are trying has not been kept. Leave this page and drop it?');
    if (!leave) {
      event.preventDefault();
      event.stopPropagation();
    } else {
      window.integramapTrying = false;
      window.integramapUnsaved = false;
    }
  }, true);
})();
