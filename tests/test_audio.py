"""Read-aloud: text hashes, recordings by language and hash (`kiosk audio …`), their route and
the speaker button's macro (kiosk/visitor/audio.py, kiosk/cli/audio.py, kiosk/views/audio.py)."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from flask import g, render_template_string

from kiosk.i18n import LANGUAGES
from kiosk.views.assets import IMMUTABLE, REVALIDATE
from kiosk.visitor import audio
from kiosk.visitor.audio import recording_url, recordings, refusal, sniff, text_hash

ROOT = Path(__file__).resolve().parent.parent
OGG_OPUS = b"OggS" + b"\x00" * 24 + b"OpusHead" + b"\x01\x02" + b"\x00" * 64
OGG_VORBIS = b"OggS" + b"\x00" * 24 + b"\x01vorbis" + b"\x00" * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 64
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 64
MACRO = "{{ speaker(text, label) }}"


def texts_of(app, lang):
    return audio.visitor_texts(app.extensions["kiosk_forms"].values(), lang)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def fetch(client, url, **kwargs):
    """The answer, read and closed (a sent file stays open until then)."""
    with client.get(url, **kwargs) as response:
        response.data = response.get_data()
    return response


def render_speaker(app, lang, text, label=None) -> str:
    with app.test_request_context(f"/{lang}/"):
        g.language = LANGUAGES[lang]
        return render_template_string(MACRO, text=text, label=label)


# The text hash


def test_the_text_hash_is_stable_and_documented():
    # The first 16 hex digits of SHA-256 over the NFC text, white space runs as one, stripped.
    assert text_hash("Wie war es heute?") == "217ac3830f7c8362"  # printf … | sha256sum
    assert text_hash("  Wie war es\n  heute? ") == text_hash("Wie war es heute?")
    assert text_hash("Wie war es heute!") != text_hash("Wie war es heute?")


def test_the_text_hash_does_not_depend_on_unicode_normal_form():
    composed, decomposed = "Gr\u00fc\u00dfe", "Gru\u0308\u00dfe"
    assert composed != decomposed
    assert text_hash(composed) == text_hash(decomposed)


def test_recordings_are_told_by_their_first_bytes():
    assert sniff(OGG_OPUS) == "opus"
    assert sniff(OGG_VORBIS) == "ogg"
    assert sniff(MP3) == sniff(b"\xff\xfb\x90\x00") == "mp3"
    assert (sniff(WAV), sniff(M4A), sniff(WEBM)) == ("wav", "m4a", "webm")
    assert sniff(b"<html>") is None and sniff(b"") is None
    name = "0123456789abcdef"
    assert refusal(f"{name}.ogg", OGG_OPUS) is None  # Opus in Ogg may be called .ogg
    assert "Ogg-Opus" in refusal(f"{name}.opus", OGG_VORBIS)
    assert "keine bekannte Audiodatei" in refusal(f"{name}.mp3", b"#!/bin/sh\n")
    assert "leer" in refusal(f"{name}.wav", b"")
    assert "2 MB" in refusal(f"{name}.wav", WAV + b"\x00" * audio.MAX_BYTES)
    assert "Text-Hash" in refusal("Frage 1.ogg", OGG_OPUS)
    assert "Text-Hash" in refusal(f"{name}.flac", b"fLaC")


# kiosk audio hashes / import / list


def test_hashes_prints_every_visitor_text_of_a_language(app, runner):
    result = runner.invoke(args=["audio", "hashes", "--lang", "ar"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "hash,text,deutsch,aufnahme"
    texts = texts_of(app, "ar")
    assert len(texts) > 50
    question = next(t for t in texts if t.source == "Wie war es heute?")
    assert question.text != question.source  # translated
    assert f"{question.hash},{question.text},{question.source},nein" in lines
    # Texts filled in at run time ("Frage %(num)s …") cannot be recorded: not listed.
    assert "%(" not in result.output


def test_hashes_refuses_an_unknown_language(runner):
    result = runner.invoke(args=["audio", "hashes", "--lang", "xx"])
    assert result.exit_code != 0
    assert "Unbekannte Sprache" in result.output


def test_import_copies_good_files_and_refuses_the_rest(app, runner, instance, tmp_path):
    ar, de = texts_of(app, "ar")[:2], texts_of(app, "de")[:1]
    source = tmp_path / "aufnahmen"
    write(source / "ar" / f"{ar[0].hash}.ogg", OGG_OPUS)
    write(source / "ar" / f"{ar[1].hash}.MP3", MP3)  # upper case from Windows
    write(source / "de" / f"{de[0].hash}.wav", WAV)
    write(source / "de" / f"{'a' * 16}.mp3", WAV)  # the content is no MP3
    write(source / "de" / "frage1.ogg", OGG_OPUS)  # no text hash
    write(source / "xx" / f"{'b' * 16}.ogg", OGG_OPUS)  # no language
    write(source / "liesmich.txt", b"?")  # in no language folder
    write(source / "ar" / ".DS_Store", b"\x00")

    result = runner.invoke(args=["audio", "import", str(source)])

    assert result.exit_code == 1, result.output
    assert (instance / "audio" / "ar" / f"{ar[0].hash}.ogg").read_bytes() == OGG_OPUS
    assert (instance / "audio" / "ar" / f"{ar[1].hash}.mp3").read_bytes() == MP3
    assert (instance / "audio" / "de" / f"{de[0].hash}.wav").read_bytes() == WAV
    assert sorted(os.listdir(instance / "audio" / "de")) == [f"{de[0].hash}.wav"]
    assert f"importiert    ar/{ar[0].hash}.ogg: „{ar[0].text[:20]}" in result.output
    assert "abgelehnt     de/aaaaaaaaaaaaaaaa.mp3: Der Inhalt ist keine MP3-Datei" in result.output
    assert "abgelehnt     de/frage1.ogg: Der Name ist kein Text-Hash" in result.output
    assert "abgelehnt     xx: Der Ordnername ist kein Sprachcode" in result.output
    assert "abgelehnt     liesmich.txt: Liegt in keinem Sprachordner" in result.output
    assert "übersprungen  ar/.DS_Store" in result.output
    assert "Importiert: 3, ersetzt: 0, übersprungen: 1, abgelehnt: 4." in result.output

    again = runner.invoke(args=["audio", "import", str(source / "ar"), "--lang", "ar"])
    assert again.exit_code == 0, again.output
    assert "Importiert: 0, ersetzt: 0, übersprungen: 3, abgelehnt: 0." in again.output


def test_a_new_recording_replaces_the_old_one_in_any_format(app, runner, instance, tmp_path):
    text = texts_of(app, "tr")[0]
    write(tmp_path / "a" / f"{text.hash}.ogg", OGG_OPUS)
    write(tmp_path / "b" / f"{text.hash}.mp3", MP3)
    write(tmp_path / "b" / f"{'c' * 16}.wav", WAV)  # a text the forms do not have (yet)
    assert (
        runner.invoke(args=["audio", "import", str(tmp_path / "a"), "--lang", "tr"]).exit_code == 0
    )

    result = runner.invoke(args=["audio", "import", str(tmp_path / "b"), "--lang", "tr"])

    assert result.exit_code == 0, result.output
    assert f"ersetzt       {text.hash}.mp3: Ersetzt die bisherige Aufnahme" in result.output
    assert "zu keinem aktuellen Text dieser Sprache" in result.output
    assert sorted(os.listdir(instance / "audio" / "tr")) == sorted(
        [f"{'c' * 16}.wav", f"{text.hash}.mp3"]
    )


def test_two_files_for_one_text_in_one_import_are_refused(app, runner, tmp_path):
    text = texts_of(app, "uk")[0]
    write(tmp_path / f"{text.hash}.mp3", MP3)
    write(tmp_path / f"{text.hash}.ogg", OGG_OPUS)
    result = runner.invoke(args=["audio", "import", str(tmp_path), "--lang", "uk"])
    assert result.exit_code == 1
    assert "Zweite Aufnahme für denselben Text" in result.output


def test_list_shows_the_texts_with_a_recording(app, runner, tmp_path):
    text = texts_of(app, "fa")[3]
    write(tmp_path / f"{text.hash}.ogg", OGG_VORBIS)
    write(tmp_path / f"{'d' * 16}.ogg", OGG_VORBIS)
    runner.invoke(args=["audio", "import", str(tmp_path), "--lang", "fa"])

    result = runner.invoke(args=["audio", "list", "--lang", "fa"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        "sprache,hash,text,datei",
        f"fa,{text.hash},{text.text},{text.hash}.ogg",
        f"fa,{'d' * 16},,{'d' * 16}.ogg",
    ]
    assert "fa: 1 von" in result.stderr and "1 Aufnahme(n) gehören zu keinem" in result.stderr
    hashes = runner.invoke(args=["audio", "hashes", "--lang", "fa"]).output
    assert f"{text.hash},{text.text},{text.source},ja" in hashes


# The route


def imported(app, runner, tmp_path, lang="ar", data=OGG_OPUS, ext="ogg", index=0):
    text = texts_of(app, lang)[index]
    write(tmp_path / f"{text.hash}.{ext}", data)
    result = runner.invoke(args=["audio", "import", str(tmp_path), "--lang", lang])
    assert result.exit_code == 0, result.output
    return text


def url_of(app, lang, text):
    with app.test_request_context():
        return recording_url(lang, text)


def test_an_imported_recording_is_served_with_its_type(app, client, runner, tmp_path):
    text = imported(app, runner, tmp_path, data=MP3, ext="mp3")
    url = url_of(app, "ar", text.text)
    assert url.startswith(f"/audio/ar/{text.hash}.") and url.endswith(".mp3")

    response = fetch(client, url)

    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.data == MP3
    assert response.headers["ETag"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # A browser's range request for <audio> works too.
    part = fetch(client, url, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.data == b"ID3\x04"


def test_a_recording_url_with_its_version_is_cached_for_good(app, client, runner, tmp_path):
    text = imported(app, runner, tmp_path)
    assert fetch(client, url_of(app, "ar", text.text)).headers["Cache-Control"] == IMMUTABLE
    unversioned = fetch(client, f"/audio/ar/{text.hash}.ogg")
    assert unversioned.status_code == 200 and unversioned.headers["Cache-Control"] == REVALIDATE


def test_a_new_recording_gets_a_new_url_and_the_old_url_the_new_file(app, client, runner, tmp_path):
    text = imported(app, runner, tmp_path / "first")
    old_url = url_of(app, "ar", text.text)
    time.sleep(0.01)
    imported(app, runner, tmp_path / "second", data=OGG_VORBIS)
    new_url = url_of(app, "ar", text.text)
    assert new_url != old_url
    assert fetch(client, new_url).data == OGG_VORBIS
    assert fetch(client, old_url).data == OGG_VORBIS  # a page rendered before the import


@pytest.mark.parametrize(
    "path",
    [
        "/audio/ar/0123456789abcdef.ogg",  # no such recording
        "/audio/xx/{hash}.ogg",  # no such language
        "/audio/de/{hash}.ogg",  # another language's recording
        "/audio/ar/{HASH}.ogg",
        "/audio/ar/{hash}.ogg.txt",
        "/audio/ar/{hash}",
        "/audio/ar/..%2F..%2Fconfig.py",
        "/audio/ar/%2e%2e/{hash}.ogg",
        "/audio/ar/../../kiosk.sqlite3",
        "/audio/..%2Finstance/ar/{hash}.ogg",
        "/audio/ar/{hash}.ogg/",
    ],
)
def test_only_imported_recordings_are_served(app, client, runner, tmp_path, path):
    text = imported(app, runner, tmp_path)
    (Path(app.instance_path) / "config.py").write_text("SECRET_KEY = 'x'\n")
    response = fetch(client, path.format(hash=text.hash, HASH=text.hash.upper()))
    assert response.status_code == 404, path
    assert fetch(client, f"/audio/ar/{text.hash}.ogg").status_code == 200


def test_a_recording_removed_by_hand_is_gone_from_the_route(app, client, runner, tmp_path):
    text = imported(app, runner, tmp_path)
    url = url_of(app, "ar", text.text)
    os.remove(Path(app.instance_path) / "audio" / "ar" / f"{text.hash}.ogg")
    assert fetch(client, url).status_code == 404


def test_the_index_sees_files_another_process_copied(app, monkeypatch, tmp_path):
    text = texts_of(app, "ru")[0]
    index = recordings(app)
    assert index.find("ru", text.hash) is None  # read once, now kept
    write(Path(app.instance_path) / "audio" / "ru" / f"{text.hash}.wav", WAV)
    assert index.find("ru", text.hash) is None  # not looked again within CHECK_SECONDS
    monkeypatch.setattr(audio, "CHECK_SECONDS", 0)
    assert index.find("ru", text.hash).mimetype == "audio/wav"


def test_dari_plays_the_persian_recording_of_the_same_text(app, runner, tmp_path):
    text = imported(app, runner, tmp_path, lang="fa")
    assert audio.lookup_languages("fa-AF") == ("fa-AF", "fa")
    assert url_of(app, "fa-AF", text.text).startswith(f"/audio/fa/{text.hash}.")


# The macro


def test_the_speaker_names_its_text_and_starts_hidden_without_a_recording(app):
    html = render_speaker(app, "de", "Wie war es heute?")
    assert html.startswith('<button type="button" class="speaker" hidden aria-pressed="false"')
    assert 'aria-label="Vorlesen: Wie war es heute?"' in html
    assert 'data-say="Wie war es heute?" data-lang="de"' in html
    assert "data-audio" not in html
    assert "#volume" in html and "#player-stop" in html
    assert html.count('aria-hidden="true"') == 2  # the pictograms are decoration


def test_the_speaker_has_the_recording_of_exactly_its_text(app, runner, tmp_path):
    text = imported(app, runner, tmp_path, index=2)
    html = render_speaker(app, "ar", text.text)
    assert f'data-audio="/audio/ar/{text.hash}.' in html
    assert 'data-lang="ar"' in html
    assert "data-audio" not in render_speaker(app, "ar", text.text + "!")
    assert "data-audio" not in render_speaker(app, "ru", text.text)


def test_the_speaker_escapes_its_text_and_takes_a_short_label(app):
    html = render_speaker(app, "de", 'Sagen Sie "Ja" & <mehr>', label="Einwilligung")
    assert 'data-say="Sagen Sie &#34;Ja&#34; &amp; &lt;mehr&gt;"' in html
    assert 'aria-label="Vorlesen: Einwilligung"' in html
    assert render_speaker(app, "de", "  ").strip() == ""
    assert render_speaker(app, "de", None).strip() == ""


def test_the_speaker_takes_a_translated_text_from_the_template(app):
    with app.test_request_context("/uk/"):
        g.language = LANGUAGES["uk"]
        html = render_template_string('{{ speaker(_("Wie war es heute?")) }}')
    translated = next(t.text for t in texts_of(app, "uk") if t.source == "Wie war es heute?")
    assert f'data-say="{translated}"' in html


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_speech_js_parses():
    script = ROOT / "static" / "js" / "speech.js"
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
