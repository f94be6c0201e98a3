"""Search that finds cases (issue 12 item 3): words of the account, its translations, notes and interview summaries,
filters, saved searches and the CSV export, only ever over the cases the user may open."""

import csv
import datetime
import hashlib
import io
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from complaints.history import recorded
from investigations import services
from investigations.models import SavedSearch, SearchDocument
from tests.factories import sustained, unfounded, walk

pytestmark = pytest.mark.django_db

ENGLISH = "The officer pushed me against the patrol car and kept my driving licence."
SPANISH = "El agente me empujó contra el coche y me insultó delante de mis hijos."


def search(client, **params):
    return client.get("/staff/search/?" + urlencode(params))


def references(response):
    page = response.context["page"]
    return [case.complaint.reference for case in page.object_list] if page is not None else []


def test_a_word_of_an_english_account_finds_the_case_and_its_stem_too(client, team, file_case):
    case = file_case(narrative=ENGLISH, language="en")
    file_case(narrative="Nothing alike here.", language="en")
    client.force_login(team["supervisor"])
    assert references(search(client, words="licence")) == [case.complaint.reference]
    # "pushing" and "pushed" share the English stem (PostgreSQL's english configuration; SQLite's porter tokenizer).
    response = search(client, words="pushing")
    assert references(response) == [case.complaint.reference]
    assert "<mark>pushed</mark>" in response.content.decode()


def test_a_word_of_a_spanish_account_finds_the_case(client, team, file_case):
    case = file_case(narrative=SPANISH, language="es")
    client.force_login(team["supervisor"])
    assert references(search(client, words="insultó")) == [case.complaint.reference]
    if connection.vendor == "postgresql":
        # Stemmed with the spanish configuration: the infinitive finds the past tense.
        assert references(search(client, words="insultar")) == [case.complaint.reference]


def test_a_word_of_a_staff_translation_finds_the_case(client, team, file_case):
    case = file_case(narrative=SPANISH, language="es")
    services.add_translation(case, by=team["supervisor"], language="en", text="The officer insulted me in front "
                             "of my children.")
    client.force_login(team["supervisor"])
    response = search(client, words="children")
    assert references(response) == [case.complaint.reference]
    assert response.context["page"].object_list[0].matched_in == "staff translation"


def test_a_word_of_a_case_note_finds_the_case(client, team, file_case):
    case = file_case()
    services.add_note(case, by=team["supervisor"], body="Dispatch recordings requested from the radio room.")
    client.force_login(team["supervisor"])
    response = search(client, words="dispatch recordings")
    assert references(response) == [case.complaint.reference]
    assert response.context["page"].object_list[0].matched_in == "case note"


def test_a_word_of_an_interview_summary_finds_the_case(client, team, file_case):
    case = walk(file_case(), team, "investigating")
    services.record_interview(case, by=team["investigator"], interviewee="Sam Lee", interviewee_role="witness",
                              held_at=timezone.now(), kind="phone", rights_notice="n/a",
                              summary="The witness saw a dashcam mounted in the taxi behind.")
    client.force_login(team["investigator"])
    response = search(client, words="dashcam")
    assert references(response) == [case.complaint.reference]
    assert response.context["page"].object_list[0].matched_in == "interview summary"


def test_phrases_alternatives_and_left_out_words(client, team, file_case):
    car = file_case(narrative="He pushed me against the patrol car.", language="en")
    wall = file_case(narrative="He pushed me against a brick wall.", language="en")
    client.force_login(team["supervisor"])
    assert references(search(client, words='"patrol car"')) == [car.complaint.reference]
    assert references(search(client, words="pushed -brick")) == [car.complaint.reference]
    assert set(references(search(client, words="patrol or brick"))) == {car.complaint.reference,
                                                                        wall.complaint.reference}


def test_an_investigator_finds_only_the_cases_assigned_to_her(client, team, file_case):
    mine = walk(file_case(narrative="A taser was drawn at the bus stop.", language="en"), team, "investigating")
    file_case(narrative="A taser was drawn at the train station.", language="en")
    client.force_login(team["investigator"])
    response = search(client, words="taser")
    assert references(response) == [mine.complaint.reference]
    assert "train station" not in response.content.decode()
    client.force_login(team["other investigator"])
    assert references(search(client, words="taser")) == []


def test_an_accused_supervisor_never_finds_her_case_nor_its_words(client, team, roster, file_case):
    case = file_case(narrative="The lieutenant threatened the witness at the precinct.", language="en")
    supervisor = team["supervisor"]
    with recorded(label="test", reason="officer promoted into IA supervision"):
        officer = roster["officer"]
        officer.user = supervisor
        officer.save()
    client.force_login(supervisor)
    response = search(client, words="threatened")
    assert references(response) == []
    assert "precinct" not in response.content.decode()
    assert case.complaint.reference not in response.content.decode()


def test_a_sealed_case_is_found_only_by_those_who_may_read_sealed_cases(client, team, file_case):
    case = file_case(narrative="A sealed matter about the harbour patrol.", language="en")
    with recorded(label="test", reason="sealed by court order"):
        complaint = case.complaint
        complaint.sealed = True
        complaint.save()
    client.force_login(team["intake"])
    assert references(search(client, words="harbour")) == []
    client.force_login(team["supervisor"])
    assert references(search(client, words="harbour")) == [complaint.reference]


# -- filters ---------------------------------------------------------------------------------------------------


def test_filter_by_investigator(client, team, file_case):
    mine = walk(file_case(), team, "investigating")
    file_case()
    client.force_login(team["supervisor"])
    assert references(search(client, investigator=team["investigator"].pk)) == [mine.complaint.reference]


def test_filter_by_unit_of_an_accused_officer(client, team, roster, file_case, officer_in_unit):
    from complaints.models import Unit

    with recorded(label="test", reason="roster"):
        harbour = Unit.objects.create(code="H", name="Harbour")
    officer_in_unit(first_name="Eve", last_name="Boat", star_number="77", unit=harbour)
    roster["boat"] = harbour.officers.get()
    file_case()
    boat = file_case(officer="boat")
    client.force_login(team["supervisor"])
    assert references(search(client, unit=harbour.pk)) == [boat.complaint.reference]
    assert len(references(search(client, unit=roster["district"].pk))) == 1


def test_filter_by_district(client, team, file_case):
    north = file_case(district="N7")
    file_case(district="S2")
    client.force_login(team["supervisor"])
    assert references(search(client, district="n7")) == [north.complaint.reference]


def test_filter_by_category(client, team, file_case):
    force = file_case(categories=("excessive-force",))
    file_case(categories=("discourtesy",))
    client.force_login(team["supervisor"])
    assert references(search(client, category="excessive-force")) == [force.complaint.reference]


def test_filter_by_finding(client, team, file_case):
    sustained_case = walk(file_case(), team, "findings_approved", disposition=sustained())
    walk(file_case(), team, "findings_approved", disposition=unfounded())
    client.force_login(team["supervisor"])
    assert references(search(client, finding="sustained")) == [sustained_case.complaint.reference]


def test_filter_by_state(client, team, file_case):
    triaged = file_case()
    services.triage_complaint(triaged, by=team["intake"])
    file_case()
    client.force_login(team["supervisor"])
    assert references(search(client, status="triaged")) == [triaged.complaint.reference]


def test_filter_by_dates_received(client, team, file_case):
    old = file_case(received_at=timezone.now() - datetime.timedelta(days=40))
    file_case()
    client.force_login(team["supervisor"])
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert references(search(client, received_to=until)) == [old.complaint.reference]
    since = (timezone.localdate() - datetime.timedelta(days=50)).isoformat()
    assert len(references(search(client, received_from=since, received_to=until))) == 1


def test_words_and_filters_together(client, team, file_case):
    file_case(narrative="Pepper spray at the rally.", language="en", district="N7")
    south = file_case(narrative="Pepper spray at the market.", language="en", district="S2")
    client.force_login(team["supervisor"])
    assert references(search(client, words="pepper", district="S2")) == [south.complaint.reference]


# -- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("words,message", [
    ('"patrol car', "A quotation mark is not closed"),
    ("-car -truck", "Give at least one word to look for"),
    ("!!! ???", "Give at least one word to look for"),
    ("x" * 201, "at most 200 characters"),
])
def test_a_search_that_cannot_be_run_is_explained_not_a_500(client, team, file_case, words, message):
    file_case()
    client.force_login(team["supervisor"])
    response = search(client, words=words)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_explanation_is_in_the_users_language(client, team, file_case):
    client.force_login(team["supervisor"])
    response = client.get("/staff/search/?" + urlencode({"words": '"coche'}), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "comillas" in response.content.decode()


def test_fts_syntax_in_the_words_is_only_words(client, team, file_case):
    case = file_case(narrative="NEAR the AND gate, a body* camera (OR two).", language="en")
    client.force_login(team["supervisor"])
    for words in ("NEAR(gate", "body*", "camera)", "AND", "gate:", "^gate"):
        response = search(client, words=words)
        assert response.status_code == 200, words
    assert references(search(client, words="gate")) == [case.complaint.reference]


# -- saved searches ----------------------------------------------------------------------------------------------


def test_save_run_and_remove_a_search(client, team, file_case):
    case = file_case(narrative="A taser was drawn at the bus stop.", language="en")
    client.force_login(team["supervisor"])
    query = urlencode({"words": "taser", "status": "received"})
    response = client.post("/staff/search/saved/", {"save-name": "Tasers in triage", "save-query": query})
    saved = SavedSearch.objects.get(owner=team["supervisor"])
    assert response.status_code == 302 and response["Location"] == f"/staff/search/?{query}"
    page = client.get(response["Location"])
    assert references(page) == [case.complaint.reference]
    assert "Tasers in triage" in page.content.decode()
    # Another staff member neither sees nor removes it.
    client.force_login(team["other supervisor"])
    assert client.get("/staff/search/").context["saved"] == []
    assert client.post(f"/staff/search/saved/{saved.pk}/remove/").status_code == 404
    client.force_login(team["supervisor"])
    assert client.post(f"/staff/search/saved/{saved.pk}/remove/").status_code == 302
    assert client.get("/staff/search/").context["saved"] == []
    saved.refresh_from_db()
    assert saved.hidden_at is not None  # hidden, never deleted
    assert saved.history.count() == 2


def test_a_search_without_a_name_is_not_saved(client, team):
    client.force_login(team["supervisor"])
    response = client.post("/staff/search/saved/", {"save-name": "  ", "save-query": "words=taser"})
    assert response.status_code == 400
    assert not SavedSearch.objects.exists()


# -- export -------------------------------------------------------------------------------------------------------


def _rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_holds_the_cases_found_and_is_in_the_export_log(client, team, file_case):
    found = walk(file_case(narrative="=HYPERLINK a taser at the bus stop", language="en", district="N7"), team,
                 "investigating")
    file_case(narrative="Nothing alike.", language="en")
    client.force_login(team["supervisor"])
    response = client.get("/staff/search/results.csv?" + urlencode({"words": "taser"}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][:3] == ["Reference", "Received", "Status"] and rows[0][-1] == "Found in"
    assert len(rows) == 2
    reference, _received, state, investigator, district, allegations = rows[1][:6]
    assert (reference, state, investigator, district) == (found.complaint.reference, "investigating",
                                                           team["investigator"].get_username(), "N7")
    assert "Patrol" in allegations and rows[1][-1] == "the complainant's account"
    log = apps.get_model("referrals", "ExportLog").objects.get()
    assert (log.kind, log.format, log.exported_by) == ("search", "csv", team["supervisor"])
    assert log.sha256 == hashlib.sha256(response.content).hexdigest() == response["X-Content-SHA256"]
    assert "taser" in log.history.get().history_change_reason


def test_export_leaves_out_what_the_user_may_not_see(client, team, roster, file_case):
    walk(file_case(narrative="A taser at the bus stop.", language="en"), team, "investigating")
    other = walk(file_case(narrative="A taser at the market.", language="en", officer="sergeant"), team,
                 "investigating")
    supervisor = team["supervisor"]
    with recorded(label="test", reason="the patrol officer promoted into IA supervision"):
        officer = roster["officer"]
        officer.user = supervisor
        officer.save()
    client.force_login(supervisor)
    rows = _rows(client.get("/staff/search/results.csv?words=taser"))
    assert [row[0] for row in rows[1:]] == [other.complaint.reference]


def test_spreadsheet_formulas_in_cells_are_neutralised(client, team, file_case):
    file_case(district="=1+1")
    client.force_login(team["supervisor"])
    rows = _rows(client.get("/staff/search/results.csv?status=received"))
    assert rows[1][4] == "'=1+1"


def test_intake_desk_searches_but_does_not_export(client, team, file_case):
    file_case()
    client.force_login(team["intake"])
    assert client.get("/staff/search/?status=received").status_code == 200
    assert client.get("/staff/search/results.csv?status=received").status_code == 403
    assert not apps.get_model("referrals", "ExportLog").objects.exists()


def test_export_without_a_search_is_refused_with_a_message(client, team):
    client.force_login(team["supervisor"])
    response = client.get("/staff/search/results.csv")
    assert response.status_code == 400
    assert "Search first" in response.content.decode()


# -- the index -------------------------------------------------------------------------------------------------


def test_the_index_is_kept_by_the_services_in_each_texts_language(team, file_case):
    case = walk(file_case(narrative=SPANISH, language="es"), team, "investigating")
    services.add_translation(case, by=team["investigator"], language="ko", text="경찰관이 나를 밀었다")
    services.add_note(case, by=team["investigator"], body="Called the witness.")
    documents = {d.kind: d.config for d in SearchDocument.objects.filter(investigation=case)}
    assert documents == {"account": "spanish", "translation": "simple", "note": "english"}


def test_a_korean_translation_is_found_by_its_words(client, team, file_case):
    case = file_case(narrative=SPANISH, language="es")
    services.add_translation(case, by=team["supervisor"], language="ko", text="경찰관이 나를 밀었다")
    client.force_login(team["supervisor"])
    assert references(search(client, words="밀었다")) == [case.complaint.reference]

