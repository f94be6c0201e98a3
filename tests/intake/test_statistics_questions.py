"""What the form asks for the public statistics: the characteristic of a bias allegation, and voluntary
demographics that are never required."""

import pytest

from complaints.models import Category, Complaint, FilerDemographics

from .conftest import shown_reference

pytestmark = pytest.mark.django_db


def test_a_bias_allegation_records_what_the_person_was_treated_differently_for(filing):
    bias, force = Category.objects.get(code="bias"), Category.objects.get(code="excessive-force")
    response = filing({"filer_role": "harmed", "categories": [bias.pk, force.pk], "bias_characteristic": "religion"})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    by_category = {a.category.code: a.bias_characteristic for a in complaint.allegations.all()}
    assert by_category == {"bias": "religion", "excessive-force": ""}


def test_demographics_are_kept_apart_when_given_and_never_required(filing):
    response = filing({"filer_role": "anonymous", "age_band": "30_39", "race_ethnicity": "prefer_not",
                       "gender": "woman"})
    complaint = Complaint.objects.get(reference=shown_reference(response))
    answers = FilerDemographics.objects.get(complaint=complaint)
    assert (answers.age_band, answers.race_ethnicity, answers.gender) == ("30_39", "prefer_not", "woman")

    response = filing({"filer_role": "harmed"})
    assert response.status_code == 200
    complaint = Complaint.objects.get(reference=shown_reference(response))
    assert not FilerDemographics.objects.filter(complaint=complaint).exists()


def test_every_demographic_question_offers_prefer_not_to_say(client, db):
    page = client.get("/en/file/").content.decode()
    for field in ("age_band", "race_ethnicity", "gender"):
        select = page[page.index(f'name="{field}"'):]
        select = select[:select.index("</select>")]
        assert 'value="prefer_not"' in select and "required" not in select


def test_an_invented_answer_is_refused_with_a_message_and_nothing_is_filed(filing):
    response = filing({"filer_role": "harmed", "gender": "robot", "bias_characteristic": "nonsense"})
    assert response.status_code == 200  # the form again, as for every refused field of this form
    assert not Complaint.objects.exists()
    assert response.content.decode().count("Please choose one of the options.") >= 2
