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
  setInterval(bind, 400);
})();
