"""Edges of the portfolio API and the account page: paging a search, out-of-range numbers,
what a creditor's user sees of the person's history, who is offered the imports page."""

import pytest
from django.urls import reverse

from amicable.portfolio.models import Consumer, Debt
from tests.functional.test_http_api import bearer
from tests.integration.portfolio.test_placement_import import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(creditor_mercy, placement_csv, now):
    return import_file(placement_csv, now)


def test_debt_search_pages_with_offset_and_honours_the_filters(client, agent_alice, imported, now):
    headers = bearer(agent_alice, now)
    page1 = client.get("/api/v1/debts", {"q": "whitfield", "limit": 1}, **headers).json()
    page2 = client.get(
        "/api/v1/debts", {"q": "whitfield", "limit": 1, "offset": 1}, **headers
    ).json()
    assert [d["account_number"] for d in page1 + page2] == ["M-1001", "M-1005"]
    big = client.get("/api/v1/debts", {"q": "whitfield", "min_balance": "1000"}, **headers)
    assert [d["account_number"] for d in big.json()] == ["M-1001"]


def test_a_negative_placements_limit_is_not_a_500(client, supervisor_sam, imported, now):
    response = client.get("/api/v1/placements", {"limit": -1}, **bearer(supervisor_sam, now))
    assert response.status_code in (200, 422)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/debts?offset=10000000000000000000",
        "/api/v1/debts?consumer_id=100000000000000000000",
        "/api/v1/consumers/100000000000000000000",
    ],
)
def test_out_of_range_numbers_in_the_api_are_not_a_500(client, agent_alice, imported, now, url):
    response = client.get(url, **bearer(agent_alice, now))
    assert response.status_code in (200, 404, 422)


def test_an_out_of_range_account_id_is_a_404_not_a_500(client, agent_alice, imported):
    client.force_login(agent_alice)
    assert client.get("/accounts/100000000000000000000/").status_code == 404


def test_a_client_does_not_see_events_about_another_creditors_debt(
    client, client_clio_of_mercy, agent_alice, creditor_brightline, imported, tmp_path, now
):
    from amicable.compliance.services import record_fact
    from tests.conftest import person_row, write_placement_csv

    import_file(
        write_placement_csv(tmp_path / "b.csv", [person_row("B-1")]), now, creditor="brightline"
    )
    dana = Consumer.objects.get(ssn_last4="6789")
    brightline_debt = Debt.objects.get(account_number="B-1")
    assert brightline_debt.consumer_id == dana.pk
    record_fact(
        consumer_id=dana.pk,
        kind="DISPUTE",
        at=now,
        debt_ids=[brightline_debt.pk],
        actor_id=agent_alice.pk,
    )

    client.force_login(client_clio_of_mercy)
    page = client.get(reverse("account_detail", args=[dana.pk])).content.decode()
    assert "M-1001" in page and "B-1" not in page
    assert "compliance.fact.dispute" not in page  # Brightline's debt was disputed, not Mercy's


def test_an_agent_is_not_offered_the_imports_page(client, agent_alice):
    client.force_login(agent_alice)
    page = client.get(reverse("account_search")).content.decode()
    assert client.get(reverse("placement_list")).status_code == 403
    assert f'href="{reverse("placement_list")}"' not in page
