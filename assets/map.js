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
  /* After the server's layout has run: fit the view to what it names (a search's matches, a box
     just opened) instead of the whole map, without zooming in past the point of comfort. */
  function bindFit(cy) {
    if (cy._integramapFit) { return; }
    cy._integramapFit = true;
    cy.on('layoutstop', function (evt) {
      var ids = evt.layout && evt.layout.options && evt.layout.options.fitTo;
      if (!ids || !ids.length) { return; }
      var targets = cy.collection();
      ids.forEach(function (id) { targets = targets.union(cy.getElementById(id)); });
      if (!targets.length) { return; }
      cy.fit(targets, 60);
      if (cy.zoom() > 1.5) { cy.zoom({level: 1.5, position: targets.boundingBox().x1 !== undefined ?
        {x: (targets.boundingBox().x1 + targets.boundingBox().x2) / 2,
         y: (targets.boundingBox().y1 + targets.boundingBox().y2) / 2} : undefined}); }
      cy._integramapFitted = ids.join(',');
    });
    /* A link's level in words while the pointer is on it (the stylesheet's edge.hover). */
    cy.on('mouseover', 'edge', function (evt) { evt.target.addClass('hover'); readable(evt.target); });
    cy.on('mouseout', 'edge', function (evt) { evt.target.removeClass('hover'); readable(evt.target); });
    cy.on('select unselect', 'edge', function (evt) { readable(evt.target); });
  }
  /* Link labels are read on screen or not drawn. Cytoscape's own min-zoomed-font-size check rounds
     the zoom up to a power of two, so it draws a 12 px label at 6 px; here a target link's level
     is hidden (the stylesheet's edge.small-label) as soon as the zoom makes it smaller than that
     floor, and the label of a link under the pointer or selected is drawn large enough to read. */
  function floorOf(edge) { return parseFloat(edge.style('min-zoomed-font-size')) || 10; }
  function readable(edge) {
    if (edge.removed()) { return; }
    if (edge.hasClass('hover') || edge.selected()) {
      var wanted = Math.ceil((floorOf(edge) + 1) / edge.cy().zoom());
      edge.style('font-size', Math.max(wanted, parseFloat(edge.data('font')) || 12));
    } else {
      edge.removeStyle('font-size');
    }
  }
  function fitLinkLabels(cy) {
    var zoom = cy.zoom();
    cy.batch(function () {
      cy.edges('.target').forEach(function (edge) {
        var small = (parseFloat(edge.data('font')) || 12) * zoom < floorOf(edge);
        if (small !== edge.hasClass('small-label')) { edge.toggleClass('small-label', small); }
      });
      cy.edges('.hover, :selected').forEach(readable);
    });
  }
  function bindLinkLabels(cy) {
    if (cy._integramapLinkLabels) { return; }
    cy._integramapLinkLabels = true;
    var pending = false;
    function later() {
      if (pending) { return; }
      pending = true;
      requestAnimationFrame(function () { pending = false; fitLinkLabels(cy); });
    }
    /* The server's redraws reset an element's classes and data: check again after each. */
    cy.on('zoom', later);
    cy.on('add class data', 'edge', later);
    fitLinkLabels(cy);
  }
  /* Tell the server the map's size on screen (a cookie, read with the next page or redraw), so the
     view it plans reads here: a narrow window opens with fewer, larger things. */
  function reportSize(cy) {
    var size = Math.round(cy.width()) + 'x' + Math.round(cy.height());
    if (cy.width() > 0 && cy._integramapSize !== size) {
      cy._integramapSize = size;
      document.cookie = 'integramap-canvas=' + size + '; path=/; max-age=31536000; SameSite=Lax';
    }
  }
  /* The map now paints with the page itself, so bind quickly: a unit dragged before the
     handler is bound would not keep its place. */
  setInterval(function () {
    bind();
    var cy = cyOf(document.getElementById('map-cy'));
    if (cy) { bindReconcile(cy); bindFit(cy); bindLinkLabels(cy); reportSize(cy); }
  }, 100);
})();
