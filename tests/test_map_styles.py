"""Not by colour alone: the map's levels, sectors and text stay readable without colour vision.

Colour-blindness is simulated with Machado et al.'s (2009) model at full severity; "apart" is the
CIEDE2000 difference, where about 2.3 is just noticeable and 10 is plainly different.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from conftest import ROOT
from integramap.model import Level, Sector
from integramap.web.common.colour import MACHADO_2009, ciede2000, closest_pair, contrast_ratio, parse_hex, \
    simulate, to_lab
from integramap.layout.vocabulary import (CANVAS_BACKGROUND, LEVEL_COLOURS, LEVEL_DASHES, LEVEL_WIDTHS,
                                          NO_SECTOR_COLOUR, NODE_BORDER, SECTOR_CODES, SECTOR_COLOURS, TRIED_COLOUR,
                                          sector_icon)
from integramap.web.map.styles import level_class, sector_class, stylesheet

VISIONS = [None, *MACHADO_2009]


def _style(selector: str) -> dict[str, object]:
    merged: dict[str, object] = {}
    for rule in stylesheet():
        if rule["selector"] == selector:
            merged |= rule["style"]
    return merged


def test_every_level_has_its_own_line_by_width_and_dashes() -> None:
    lines = [(LEVEL_WIDTHS[lv], LEVEL_DASHES[lv]) for lv in Level]
    assert len(set(lines)) == len(Level)
    widths = [LEVEL_WIDTHS[lv] for lv in Level]
    assert widths == sorted(widths) and len(set(widths)) == len(widths)
    # The looser the link, the more of its line is gap: never less broken than a closer level.
    gaps = [d[1] / sum(d) if d else 0.0 for d in (LEVEL_DASHES[lv] for lv in Level)]
    assert gaps == sorted(gaps, reverse=True) and gaps[0] > 0 and gaps[-1] == 0
    for level in Level:
        style = _style(f"edge.{level_class(level)}")
        assert style["width"] == LEVEL_WIDTHS[level] and style["line-color"] == LEVEL_COLOURS[level]
        if LEVEL_DASHES[level]:
            assert style["line-style"] == "dashed"
            assert style["line-dash-pattern"] == list(LEVEL_DASHES[level])
        else:
            assert "line-style" not in style


def test_every_sector_is_drawn_with_its_letters_as_well_as_its_colour() -> None:
    assert set(SECTOR_CODES) == set(Sector) == set(SECTOR_COLOURS)
    assert len(set(SECTOR_CODES.values())) == len(Sector)
    for sector in Sector:
        style = _style(f"node.{sector_class(sector)}")
        assert style["background-color"] == SECTOR_COLOURS[sector]
        assert style["background-image"] == sector_icon(sector)
        assert SECTOR_CODES[sector] in sector_icon(sector)
    # Boxes holding other units are not stamped with a sector's letters in their middle.
    assert _style(":parent")["background-image"] == "none"


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "normal")
def test_sector_colours_stay_apart_under_colour_blindness(vision: str | None) -> None:
    distance, a, b = closest_pair([*SECTOR_COLOURS.values(), NO_SECTOR_COLOUR], vision)
    assert distance >= 10, f"{a} and {b} are only {distance:.1f} apart ({vision or 'normal vision'})"


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "normal")
def test_level_colours_step_in_order_under_colour_blindness(vision: str | None) -> None:
    labs = [to_lab(simulate(LEVEL_COLOURS[lv], vision) if vision else parse_hex(LEVEL_COLOURS[lv])) for lv in Level]
    lightness = [lab[0] for lab in labs]
    assert lightness == sorted(lightness, reverse=True)  # closer integration is always darker
    steps = [ciede2000(x, y) for x, y in pairwise(labs)]
    assert min(steps) >= 5, f"neighbouring levels only {min(steps):.1f} apart ({vision or 'normal vision'})"


def test_lines_and_outlines_stand_out_from_the_canvas() -> None:
    # WCAG 1.4.11: the parts of a picture needed to read it at 3:1 against what is next to them.
    for level in Level:
        assert contrast_ratio(LEVEL_COLOURS[level], CANVAS_BACKGROUND) >= 3, level
    assert contrast_ratio(NODE_BORDER, CANVAS_BACKGROUND) >= 3
    for sector in Sector:
        assert _style(f"node.{sector_class(sector)}")["border-color"] == NODE_BORDER
    assert f"background: {CANVAS_BACKGROUND}" in (ROOT / "assets" / "integramap.css").read_text()
    # A change being tried: its violet dashed outline too, and the toggle's white words on violet.
    assert _style("node.tried-changed, node.tried-added")["border-color"] == TRIED_COLOUR
    assert contrast_ratio(TRIED_COLOUR, CANVAS_BACKGROUND) >= 3
    assert f"background: {TRIED_COLOUR}" in (ROOT / "assets" / "integramap.css").read_text()


def test_names_and_link_labels_on_the_map_read_as_text() -> None:
    # WCAG 1.4.3: every colour the map writes a label in has 4.5:1 on the canvas behind it.
    colours = {str(rule["style"]["color"]) for rule in stylesheet() if "color" in rule["style"]}
    assert len(colours) >= 2, colours
    for colour in colours:
        assert contrast_ratio(colour, CANVAS_BACKGROUND) >= 4.5, colour
    assert _style("edge.target")["label"] == "data(label)"


DARK_BAR = "#1d3557"
PAGE_BACKGROUNDS = ("#ffffff", "#f5f7fa")


def _css_rules() -> list[tuple[str, dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", (ROOT / "assets" / "integramap.css").read_text(), flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        props = dict((k.strip(), v.strip()) for k, v in
                     (p.split(":", 1) for p in body.split(";") if ":" in p))
        rules.append((" ".join(selector.split()), props))
    return rules


def test_text_colours_in_the_style_sheet_have_at_least_4_5_to_1_contrast() -> None:
    checked = 0
    for selector, props in _css_rules():
        colour = props.get("color", "")
        if not re.fullmatch(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?", colour):
            continue
        own = re.search(r"#[0-9a-fA-F]{6}\b", props.get("background", ""))
        if own:
            backgrounds: tuple[str, ...] = (own.group(0),)
        elif selector.startswith((".topbar", ".nav-person")):
            backgrounds = (DARK_BAR,)
        else:
            backgrounds = PAGE_BACKGROUNDS
        for background in backgrounds:
            ratio = contrast_ratio(colour, background)
            assert ratio >= 4.5, f"{selector}: {colour} on {background} is {ratio:.2f}:1"
            checked += 1
    assert checked >= 20  # the rules were found and read


def test_a_colour_that_fails_is_caught() -> None:
    # The checks can fail: the old hint grey on the page, and Tableau's red and green to a deuteranope.
    assert contrast_ratio("#7b8794", "#f5f7fa") < 4.5
    assert closest_pair(["#59a14f", "#e15759"], "deuteranopia")[0] < 2.3
    assert closest_pair(["#59a14f", "#e15759"])[0] > 10


def test_the_map_picture_carries_its_description_and_the_levels_dashes() -> None:
    import xml.etree.ElementTree as ET

    from integramap.io.map_picture import drawing_from_site, drawing_to_svg
    from integramap.io.sitefile import read_site
    from conftest import MODELS

    site = read_site(MODELS / "northvale-camhs.yaml")
    drawing = drawing_from_site(site)
    root = ET.fromstring(drawing_to_svg(drawing, title=site.name))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img" and root.get("aria-labelledby") == "map-title map-desc"
    assert root.findtext("svg:title", namespaces=ns) == site.name
    desc = root.findtext("svg:desc", namespaces=ns) or ""
    assert desc.startswith(f"Map of {site.name}: {len(drawing.units)} units")
    for link in site.links[:3]:
        assert f"{site.unit(link.source).name} and {site.unit(link.target).name}, {link.level.label}" in desc
    for path in root.iter("{http://www.w3.org/2000/svg}path"):
        level = path.get("data-level")
        if level:
            dashes = LEVEL_DASHES[Level(level)]
            assert path.get("stroke-dasharray") == (" ".join(f"{d:g}" for d in dashes) if dashes else None)
