"""The Boundaries page's figures and words, without a browser: numbers, caps, highlights, escaping."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from conftest import FIXTURES, MODELS

from integramap.analysis.boundaries import analyse
from integramap.io.geometry import read_features
from integramap.io.sitefile import read_site
from integramap.model import Area, Site, Unit
from integramap.store import Store
from integramap.web.boundaries.data import RESULTS, compute, site_overlays
from integramap.web.boundaries.findings import default_layers, findings, findings_csv, site_layers, verdict
from integramap.figures.boundaries import (
    HIGHLIGHT,
    MAX_MAP_AREAS,
    MAX_ROWS,
    OVERLAY,
    SELECTED_AREAS,
    STRADDLE,
    Overlay,
    flow_sankey,
    footprint_map,
    overlap_heatmap,
    shown_units,
)
from integramap.web.common.services import Services

GEO = FIXTURES / "geo"


@pytest.fixture(scope="module")
def borough() -> Site:
    return read_site(MODELS / "riverside-borough.yaml")


def wide_site(pcns: int = 60, lcns: int = 10) -> Site:
    """``pcns`` PCNs over ``lcns`` LCNs; every sixth PCN straddles into the next LCN, a little more each time."""
    areas, units = [], []
    for k in range(lcns):
        units.append(Unit(id=f"l{k:02d}", name=f"LCN {k:02d}", kind="lcn",
                          footprint={f"a{i:03d}": 1 for i in range(pcns) if i % lcns == k}
                          | {f"x{i:03d}": 1 for i in range(pcns) if (i + 1) % lcns == k}))
    for i in range(pcns):
        areas.append(Area(id=f"a{i:03d}", population=1000))
        areas.append(Area(id=f"x{i:03d}", population=10 * (i + 1) if i % 6 == 0 else 0))
        units.append(Unit(id=f"p{i:03d}", name=f"PCN {i:03d}", kind="pcn",
                          footprint={f"a{i:03d}": 1, f"x{i:03d}": 1}))
    return Site(id="wide", name="Wide", areas=areas, units=units)


def test_heatmap_puts_names_on_the_axes_and_shares_in_the_cells(borough: Site) -> None:
    report = analyse(borough, "pcn", "lcn")
    fig = overlap_heatmap(report)
    heat = fig.data[0]
    rows = [t.replace("<br>", " ") for t in fig.layout.yaxis.ticktext]
    columns = [t.replace("<br>", " ") for t in fig.layout.xaxis.ticktext]
    assert sorted(rows) == ["Fenwick and Southgate PCN", "Kingsmere and Elmstead PCN", "Riverbend PCN",
                            "Wharfside PCN"]
    assert len(columns) == 3 and all("Local Care Network" in c for c in columns)
    riverbend = rows.index("Riverbend PCN")
    shares = [v for v in heat.z[riverbend] if not math.isnan(v)]
    assert sorted(round(v, 3) for v in shares) == [0.459, 0.541]
    # Hover names the two units and the people they share.
    assert any("9,860 people shared" in h for h in heat.customdata[riverbend])
    # Every other PCN lies in one LCN: one coloured cell per row.
    assert all(sum(1 for v in heat.z[i] if not math.isnan(v)) == 1 for i in range(4) if i != riverbend)
    assert fig.layout.shapes == ()


def test_heatmap_rows_form_blocks_by_the_column_they_mostly_lie_in() -> None:
    report = analyse(wide_site(20, 4), "pcn", "lcn")
    shown = shown_units(report)
    main_column = []
    by_a = {}
    for o in report.overlaps:
        by_a.setdefault(o.a, []).append(o)
    for a in shown.rows:
        best = max(by_a[a], key=lambda o: o.population)
        main_column.append(shown.columns.index(best.b))
    assert main_column == sorted(main_column)


def test_sixty_by_ten_is_capped_to_the_least_aligned_and_says_so() -> None:
    report = analyse(wide_site(), "pcn", "lcn")
    assert len({o.a for o in report.overlaps}) == 60
    fig = overlap_heatmap(report, max_rows=8)
    assert len(fig.data[0].y) == 8
    note = " ".join(a.text for a in fig.layout.annotations)
    assert "Showing the 8 least aligned of 60 PCNs" in note
    shown = shown_units(report, max_rows=8)
    # Straddlers come first: every PCN shown straddles, the least aligned of them kept.
    straddlers = {s.unit: s.alignment for s in report.straddles}
    assert set(shown.rows) <= set(straddlers)
    assert max(straddlers[a] for a in shown.rows) <= min(v for k, v in straddlers.items() if k not in shown.rows)
    # At the default cap, the 10 straddlers alone, each row with all its cells: the rest lie in one LCN.
    default = overlap_heatmap(report)
    assert len(default.data[0].y) == len(straddlers) == 10 < MAX_ROWS
    assert all(sum(1 for v in row if not math.isnan(v)) == 2 for row in default.data[0].z)
    assert default.layout.height < 26 * 60 + 400
    # Too few columns for every straddler: rows are dropped whole, never drawn without their cells.
    narrow = shown_units(report, max_columns=5)
    assert narrow.rows and len(narrow.columns) <= 5
    assert all({o.b for o in report.overlaps if o.a == a} <= set(narrow.columns) for a in narrow.rows)


def test_a_highlighted_unit_is_kept_under_the_cap_and_outlined() -> None:
    report = analyse(wide_site(), "pcn", "lcn")
    aligned = "p001"  # lies wholly in one LCN: never among the least aligned
    fig = overlap_heatmap(report, {aligned}, max_rows=5)
    rows = shown_units(report, {aligned}, max_rows=5).rows
    assert aligned in rows and len(rows) == 5 and sum(r in {s.unit for s in report.straddles} for r in rows) == 4
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].line.color == HIGHLIGHT
    assert any(HIGHLIGHT in t and "PCN 001" in t for t in fig.layout.yaxis.ticktext)


def test_sankey_flows_people_and_marks_the_straddler(borough: Site) -> None:
    report = analyse(borough, "pcn", "lcn")
    sankey = flow_sankey(report).data[0]
    labels = list(sankey.node.label)
    riverbend = labels.index("Riverbend PCN")
    out = [(t, v, c) for s, t, v, c in zip(sankey.link.source, sankey.link.target, sankey.link.value,
                                           sankey.link.color) if s == riverbend]
    assert sorted(round(v) for _, v, _ in out) == [8360, 9860]
    assert all(c.startswith("rgba(232,119,46") for _, _, c in out)  # the straddle colour
    assert sankey.node.color[riverbend] == STRADDLE
    total = sum(sankey.link.value)
    assert total == pytest.approx(sum(o.population for o in report.overlaps))


def test_sankey_highlight_draws_the_units_flows_strongly_and_fades_the_rest(borough: Site) -> None:
    report = analyse(borough, "pcn", "lcn")
    sankey = flow_sankey(report, {"pcn-riverbend", "lcn-south"}).data[0]
    labels = list(sankey.node.label)
    strong = [(labels[s], labels[t]) for s, t, c in zip(sankey.link.source, sankey.link.target,
                                                        sankey.link.color) if c.endswith("0.75)")]
    assert strong == [("Riverbend PCN", "South Riverside Local Care Network")]


def test_figures_escape_names_and_say_when_layers_do_not_meet() -> None:
    site = Site(id="s", name="S", areas=[Area(id="x", population=5)], units=[
        Unit(id="p", name="<img src=x onerror=alert(1)>", kind="pcn", footprint={"x": 1}),
        Unit(id="l", name="LCN & co", kind="lcn", footprint={"x": 1}),
        Unit(id="t", name="Team", kind="team")])
    report = analyse(site, "pcn", "lcn")
    text = json.dumps(overlap_heatmap(report).to_plotly_json()) + json.dumps(flow_sankey(report).to_plotly_json())
    assert "<img" not in text and "&lt;img" in text and "LCN &amp; co" in text
    empty = overlap_heatmap(analyse(site, "pcn", "team"))
    assert "share no people" in empty.layout.annotations[0].text


def grid_site() -> Site:
    """Four squares of the fixture grid: two PCNs, two LCNs, PCN B straddling both LCNs."""
    ref = str(GEO / "lsoa_grid.geojson")
    areas = [Area(id=f"a{i}", name=f"Area {i}", population=100, geometry=f"{ref}#E0190000{i}")
             for i in range(1, 5)]
    return Site(id="grid", name="Grid", areas=areas, units=[
        Unit(id="pa", name="PCN A", kind="pcn", footprint={"a1": 1, "a2": 1}),
        Unit(id="pb", name="PCN B", kind="pcn", footprint={"a3": 1, "a4": 1}),
        Unit(id="south", name="South LCN", kind="lcn", footprint={"a1": 1, "a2": 1, "a3": 1}),
        Unit(id="north", name="North LCN", kind="lcn", footprint={"a4": 1})])


def shapes_of(site: Site) -> dict:
    from integramap.io.geometry import area_shapes

    return area_shapes(site).geometries


def test_footprint_map_fills_layer_a_outlines_layer_b_and_fetches_nothing() -> None:
    site = grid_site()
    fig = footprint_map(site, shapes_of(site), "pcn", "lcn")
    fills = [t for t in fig.data if t.type == "choropleth"]
    assert [(t.name, sorted(t.locations)) for t in fills] == [("PCN A", ["a1", "a2"]), ("PCN B", ["a3", "a4"])]
    assert all(f["id"] in t.locations for t in fills for f in t.geojson["features"])
    lines = {t.name: t for t in fig.data if t.type == "scattergeo" and t.mode == "lines"}
    assert set(lines) == {"South LCN", "North LCN", SELECTED_AREAS}
    # North LCN is one square: its outline is that square's four edges.
    north = [(x, y) for x, y in zip(lines["North LCN"].lon, lines["North LCN"].lat) if x is not None]
    assert {(round(x, 2), round(y, 2)) for x, y in north} == {(0.01, 51.41), (0.02, 51.41), (0.02, 51.42),
                                                              (0.01, 51.42)}
    geo = fig.layout.geo
    assert geo.fitbounds == "locations" and geo.visible is False
    text = json.dumps(fig.to_plotly_json())
    assert "mapbox" not in text and "http" not in text and not fig.layout.map.style


def test_footprint_map_highlight_fades_others_and_outlines_areas_in_red() -> None:
    site = grid_site()
    fig = footprint_map(site, shapes_of(site), "pcn", "lcn", {"pb", "north"}, highlight_areas={"a4"})
    fills = {t.name: t for t in fig.data if t.type == "choropleth"}
    assert fills["PCN B"].marker.opacity > fills["PCN A"].marker.opacity
    north = next(t for t in fig.data if t.name == "North LCN")
    assert north.line.color == HIGHLIGHT and north.line.width > 2
    selected = next(t for t in fig.data if t.name == SELECTED_AREAS)
    assert [x for x in selected.lon if x is not None]


def test_overlays_are_thin_lines_that_can_be_hidden() -> None:
    site = grid_site()
    zones = read_features(GEO / "zones.geojson", "ZONE")
    from integramap.io.geometry import outline

    overlay = Overlay("Zones", [line for g in zones.geometries.values() for line in outline([g])])
    shown = footprint_map(site, shapes_of(site), "pcn", "lcn", overlays=[overlay])
    hidden = footprint_map(site, shapes_of(site), "pcn", "lcn", overlays=[overlay], show_overlays=False)
    zone = [t for t in shown.data if t.meta == OVERLAY]
    assert [t.name for t in zone] == ["Zones"] and zone[0].line.width < 1 and zone[0].visible is True
    assert [t.visible for t in hidden.data if t.meta == OVERLAY] == ["legendonly"]
    assert len(shown.data) == len(hidden.data)


def test_too_many_areas_are_not_drawn() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    shapes = {f"a{i}": square for i in range(MAX_MAP_AREAS + 1)}
    fig = footprint_map(Site(id="s", name="S"), shapes, "pcn", "lcn")
    assert not fig.data and f"{MAX_MAP_AREAS:,}" in fig.layout.annotations[0].text


def test_verdict_findings_and_csv_for_the_borough(borough: Site) -> None:
    report = analyse(borough, "pcn", "lcn")
    assert verdict(report) == ("3 of 4 PCNs lie within one LCN; Riverbend PCN straddles South Riverside Local "
                               "Care Network and Central Riverside Local Care Network (54% / 46%).")
    rows = findings(report)
    assert (rows[0].kind, rows[0].focus) == ("straddle", "pcn-riverbend")
    assert len(rows) == report.counts.mismatches + report.counts.no_footprint
    table = list(csv.DictReader(io.StringIO(findings_csv(rows))))
    assert len(table) == len(rows)
    assert table[0]["unit_ids"] == "pcn-riverbend; lcn-south; lcn-central"
    assert float(table[0]["population"]) == 18220 and float(table[0]["share"]) == pytest.approx(0.5412, abs=1e-4)
    assert table[0]["detail"].startswith("Riverbend PCN lies across 2 LCNs: 54% South")


def test_findings_csv_neutralises_formulas() -> None:
    site = Site(id="s", name="S", areas=[Area(id="x", name="@area", population=3)], units=[
        Unit(id="p", name="=cmd|' /C calc'!A0", kind="pcn"),
        Unit(id="l", name="+LCN", kind="lcn", footprint={"x": 1})])
    text = findings_csv(findings(analyse(site, "pcn", "lcn")))
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'=cmd|' /C calc'!A0" in cells and "'@area" in cells


def test_layers_offered_and_defaults(borough: Site) -> None:
    specs = [o.spec for o in site_layers(borough)]
    assert specs[:3] == ["pcn", "lcn", "local_authority"] and "team:mental_health" in specs
    assert default_layers(site_layers(borough)) == ("pcn", "lcn")
    no_lcn = Site(id="s", name="S", units=[
        Unit(id="t", name="Team", kind="team"), Unit(id="p", name="PCN", kind="pcn"),
        Unit(id="la", name="Council", kind="organisation", org_type="local_authority")])
    assert default_layers(site_layers(no_lcn)) == ("pcn", "local_authority")
    teams = Site(id="s", name="S", units=[Unit(id="t", name="Team", kind="team", sectors=["mental_health"])])
    assert default_layers(site_layers(teams)) == ("team", "team:mental_health")


def test_compute_picks_default_layers_and_caches(tmp_path: Path) -> None:
    with Store(data_dir=tmp_path / "data") as store:
        store.seed(MODELS)
        services = Services(store=store)
        seen: list[str] = []
        from integramap.web.common.jobs import Progress

        result = compute(services, "riverside-borough", None, None, Progress(lambda f, m: seen.append(m)))
        assert (result.a, result.b) == ("pcn", "lcn") and result.report is not None
        assert result.report.counts.straddles == 1 and not result.shapes.geometries
        assert seen[0] == "Loading the site" and seen[-1] == "Done"
        assert compute(services, "riverside-borough", "pcn", "lcn") is result
        assert RESULTS.get(services, "riverside-borough", result.revision, None, None) is result


def test_site_overlays_read_the_demos_metadata() -> None:
    files = sorted(str(p) for p in (FIXTURES / "demo" / "geo" / "sel-ward").glob("*.geojson"))
    site = Site(id="s", name="S", metadata={"overlays": [
        {"name": "Boroughs", "draw": "outline", "files": files, "labels": ["Riverside", "Hillside"]},
        {"name": "Wards", "draw": "features", "files": files},
        {"name": "Broken", "draw": "features", "files": [str(GEO / "broken_features.geojson")]}]})
    overlays = site_overlays(site, [FIXTURES])
    assert [(o.name, o.bold) for o in overlays] == [("Boroughs", True), ("Wards", False)]
    # Only files inside the reference data folders are opened, whatever the site names.
    assert site_overlays(site, [FIXTURES / "elsewhere"]) == []
    assert [text for _, _, text in overlays[0].labels] == ["Riverside", "Hillside"]
    assert len(overlays[1].lines) >= len(overlays[0].lines)


def test_highlight_keeps_the_number_of_traces_and_uses_an_overlays_real_boundary() -> None:
    site = grid_site()
    square = [(0.0, 51.41), (0.02, 51.41), (0.02, 51.42), (0.0, 51.42), (0.0, 51.41)]
    zones = Overlay("Zones", [square], labels=[(0.01, 51.415, "North LCN"), (0.01, 51.405, "South LCN")],
                    bold=True, parts={"North LCN": [square], "South LCN": []})
    plain = footprint_map(site, shapes_of(site), "pcn", "lcn", overlays=[zones])
    lit = footprint_map(site, shapes_of(site), "pcn", "lcn", {"pb", "north"}, overlays=[zones])
    assert [t.name for t in plain.data] == [t.name for t in lit.data]
    # The overlay draws the LCNs: their area outlines are left empty, the highlighted one follows the zone.
    north_plain = next(t for t in plain.data if t.name == "North LCN")
    north_lit = next(t for t in lit.data if t.name == "North LCN")
    assert not [x for x in north_plain.lon if x is not None]
    assert [(x, y) for x, y in zip(north_lit.lon, north_lit.lat) if x is not None] == square
    # The highlighted PCN's own areas are ringed.
    ring = next(t for t in lit.data if t.name == SELECTED_AREAS)
    assert {round(x, 2) for x in ring.lon if x is not None} == {0.0, 0.01, 0.02}


@pytest.mark.parametrize("straddling, tail", [(2, ", and 1 other PCN straddles."), (3, ", and 2 other PCNs straddle.")])
def test_the_verdict_counts_the_other_straddles_in_good_grammar(straddling: int, tail: str) -> None:
    pcns = [Unit(id=f"p{i}", name=f"PCN {i}", kind="pcn", footprint={"x": 1, "y": 1}) for i in range(straddling)]
    site = Site(id="s", name="S", areas=[Area(id="x", population=60), Area(id="y", population=40)],
                units=[*pcns, Unit(id="c", name="Central", kind="lcn", footprint={"x": 1}),
                       Unit(id="d", name="South", kind="lcn", footprint={"y": 1})])
    assert verdict(analyse(site, "pcn", "lcn")).endswith(tail)
