"""The 罹災証明書 prints every damage grade of the 内閣府 standard form and marks the household's one
(■, the others □); the engine's grades are the damage rules' grades; an unknown grade is refused."""
import dataclasses
import re
import subprocess

import pytest

from app.damage import rules as damage
from certificate_engine import documents as d
from certificate_engine.render import render_pdf
from fixtures.certificate_samples import sample_documents, sample_layout

WORDINGS = ["全壊", "大規模半壊", "中規模半壊", "半壊", "準半壊", "準半壊に至らない（一部損壊）"]


def marked_items(pdf: bytes, label: str, until: str) -> list[tuple[str, str]]:
    """(mark, wording) of each choice printed in the item ``label`` (pdftotext, spaces removed)."""
    text = "".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                                  check=True).stdout.decode().split())
    item = text.split(label, 1)[1].split(until, 1)[0]
    return re.findall(r"([■□])([^■□]+)", item)


def test_the_engine_knows_the_grades_the_damage_rules_decide():
    assert tuple(value for value, _ in d.DAMAGE_GRADES) == damage.GRADES
    assert [wording for _, wording in d.DAMAGE_GRADES] == WORDINGS


@pytest.mark.parametrize("grade", damage.GRADES)
def test_every_grade_is_listed_and_only_the_households_is_marked(grade):
    layout = sample_layout()
    document = dataclasses.replace(sample_documents(layout)["disaster"], grade=grade, flood_level="床下")
    items = marked_items(render_pdf(document, layout), "住家の被害の程度", "浸水区分")
    assert [wording for _, wording in items] == WORDINGS
    assert [wording for mark, wording in items if mark == "■"] == [dict(d.DAMAGE_GRADES)[grade]]
    flood = marked_items(render_pdf(document, layout), "浸水区分", "上記")
    assert flood == [("□", "床上浸水"), ("■", "床下浸水"), ("□", "浸水なし")]


def test_a_grade_or_flood_level_not_on_the_form_is_refused():
    sample = sample_documents(sample_layout())["disaster"]
    for changes in ({"grade": "一部損壊"}, {"grade": ""}, {"flood_level": "床上浸水"}):
        with pytest.raises(ValueError):
            dataclasses.replace(sample, **changes)
