"""Documents as data, rendered twice: a self-contained HTML page (Jinja2 templates in
``model/report/templates/``) and an editable Word file (python-docx).

A `Document` is a title, its bureaus and a tree of `Section`s holding `Paragraph`s, `Table`s
and `Picture`s, all with their text already in the reader's language(s). The commands that
write documents (`peakpath assess`) fill the tree from the results; the renderers here know
nothing about the model. Headings, their order and the page layout live in the template files,
which a modeller edits without touching code.

Every table carries its unit and where its numbers come from; numeric cells keep their full
value beside the rounded text (HTML ``data-value``), so a test or a reader's script can check a
document against the results it quotes.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: the folder of the editable templates (Jinja2 HTML, the assessment outline)
TEMPLATES = Path(__file__).resolve().parent / "templates"

Cell = str | float | int | None


@dataclass
class Paragraph:
    """One paragraph of running text; ``note`` ones are set smaller (sources, caveats)."""

    text: str
    note: bool = False
    kind: str = "paragraph"


@dataclass
class Table:
    """A table with its caption, unit and source (data, measure, target ...)."""

    caption: str
    unit: str
    source: str
    columns: list[str]
    rows: list[list[Cell]]
    #: decimals per column for floats (None: automatic)
    digits: list[int | None] | None = None
    #: a CSS class per row ("binding", "total" ...), or None
    row_class: list[str] | None = None
    kind: str = "table"

    def cells(self) -> list[list[dict[str, Any]]]:
        """Rows of cells as dicts: text (formatted), value (full precision or None), num."""
        out = []
        for row in self.rows:
            line = []
            for j, v in enumerate(row):
                d = self.digits[j] if self.digits and j < len(self.digits) else None
                line.append(cell(v, d))
            out.append(line)
        return out


@dataclass
class Picture:
    """A figure as PNG bytes with its title and caption."""

    title: str
    caption: str
    png: bytes
    name: str = "figure"
    kind: str = "picture"

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


Block = Paragraph | Table | Picture


@dataclass
class Section:
    """A heading and what stands under it, sub-sections included."""

    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    def sub(self, key: str, heading: str) -> Section:
        s = Section(key, heading)
        self.sections.append(s)
        return s


@dataclass
class Document:
    """One document of a set: what it is, who leads it, who else is responsible."""

    id: str
    file: str
    title: str
    lead: list[str]
    responsible: list[str]
    meta: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    lang: str = "zh"

    def section(self, key: str, heading: str) -> Section:
        s = Section(key, heading)
        self.sections.append(s)
        return s

    def headings(self) -> list[str]:
        """Every heading, depth first."""
        out: list[str] = []

        def walk(ss: list[Section]) -> None:
            for s in ss:
                out.append(s.heading)
                walk(s.sections)
        walk(self.sections)
        return out


# --------------------------------------------------------------------------------------------
# numbers


def fmt(v: Cell, digits: int | None = None) -> str:
    """A number as a document shows it: thousands separators; small values with 4 significant
    digits; NaN and None as a dash. Text is returned as is."""
    if v is None:
        return "—"
    if isinstance(v, bool | np.bool_):
        return "是" if v else "否"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        x = float(v)
        if math.isnan(x):
            return "—"
        x = x + 0.0  # no "-0.0"
        if digits is not None:
            return f"{x:,.{digits}f}"
        if x != 0 and abs(x) < 1:
            return f"{x:.4g}"
        return f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"
    return str(v)


def cell(v: Cell, digits: int | None = None) -> dict[str, Any]:
    """A table cell: its text, its full value (floats and ints), whether it is a number."""
    num = isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_)
    value = None
    if num and not (isinstance(v, float | np.floating) and math.isnan(float(v))):
        value = repr(float(v)) if isinstance(v, float | np.floating) else str(int(v))
    return {"text": fmt(v, digits), "value": value, "num": num}


# --------------------------------------------------------------------------------------------
# HTML


def environment():
    """The Jinja2 environment over the template folder (autoescaped HTML)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                              autoescape=jinja2.select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined)


def render_html(doc: Document, template: str = "assess_report.html.j2", **extra: Any) -> str:
    """The document as one self-contained HTML page (images as data URIs, inline style)."""
    return environment().get_template(template).render(doc=doc, **extra)


# --------------------------------------------------------------------------------------------
# Word

#: fonts named in the Word file; a reader without them gets the system's CJK fallback
FONT_LATIN = "Arial"
FONT_EAST_ASIA = "Noto Sans CJK SC"


def _east_asian(run_or_style, name: str = FONT_EAST_ASIA) -> None:
    from docx.oxml.ns import qn

    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


#: the Word template every document starts from: page set-up and the styles below. Edit it in
#: Word or LibreOffice (keep the style names) to change the look of every document; rebuild the
#: shipped one with `build_docx_template`.
DOCX_TEMPLATE = TEMPLATES / "assess.docx"
#: the styles the documents use; a template without one of them is refused with its name
DOCX_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Caption",
               "Table Grid")


def build_docx_template(path: str | Path = DOCX_TEMPLATE) -> Path:
    """Write the shipped Word template: A4 with the margins of Chinese government documents
    (GB/T 9704 uses 37 × 35 mm top/bottom on official letters; reports use narrower ones:
    2.2 cm top and bottom, 2.0 cm left and right), Arial with Noto Sans CJK SC for East Asian
    text, 10.5 pt (五号) body."""
    import docx
    from docx.shared import Cm, Pt

    d = docx.Document()
    for sec in d.sections:
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        sec.left_margin = sec.right_margin = Cm(2.0)
        sec.top_margin = sec.bottom_margin = Cm(2.2)
    for name in DOCX_STYLES:
        st = d.styles[name]
        if name == "Table Grid":
            continue
        st.font.name = FONT_LATIN
        _east_asian(st)
    d.styles["Normal"].font.size = Pt(10.5)
    d.core_properties.author = "peakpath"
    d.core_properties.title = "peakpath assessment template"
    out = Path(path)
    d.save(str(out))
    return out


def check_docx_template(template: str | Path | None) -> None:
    """Refuse a template that `render_docx` could not use (an `InputError` naming it)."""
    _new_docx(template)


def _new_docx(template: str | Path | None = None):
    """An empty document with the page set-up and styles of ``template`` (default
    `DOCX_TEMPLATE`); its body (any sample text) is dropped. A file that is not a Word
    document, or lacks one of `DOCX_STYLES`, is an `InputError` naming it."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from peakpath.errors import InputError, Problem

    f = Path(template) if template is not None else DOCX_TEMPLATE
    try:
        d = docx.Document(str(f))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as e:
        raise InputError([Problem(str(f), None, None, "docx_template",
                                  f"not a readable Word document (.docx): {e}",
                                  "Word模板无法读取")]) from None
    names = {st.name for st in d.styles}
    missing = [n for n in DOCX_STYLES if n not in names]
    if missing:
        raise InputError([Problem(str(f), None, None, "docx_template",
                                  f"the template lacks the styles {', '.join(missing)}; "
                                  "every document uses them (rename a style back, or start "
                                  "from the shipped template)", "Word模板缺少所需样式")])
    body = d.element.body
    for el in list(body):
        if not el.tag.endswith("}sectPr"):  # keep the page set-up, drop the content
            body.remove(el)
    return d


def _docx_table(d, t: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    d.add_paragraph(t.caption, style="Caption")
    cells = t.cells()
    tab = d.add_table(rows=1 + len(cells), cols=len(t.columns))
    tab.style = "Table Grid"
    size = Pt(9 if len(t.columns) <= 7 else 7.5)  # wide tables in smaller type
    for j, c in enumerate(t.columns):
        run = tab.rows[0].cells[j].paragraphs[0].add_run(str(c))
        run.bold = True
        run.font.size = size
    _repeat_header(tab.rows[0])
    for i, row in enumerate(cells, start=1):
        for j, c in enumerate(row):
            p = tab.rows[i].cells[j].paragraphs[0]
            p.add_run(c["text"]).font.size = size
            if c["num"]:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if t.unit or t.source:
        note = d.add_paragraph()
        r = note.add_run("　".join(x for x in (t.unit, t.source) if x))
        r.italic = True
        r.font.size = Pt(8)


def _repeat_header(row) -> None:
    """Repeat a table's first row at the top of every page it runs onto."""
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    el = trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    trpr.append(el)


def _docx_section(d, s: Section, level: int) -> None:
    from docx.shared import Cm, Pt

    d.add_heading(s.heading, level=min(level, 9))
    for b in s.blocks:
        if isinstance(b, Paragraph):
            p = d.add_paragraph()
            run = p.add_run(b.text)
            if b.note:
                run.font.size = Pt(8.5)
                run.italic = True
        elif isinstance(b, Table):
            _docx_table(d, b)
        elif isinstance(b, Picture):
            d.add_picture(io.BytesIO(b.png), width=Cm(16.5))
            d.add_paragraph(f"{b.title}. {b.caption}", style="Caption")
    for sub in s.sections:
        _docx_section(d, sub, level + 1)


def render_docx(doc: Document, template: str | Path | None = None) -> bytes:
    """The document as a Word file (.docx) a bureau can edit: title, bureaus, headings,
    tables with their units and sources, figures; page set-up and styles from ``template``
    (default `DOCX_TEMPLATE`)."""
    from docx.shared import Pt

    d = _new_docx(template)
    d.core_properties.title = doc.title
    d.core_properties.author = "peakpath"
    d.add_heading(doc.title, level=0)
    for k, v in doc.meta:
        p = d.add_paragraph()
        p.add_run(f"{k}：").bold = True
        p.add_run(v)
    for s in doc.sections:
        _docx_section(d, s, 1)
    for p in d.paragraphs:  # CJK font on every run (styles alone do not reach all readers)
        for r in p.runs:
            _east_asian(r)
            if r.font.size is None and p.style.name == "Normal":
                r.font.size = Pt(10.5)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def index_docx(title: str, columns: list[str], rows: list[list[str]], notes: list[str],
               template: str | Path | None = None) -> bytes:
    """A small Word file listing the documents of a set."""
    d = _new_docx(template)
    d.core_properties.title = title
    d.add_heading(title, level=0)
    for n in notes:
        d.add_paragraph(n)
    _docx_table(d, Table(title, "", "", columns, [list(r) for r in rows]))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
