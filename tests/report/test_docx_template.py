"""The Word template of the assessment documents is a file a modeller can edit: every document
takes its page set-up and styles from it, and a broken template is refused with its name."""

from __future__ import annotations

import io

import docx
import pytest
from docx.shared import Cm

from peakpath.errors import InputError
from peakpath.report.documents import (
    DOCX_STYLES,
    DOCX_TEMPLATE,
    Document,
    Paragraph,
    Section,
    build_docx_template,
    render_docx,
)

DOC = Document("test", "test", "测试报告 Test report", ["市发改委"], [],
               [("牵头单位", "市发改委")],
               [Section("findings", "一、结论", [Paragraph("正文 body text")])])


def test_the_shipped_template_is_the_one_the_builder_makes(tmp_path):
    shipped = docx.Document(str(DOCX_TEMPLATE))
    fresh = docx.Document(str(build_docx_template(tmp_path / "t.docx")))
    for d in (shipped, fresh):
        sec = d.sections[0]
        assert (round(sec.page_width.cm, 1), round(sec.page_height.cm, 1)) == (21.0, 29.7)
        assert {s.name for s in d.styles} >= set(DOCX_STYLES)
    assert shipped.styles["Normal"].font.size == fresh.styles["Normal"].font.size


def test_documents_follow_an_edited_template_and_drop_its_sample_text(tmp_path):
    t = docx.Document(str(DOCX_TEMPLATE))
    t.sections[0].left_margin = Cm(3.3)
    t.styles["Heading 1"].font.name = "SimHei"
    t.add_paragraph("SAMPLE TEXT IN THE TEMPLATE")
    f = tmp_path / "edited.docx"
    t.save(str(f))
    out = docx.Document(io.BytesIO(render_docx(DOC, template=f)))
    assert round(out.sections[0].left_margin.cm, 1) == 3.3
    assert out.styles["Heading 1"].font.name == "SimHei"
    text = [p.text for p in out.paragraphs]
    assert "SAMPLE TEXT IN THE TEMPLATE" not in text and "正文 body text" in text
    default = docx.Document(io.BytesIO(render_docx(DOC)))
    assert round(default.sections[0].left_margin.cm, 1) == 2.0


def test_a_broken_template_is_refused_with_its_name(tmp_path):
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(InputError) as e:
        render_docx(DOC, template=junk)
    assert e.value.problems[0].file == str(junk)
    t = docx.Document(str(DOCX_TEMPLATE))
    t.styles["Caption"].name = "Legend"  # a renamed style the documents need
    f = tmp_path / "renamed.docx"
    t.save(str(f))
    with pytest.raises(InputError) as e:
        render_docx(DOC, template=f)
    assert "Caption" in e.value.problems[0].message


def test_assess_takes_the_template_from_the_command_line(runs_dir, tmp_path, capsys):
    from peakpath.cli.main import main

    run = runs_dir / "wuhan-peak-2030"
    junk = tmp_path / "junk.docx"
    junk.write_text("not a Word file")
    assert main(["assess", str(run), "--docx-template", str(junk),
                 "--out", str(tmp_path / "x")]) == 2
    assert str(junk) in capsys.readouterr().err and not (tmp_path / "x").exists()
    t = docx.Document(str(DOCX_TEMPLATE))
    t.sections[0].left_margin = Cm(3.1)
    f = tmp_path / "bureau.docx"
    t.save(str(f))
    assert main(["assess", str(run), "--docx-template", str(f),
                 "--out", str(tmp_path / "set")]) == 0
    for name in ("01-city.docx", "index.docx"):
        out = docx.Document(str(tmp_path / "set" / name))
        assert round(out.sections[0].left_margin.cm, 1) == 3.1, name
