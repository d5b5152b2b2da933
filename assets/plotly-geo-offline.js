/* Map figures on the Boundaries page draw the areas' own shapes on a blank background
   (plotly geo with visible: false). Plotly still asks for a world base map before drawing a
   geo subplot, from cdn.plot.ly; an empty one here means nothing is fetched from the internet
   and the map draws offline. */
(function () {
  var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};
  var topojson = assets.topojson = assets.topojson || {};
  var empty = {type: "GeometryCollection", geometries: []};
  var layers = ["land", "ocean", "lakes", "rivers", "coastlines", "countries", "subunits"];
  var scopes = ["world", "usa", "europe", "asia", "africa", "north-america", "south-america"];
  scopes.forEach(function (scope) {
    [50, 110].forEach(function (resolution) {
      var name = scope + "_" + resolution + "m";
      if (topojson[name] !== undefined) { return; }
      var objects = {};
      layers.forEach(function (layer) { objects[layer] = empty; });
      topojson[name] = {type: "Topology", objects: objects, arcs: []};
    });
  });
}());
