"""The panel's server-drawn SVG charts: one dot per point, labels escaped, named for screen
readers, well-formed XML."""

from __future__ import annotations

from xml.etree import ElementTree

from adapters.panel.charts import Point, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def text_of(node: ElementTree.Element, child: str) -> str | None:
    """The text of ``node``'s first SVG ``child`` element (it must exist)."""
    found = node.find(f"{SVG}{child}")
    assert found is not None, child
    return found.text


def parse(svg: str) -> ElementTree.Element:
    """Our own output, not untrusted input."""
    return ElementTree.fromstring(svg)  # noqa: S314


def test_one_dot_per_point_and_an_accessible_name() -> None:
    points = [Point(0, 3, "10:00"), Point(2, 5, "10:10"), Point(7, 9, "10:35")]
    svg = str(line_chart(points, chart_id="acks", title="Potwierdzenia w czasie",
                         description="9 z 12 osób potwierdziło", y_max=12))
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "acks-title acks-desc"
    assert text_of(root, "title") == "Potwierdzenia w czasie"
    assert text_of(root, "desc") == "9 z 12 osób potwierdziło"
    dots = root.findall(f"{SVG}circle")
    assert len(dots) == 3
    # each dot says what it stands for (a tooltip, and what assistive tech reads)
    assert [text_of(d, "title") for d in dots] == [
        "10:00: 3", "10:10: 5", "10:35: 9"]
    # higher values are drawn higher (SVG's y grows downwards), later ones further right
    ys = [float(d.get("cy", "0")) for d in dots]
    xs = [float(d.get("cx", "0")) for d in dots]
    assert ys == sorted(ys, reverse=True) and xs == sorted(xs)
    # the y axis reaches y_max (12), not only the highest value
    assert "12" in [t.text for t in root.findall(f"{SVG}text")]


def test_labels_and_titles_are_escaped() -> None:
    hostile = '<script>alert("x")</script>&'
    svg = str(line_chart([Point(0, 1, hostile)], chart_id='a"b', title=hostile,
                         description=hostile))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg
    root = parse(svg)  # still well-formed
    assert text_of(root, "title") == hostile
    assert root.get("id") == "a-b"  # the id is made safe, not escaped into an attribute


def test_no_points_is_an_empty_chart_not_an_error() -> None:
    root = parse(str(line_chart([], chart_id="e", title="t", description="d")))
    assert root.findall(f"{SVG}circle") == []
    assert root.findall(f"{SVG}polyline") == []
