"""Words, not codes, on the inspection screens read in Japanese: a defect's part and kind by
their labels, grades with their names, kinds, statuses and organisations in Japanese."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from inspections import payload
from inspections.assignments import assignment_create
from inspections.checklists import checklists_install
from inspections.models import Quarantine
from inspections.sync import sync_batch
from planning import services as planning_services
from tests.web_admin.test_inspection_screens import Place, _ago, _send

# Codes a Japanese reader must never meet on these screens.
RAW_CODES = [
    "broken-part",  # a defect's kind: a fault category's code
    "structure",  # a checklist item's key, sent by the tablet as the part
    "periodic",
    "routine",
    "changed_content",
    "in_service",
    "repair",
    "izumo-koen",  # the organisations' codes
    "izumo-doro",
    "swing",
]


@pytest.fixture
def scene(catalogue, city, other_city, inspector, manager):
    checklists_install()
    place = Place(city, other_city, inspector)
    defect = {"component": "structure", "kind": "broken-part", "grade": "C", "notes": "亀裂"}
    first = _send(
        inspector,
        place.overdue,
        "C",
        _ago(5),
        template_version=1,
        defects=[defect],
    )
    # The same record again with another grade and part: held for a manager.
    item, _ = payload.parse_item(
        {**first, "overall_grade": "D", "defects": [defect | {"grade": "D"}]}
    )
    sync_batch(items=[item], inspector=inspector)
    assert Quarantine.objects.count() == 1
    planning_services.work_record(
        asset=place.overdue,
        kind="repair",
        done_on=timezone.localdate(),
        grade_after="A",
        acting_user=manager,
    )
    assignment = assignment_create(
        name="巡回",
        inspector=inspector,
        assets=[place.overdue, place.never],
        due_on=timezone.localdate(),
        acting_user=manager,
    )
    _send(inspector, place.never, "B", timezone.localtime())
    return place, assignment


def _text(html: str) -> str:
    """The visible text of the page's main part."""
    main = html[html.index('<main id="main"') : html.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def test_the_inspection_screens_show_words_not_codes_in_japanese(scene, manager):
    place, assignment = scene
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(manager)
    pages = {
        "overview": "/manage/inspections/?area=",
        "assets": "/manage/inspections/assets/",
        "history": f"/manage/inspections/assets/{place.overdue.pk}/",
        "assignments": "/manage/inspections/assignments/",
        "assignment": f"/manage/inspections/assignments/{assignment.pk}/",
        "quarantine": "/manage/inspections/quarantine/",
        "conditions": "/manage/inspections/conditions/?type=swing",
    }

    texts = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        texts[name] = _text(response.content.decode())

    found = {
        name: [code for code in RAW_CODES if re.search(rf"(?<![\w-]){code}(?![\w-])", text)]
        for name, text in texts.items()
    }
    assert found == {name: [] for name in pages}
    assert "構造部材 · 部品の破損 · C 劣化（補修・更新が必要）" in texts["history"]
    assert "→ A 健全" in texts["history"]  # the grade after the work
    assert "定期点検" in texts["history"]
    assert "C 劣化（補修・更新が必要）" in texts["assets"]
    assert "B 部分的な劣化（経過観察）" in texts["assignment"]
    assert "未完了" in texts["assignments"] and "公園緑地課" in texts["assignments"]
    assert "部品の破損 · D 著しい劣化（使用禁止・緊急対応）" in texts["quarantine"]
    assert "同じIDで内容が異なる" in texts["quarantine"] and "定期点検" in texts["quarantine"]
    # Why it was held, as inspections.sync wrote it, is not shown as written.
    assert "other content was already synced" not in texts["quarantine"]
    assert "B 部分的な劣化（経過観察）" in texts["conditions"]
