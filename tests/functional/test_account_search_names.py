"""Account search for names as people and files write them: typographic apostrophes, doubled
spaces, last names of several words, account numbers in lower case, and the notice that
more matches exist."""

import pytest
from django.urls import reverse

from tests.conftest import person_row, write_placement_csv
from tests.integration.portfolio.test_placement_import import import_file

pytestmark = pytest.mark.django_db


def row(account: str, first: str, last: str, n: int) -> dict[str, str]:
    return person_row(
        account, first_name=first, last_name=last, ssn=f"234-56-{n:04d}", email=f"p{n}@x.org"
    )


@pytest.fixture
def names(creditor_mercy, tmp_path, now):
    rows = [
        row("S-1", "Sean", "O\u2019Brien", 1),  # the file's apostrophe is typographic
        row("S-2", "Mary  Ann", "Jones", 2),  # two spaces inside
        row("S-3", "Maria", "De la Cruz", 3),
        row("abc-7", "Lena", "Lowe", 4),  # an account number in lower case
    ]
    import_file(write_placement_csv(tmp_path / "names.csv", rows), now)


def found(client, text: str) -> set[str]:
    response = client.get(reverse("account_search"), {"q": text})
    return {debt.account_number for debt in response.context["results"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("O'Brien", {"S-1"}),
        ("Sean O'Brien", {"S-1"}),
        ("O\u2019Brien", {"S-1"}),
        ("Mary Ann Jones", {"S-2"}),
        ("Jones Mary Ann", {"S-2"}),
        ("Maria De la Cruz", {"S-3"}),
        ("De la Cruz, Maria", {"S-3"}),
        ("ABC-7", {"abc-7"}),
        ("abc-7", {"abc-7"}),
    ],
)
def test_names_and_numbers_as_people_type_them(client, agent_alice, names, text, expected):
    client.force_login(agent_alice)
    assert found(client, text) == expected


@pytest.mark.parametrize(("people", "notice"), [(50, False), (51, True)])
def test_the_more_matches_notice_only_when_some_are_not_shown(
    client, agent_alice, creditor_mercy, tmp_path, now, people, notice
):
    rows = [row(f"W-{n}", f"Ann{n}", "Whitfield", n) for n in range(1, people + 1)]
    import_file(write_placement_csv(tmp_path / "many.csv", rows), now)
    client.force_login(agent_alice)

    response = client.get(reverse("account_search"), {"q": "Whitfield"})

    assert len(response.context["results"]) == 50
    assert ("Showing the first 50 matches" in response.content.decode()) is notice


def test_a_seven_word_name_typed_first_names_first_is_found(
    client, agent_alice, creditor_mercy, tmp_path, now
):
    rows = [row("L-1", "Maria del Carmen de los Angeles", "Lopez", 1)]
    import_file(write_placement_csv(tmp_path / "long.csv", rows), now)
    client.force_login(agent_alice)
    assert found(client, "Maria del Carmen de los Angeles Lopez") == {"L-1"}
