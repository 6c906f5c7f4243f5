"""The visitor's path as the issue "The visitor's path on the real tablet" asks for it, through
the Flask test client: progress that never grows, "Fertig" past optional questions, changes
from the summary that ask what they make relevant, consent refused, language switch, cancel."""

import re

from conftest import Visitor

from kiosk.models import Draft, Submission

PROGRESS = re.compile(r"Frage (\d+) von (\d+)")


def progress_of(html: str) -> tuple[int, int] | None:
    match = PROGRESS.search(html)
    return (int(match.group(1)), int(match.group(2))) if match else None


def test_the_progress_total_never_grows_while_one_answers(visitor):
    """The feedback's comment depends on the consent: it counts until the consent says no."""
    html = visitor.start("feedback").get_data(as_text=True)
    seen = [progress_of(html)]
    for data in (
        {"answer": "4"},
        {"answer": "yes"},
        {"answer": ["advice"]},
        {},
        {"answer": ""},  # "Nein, danke": no comment
    ):
        html = visitor.answer(**data).get_data(as_text=True)
        seen.append(progress_of(html))
    assert visitor.url.endswith("/summary")
    steps = [s for s in seen if s]
    assert steps[0] == (1, 6)
    totals = [total for _, total in steps]
    assert totals == sorted(totals, reverse=True), seen
    assert [position for position, _ in steps] == list(range(1, len(steps) + 1))


def test_a_one_question_form_shows_no_progress(visitor):
    html = visitor.start("visit").get_data(as_text=True)
    assert 'class="progress' not in html
    assert PROGRESS.search(html) is None


def test_fertig_leads_past_optional_questions_to_the_summary(app, visitor):
    visitor.start("feedback")
    assert "finish" not in visitor.answer("5").get_data(as_text=True)  # required ones follow
    visitor.answer("yes")
    html = visitor.get_html()
    assert 'value="finish"' in html  # only optional questions follow "Was hat Ihnen geholfen?"
    visitor.post(visitor.url, {"answer": ["coffee"], "direction": "finish"})
    assert visitor.url.endswith("/summary")
    visitor.submit()
    with app.app_context():
        [submission] = Submission.select()
        assert submission.answer_map() == {"today": "5", "come_again": "yes", "helped": ["coffee"]}


def test_fertig_still_asks_a_required_question_left_open(visitor):
    visitor.start("feedback")
    visitor.answer("5")
    visitor.post(visitor.url, {"direction": "finish", "answer": "yes"})
    assert visitor.url.endswith("/step/helped")


def test_a_change_from_the_summary_asks_what_it_makes_relevant_then_returns(visitor):
    visitor.start("feedback")
    for data in ({"answer": "4"}, {"answer": "yes"}, {"answer": ["advice"]}, {}, {"answer": ""}):
        visitor.answer(**data)
    assert visitor.url.endswith("/summary")
    visitor.open(f"{visitor.draft_url}/step/consent?review=1")
    visitor.answer("yes", review="1")
    assert visitor.url.endswith("/step/comment"), visitor.url
    html = visitor.get_html()
    assert 'name="review" value="1"' in html
    visitor.answer("Schön hier", review="1")
    assert visitor.url.endswith("/summary")
    assert "Schön hier" in visitor.get_html()


def test_an_unchanged_answer_from_the_summary_goes_straight_back(visitor):
    visitor.start("feedback")
    for data in ({"answer": "4"}, {"answer": "yes"}, {"answer": ["advice"]}, {}, {"answer": ""}):
        visitor.answer(**data)
    visitor.open(f"{visitor.draft_url}/step/today?review=1")
    visitor.answer("2", review="1")
    assert visitor.url.endswith("/summary")


def test_refused_consent_stores_nothing_and_offers_the_visit_form(app, visitor):
    visitor.start("intake")
    assert visitor.url.endswith("/step/consent")
    html = visitor.get_html()
    assert 'name="decline"' in html and 'value="yes"' in html
    response = visitor.post(visitor.url, {"decline": "1"})
    html = response.get_data(as_text=True)
    assert visitor.url == "/de/declined"
    assert "Wir haben nichts gespeichert." in html
    assert 'action="/de/visit/"' in html and 'action="/de/intake/"' not in html
    with app.app_context():
        assert Draft.select().count() == 0 and Submission.select().count() == 0


def test_consent_for_a_comment_answers_in_words_that_fit_the_question(visitor):
    visitor.start("feedback")
    for data in ({"answer": "4"}, {"answer": "yes"}, {"answer": ["advice"]}, {}):
        visitor.answer(**data)
    html = visitor.get_html()
    assert visitor.url.endswith("/step/consent")
    assert "Ja, ich schreibe etwas" in html and "Nein, danke" in html
    assert "Mehr erfahren" in html


def test_switching_the_language_keeps_the_answers(app, client):
    visitor = Visitor(client)
    visitor.start("feedback")
    visitor.answer("4")
    step = visitor.url
    assert step.startswith("/de/")
    html = visitor.get_html()
    arabic = step.replace("/de/", "/ar/", 1)
    menu = re.search(r'href="(/de/languages\?next=[^"]+)"', html).group(1)
    html = visitor.open(menu.replace("&amp;", "&")).get_data(as_text=True)
    assert f'href="{arabic}"' in html  # every language leads to the same step
    html = visitor.open(arabic).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    visitor.open(arabic.rsplit("/", 1)[0] + "/today")
    assert 'aria-pressed="true"' in visitor.get_html()  # the rating given in German is kept
    for data in ({"answer": "4"}, {"answer": "yes"}, {"answer": ["advice"]}, {}, {"answer": ""}):
        visitor.answer(**data)
    visitor.submit()
    with app.app_context():
        [submission] = Submission.select()
        assert submission.lang == "ar"
        assert submission.answer_map()["today"] == "4"


def test_the_language_page_only_leads_to_visitor_pages(client):
    html = client.get("/de/languages?next=//evil.example/").get_data(as_text=True)
    assert "evil" not in html and 'href="/ar/"' in html


def test_german_helper_text_is_there_for_other_languages_only(client):
    arabic = Visitor(client, lang="ar")
    html = arabic.start("feedback").get_data(as_text=True)
    assert '<span class="german" lang="de" dir="ltr">Wie war es heute?</span>' in html
    assert 'class="button quiet german-toggle"' in html
    german = Visitor(client)
    html = german.start("feedback").get_data(as_text=True)
    assert 'class="german"' not in html and "german-toggle" not in html


def test_cancel_asks_first(visitor):
    html = visitor.start("feedback").get_data(as_text=True)
    assert 'data-confirm="cancel-confirm"' in html
    assert 'id="cancel-confirm"' in html and "Ihre Antworten werden gelöscht." in html


def test_forward_is_the_default_button_of_typed_answers(visitor):
    visitor.start("intake")
    visitor.answer("yes")
    html = visitor.get_html()
    form = html[html.index('class="answer-form') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'class="default-action"' in first_button
    assert 'class="button primary next"' in form


def test_single_choices_rating_and_yesno_are_one_tap_buttons(visitor):
    html = visitor.start("feedback").get_data(as_text=True)
    assert 'class="answer-form one-tap"' in html
    assert html.count('name="answer" value=') == 5
    assert 'class="button primary next"' not in html  # required and unanswered: the tap goes on
    html = visitor.answer("3").get_data(as_text=True)
    assert 'class="answer-form one-tap"' in html  # "Kommen Sie wieder?" is a yes/no


def test_a_help_text_gives_its_example_in_the_visitors_digits(client):
    arabic = Visitor(client, lang="ar")
    arabic.start("intake")
    html = arabic.open(f"{arabic.draft_url}/step/arrival_year").get_data(as_text=True)
    help_text = re.search(r'<p id="help" class="help">([^<]*)', html).group(1)
    assert "\u0662\u0660\u0661\u0666" in help_text and "2016" not in help_text  # ٢٠١٦


def test_the_will_be_sent_thank_you_knows_the_visitor_code_of_the_intake(visitor):
    from uuid import UUID

    from kiosk.formspec.visitor_code import visitor_code

    visitor.start("intake")
    for data in (
        {"answer": "yes"},
        {},
        {"answer": ["ar"]},
        {"answer": ["housing"]},
        {"answer": "none"},
    ):
        visitor.answer(**data)
    visitor.post(visitor.url, {"direction": "finish"})
    assert visitor.url.endswith("/summary")
    code = visitor_code(UUID(visitor.draft_url.rsplit("/", 1)[1]))
    html = visitor.get_html()
    template = html[html.index('<template id="queued-thanks"') :]
    assert f'<bdi dir="ltr">{code}</bdi>' in template[: template.index("</template>")]
    feedback = Visitor(visitor.client)
    feedback.start("feedback")
    for data in ({"answer": "4"}, {"answer": "yes"}, {"answer": ["advice"]}, {}, {"answer": ""}):
        feedback.answer(**data)
    assert 'class="visitor-code"' not in feedback.get_html()
