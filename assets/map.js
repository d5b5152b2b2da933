/* Keep a dragged unit where it is dropped: send its new position (and those of the units
   inside it, for a compound box) to the server, which writes them into the working copy. */
(function () {
  function cyOf(el) {
    if (!el) { return null; }
    if (el._cyreg && el._cyreg.cy) { return el._cyreg.cy; }
    var child = el.firstChild;
    return child && child._cyreg ? child._cyreg.cy : null;
  }
  function bind() {
    var cy = cyOf(document.getElementById('map-cy'));
    if (!cy || cy._integramapBound) { return; }
    cy._integramapBound = true;
    cy.on('dragfree', 'node', function (evt) {
      var moved = {};
      evt.target.union(evt.target.descendants()).forEach(function (node) {
        if (!node.isParent()) {
          var p = node.position();
          moved[node.id()] = [p.x, p.y];
        }
      });
      if (window.dash_clientside && window.dash_clientside.set_props) {
        window.dash_clientside.set_props('map-moved', {data: {positions: moved, at: Date.now()}});
      }
    });
  }
  /* Cytoscape keeps a node in its old compound box when only its data changes: move each node
     to the box its data names (none when nesting is switched off). */
  function reconcile(cy) {
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var wanted = node.data('parent') || null;
        var actual = node.isChild() ? node.parent().id() : null;
        if (wanted !== actual && (wanted === null || cy.getElementById(wanted).length)) {
          node.move({parent: wanted});
        }
      });
    });
  }
  function bindReconcile(cy) {
    if (cy._integramapNesting) { return; }
    cy._integramapNesting = true;
    var pending = null;
    cy.on('data add', 'node', function () {
      if (pending) { return; }
      pending = setTimeout(function () { pending = null; reconcile(cy); }, 0);
    });
  }
  /* The map now paints with the page itself, so bind quickly: a unit dragged before the
     handler is bound would not keep its place. */
  setInterval(function () {
    bind();
    var cy = cyOf(document.getElementById('map-cy'));
    if (cy) { bindReconcile(cy); }
  }, 100);
})();
