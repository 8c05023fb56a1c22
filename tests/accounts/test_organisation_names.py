"""An organisation is named in the reader's language: Japanese as registered, the name
given for that language, else English, else Japanese; demo organisations have all six."""

import pytest
from django.utils import translation

from demo import city as demo_city
from tests import factories


@pytest.fixture
def section(db):
    return factories.org(
        "izumo-koen",
        name="公園緑地課",
        name_en="Parks and Green Spaces Division",
        names={"pt-br": "Divisão de Parques e Áreas Verdes", "vi": "Phòng Công viên và Cây xanh"},
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", "公園緑地課"),
        ("en", "Parks and Green Spaces Division"),
        ("pt-br", "Divisão de Parques e Áreas Verdes"),
        ("vi", "Phòng Công viên và Cây xanh"),
        ("ko", "Parks and Green Spaces Division"),  # none given: English
    ],
)
def test_the_name_follows_the_readers_language(section, language, expected):
    assert section.name_in(language) == expected
    with translation.override(language):
        assert str(section) == expected


def test_without_an_english_name_everyone_reads_the_japanese(db):
    association = factories.org("jichikai", kind="association", name="今市町自治会")

    assert {association.name_in(code) for code in ("en", "vi", "ko")} == {"今市町自治会"}


def test_every_demo_organisation_is_named_in_every_language(db):
    organisations = demo_city.organizations_install()

    for organisation in organisations.values():
        names = {
            organisation.name_in(code) for code in ("ja", "en", "pt-br", "zh-hans", "ko", "vi")
        }
        assert all(names) and organisation.name_in("vi") != organisation.name_in("en")
