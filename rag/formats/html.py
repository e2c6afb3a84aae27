"""HTML to text: the page's own content as paragraphs, headings as Markdown, tables as rows.

What is dropped as boilerplate (never indexed as prose): scripts and styles; `<nav>`,
`<aside>`, `<form>`, and a `<header>`/`<footer>` outside the article; elements whose
ARIA role is navigation, banner, contentinfo, complementary or search; elements
hidden from readers; elements whose class or id names them as navigation, menu,
sidebar, breadcrumbs, footer or cookie notice; and a list whose text is nearly all
link text (a table of contents or site menu). README "File formats" has the measured effect.

Data tables (no table nested inside) are written with `tables.table_lines`: their
header row(s) name each cell. Layout tables (holding other tables) are read as text.
"""

from __future__ import annotations

import re

from rag.formats import ExtractionError, Rendering
from rag.formats.tables import table_lines

_DROP_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "nav", "aside", "form", "button", "select"]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog"}
_DROP_NAME_WORDS = {"nav", "navbar", "navigation", "menu", "menubar", "sidebar", "breadcrumb", "breadcrumbs",
                    "footer", "cookie", "cookies", "skip", "share", "social", "popup", "modal", "dialog"}
_CONTENT_TAGS = {"main", "article"}  # never dropped, and what a header/footer inside of belongs to
_LINK_LIST_SHARE = 0.8  # a list whose text is this much link text, with at least _LINK_LIST_MIN links, is a menu
_LINK_LIST_MIN = 5
_BLOCKS = {
    "address", "article", "blockquote", "body", "br", "caption", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_SPACES = re.compile(r"[^\S\n]+")
_NAME_WORD = re.compile(r"[A-Za-z]+")


def html_rendering(html: str) -> Rendering:
    try:
        from bs4 import BeautifulSoup
    except ImportError:
        raise ExtractionError("HTML support needs beautifulsoup4 (pip install beautifulsoup4)") from None
    soup = BeautifulSoup(html, "html.parser")
    drop_boilerplate(soup)
    for table in reversed(soup.find_all("table")):  # innermost first
        if table.find("table") is None:
            _replace_table(soup, table)
    pieces: list[str] = []
    _walk(soup, pieces)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(pieces).split("\n"))
    return Rendering("\n".join(line for line in lines if line))


def drop_boilerplate(soup) -> None:
    """Remove navigation, sidebars, site headers and footers, hidden and menu elements in place."""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in _CONTENT_TAGS or tag.name in ("html", "body"):
            continue
        if _is_boilerplate(tag):
            tag.decompose()


def _is_boilerplate(tag) -> bool:
    attrs = tag.attrs or {}
    site_part = tag.name in ("header", "footer") or str(attrs.get("role", "")).lower() in _DROP_ROLES
    if site_part and tag.find_parent(_CONTENT_TAGS) is None:
        return True
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    if re.search(r"display\s*:\s*none", str(attrs.get("style", "")), re.I):
        return True
    classes = attrs.get("class", [])
    names = " ".join([*(classes if isinstance(classes, list) else [classes]), str(attrs.get("id", ""))])
    if any(word.lower() in _DROP_NAME_WORDS for word in _NAME_WORD.findall(names)) and not tag.find(_CONTENT_TAGS):
        return True
    if tag.name in ("ul", "ol"):
        links = tag.find_all("a")
        text = len(tag.get_text(" ", strip=True))
        linked = sum(len(a.get_text(" ", strip=True)) for a in links)
        return len(links) >= _LINK_LIST_MIN and text > 0 and linked / text >= _LINK_LIST_SHARE
    return False


def _replace_table(soup, table) -> None:
    grid = [[(cell.name, _cell_text(cell), int(cell.get("colspan", 1) or 1)) for cell in row.find_all(["th", "td"])]
            for row in table.find_all("tr")]
    header_rows = 0
    thead = table.find("thead")
    if thead is not None:
        header_rows = len(thead.find_all("tr"))
    else:
        while header_rows < len(grid) and grid[header_rows] and all(name == "th" for name, _, _ in grid[header_rows]):
            header_rows += 1
    expanded = [[text for _, text, span in row for _ in range(max(1, min(span, 50)))] for row in grid]
    width = max((len(row) for row in expanded), default=0)
    headers = [" ".join(dict.fromkeys(r[i] for r in expanded[:header_rows] if i < len(r) and r[i])) for i in range(width)]
    lines = []
    caption = table.find("caption")
    if caption is not None and caption.get_text(strip=True):
        lines.append(_cell_text(caption))
    lines += table_lines(headers, [_dedupe_spans(row) for row in expanded[header_rows:]])
    block = soup.new_tag("pre")
    block.string = "\n".join(lines)
    table.replace_with(block)


def _dedupe_spans(row: list[str]) -> list[str]:
    """A cell spanning columns is written once, under its first column."""
    return [cell if i == 0 or cell != row[i - 1] else "" for i, cell in enumerate(row)]


def _cell_text(cell) -> str:
    return _SPACES.sub(" ", cell.get_text(" ", strip=True))


def _walk(node, out: list[str], in_pre: bool = False) -> None:
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    for child in node.children:
        if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            text = str(child)
            out.append(text if in_pre else text.replace("\n", " "))
        elif isinstance(child, Tag):
            block = child.name in _BLOCKS
            if block:
                out.append("\n")
            if child.name in _HEADINGS:
                out.append("#" * _HEADINGS[child.name] + " " + _cell_text(child))
            elif child.name in ("td", "th"):
                _walk(child, out, in_pre)
                out.append(" ")
            else:
                _walk(child, out, in_pre or child.name == "pre")
            if block:
                out.append("\n")

