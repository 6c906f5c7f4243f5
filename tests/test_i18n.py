"""Languages: a missing translation falls back to German, never to an empty label."""

import shutil

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.i18n import LANGUAGES, TRANSLATIONS_DIR, offered_languages


def test_a_missing_string_falls_back_to_german(instance, tmp_path):
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, folder, ignore=shutil.ignore_patterns("*.mo"))
    po_path = folder / "en" / "LC_MESSAGES" / "messages.po"
    with open(po_path, "rb") as po_file:
        catalog = read_po(po_file)
    catalog["Was möchten Sie tun?"].string = ""  # as if a new text had no translation yet
    with open(po_path.with_suffix(".mo"), "wb") as mo_file:
        write_mo(mo_file, catalog)
    app = create_app(
        {"SECRET_KEY": "x", "TESTING": True, "BABEL_TRANSLATION_DIRECTORIES": str(folder)}
    )
    prepare_database(app)
    html = app.test_client().get("/en/").get_data(as_text=True)
    assert "Was möchten Sie tun?" in html
    assert "Other language" in html


def test_offered_languages_follow_the_setting(app):
    app.config["KIOSK_LANGUAGES"] = ["de", "ar", "xx"]
    assert [lang.code for lang in offered_languages(app.config)] == ["de", "ar"]
    assert app.test_client().get("/uk/").status_code == 404


def test_right_to_left_languages():
    assert {code for code, lang in LANGUAGES.items() if lang.rtl} == {"ar", "fa", "fa-AF", "ps"}


def test_an_eleventh_language_needs_only_its_catalog(tmp_path):
    from kiosk.i18n import discover_languages

    for code in ("so", "ckb", "not_a_locale"):
        (tmp_path / code / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / code / "LC_MESSAGES" / "messages.po").write_text("")
    languages = discover_languages(str(tmp_path))
    assert list(languages)[-2:] == ["ckb", "so"]
    assert languages["so"].name == "Soomaali"
    assert languages["so"].german_name == "Somali"
    assert languages["ckb"].rtl
    assert "not-a-locale" not in languages
