"""One test per back-office use case, through HTTP, including who may not do what."""

import pytest
from django.urls import reverse

from amicable.identity.models import AuditEvent
from amicable.portfolio.models import Consumer, Debt, LedgerEntry, Placement
from tests.integration.portfolio.test_placement_import import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(creditor_mercy, placement_csv, now):
    return import_file(placement_csv, now)


def test_sign_in_is_required_and_audited(client, agent_alice):
    response = client.get(reverse("account_search"))
    assert response.status_code == 302 and response.url.startswith("/login/")

    response = client.post(
        reverse("login"), {"username": "agent_alice", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.signed_in", actor=agent_alice).exists()
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "agent_alice", "password": "wrong"})
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").exists()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("whitfield", {"M-1001", "M-1005"}),
        ("Dana Whitfield", {"M-1001", "M-1005"}),
        ("garcia", {"M-1002"}),
        ("M-1003", {"M-1003"}),
        ("(212) 555-0187", {"M-1002"}),
        ("LUIS@example.com", {"M-1002"}),
        ("7890", {"M-1002"}),
        ("xxx-xx-7890", {"M-1002"}),
        ("m-1003", {"M-1003"}),
        ("nobody-at-all", set()),
    ],
)
def test_account_search(client, agent_alice, imported, query, expected):
    client.force_login(agent_alice)

    response = client.get(reverse("account_search"), {"q": query})

    assert response.status_code == 200
    assert {d.account_number for d in response.context["results"]} == expected


def test_search_results_come_as_a_fragment_to_htmx(client, agent_alice, imported):
    client.force_login(agent_alice)
    response = client.get(reverse("account_search"), {"q": "garcia"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content and b"M-1002" in response.content


def test_account_detail_shows_person_contacts_debts_ledger(client, agent_alice, imported):
    client.force_login(agent_alice)
    dana = Consumer.objects.get(ssn_last4="6789")

    response = client.get(reverse("account_detail", args=[dana.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Dana Whitfield",
        "***-**-6789",
        "+15185550134",
        "M-1001",
        "M-1005",
        "$1,250.00",
        "Placement balance",
    ):
        assert text in body
    assert "123-45-6789" not in body and "123456789" not in body


def test_account_detail_runs_a_fixed_number_of_queries(
    client, agent_alice, imported, django_assert_max_num_queries
):
    client.force_login(agent_alice)
    dana = Consumer.objects.get(ssn_last4="6789")
    with django_assert_max_num_queries(18):
        client.get(reverse("account_detail", args=[dana.pk]))


def test_client_user_sees_only_their_creditors_accounts(
    client, client_clio_of_mercy, creditor_brightline, imported, tmp_path, now
):
    from tests.conftest import person_row, write_placement_csv

    other = write_placement_csv(
        tmp_path / "bl.csv", [person_row("B-1", ssn="345-67-8901", last_name="Whitfield")]
    )
    import_file(other, now, creditor="brightline")
    client.force_login(client_clio_of_mercy)

    results = client.get(reverse("account_search"), {"q": "whitfield"}).context["results"]
    assert {d.creditor.code for d in results} == {"mercy"}
    brightline_person = Debt.objects.get(account_number="B-1").consumer_id
    assert client.get(reverse("account_detail", args=[brightline_person])).status_code == 404
    other_placement = Placement.objects.get(creditor__code="brightline")
    assert client.get(reverse("placement_detail", args=[other_placement.pk])).status_code == 404


def test_an_agent_cannot_use_the_admin(client, agent_alice):
    client.force_login(agent_alice)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_ledger_is_read_only_in_the_admin(client, admin_ada, imported):
    client.force_login(admin_ada)
    assert client.get("/admin/portfolio/ledgerentry/").status_code == 200
    assert client.get("/admin/portfolio/ledgerentry/add/").status_code == 403
    assert client.get("/admin/identity/auditevent/add/").status_code == 403


def test_supervisor_imports_a_file_from_the_browser(
    client, supervisor_sam, creditor_mercy, placement_csv, django_capture_on_commit_callbacks
):
    client.force_login(supervisor_sam)
    with placement_csv.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placement_list"), {"creditor": "mercy", "file": handle})

    placement = Placement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("placement_detail", args=[placement.pk])
    assert placement.status == "COMPLETED" and placement.created == 4
    body = client.get(response.url).content.decode()
    assert "M-1004" in body and "balance" in body  # the rejected row, with its reason
    report = client.get(reverse("placement_errors", args=[placement.pk]))
    assert report.status_code == 200 and b"row,account_number,level,message" in b"".join(
        report.streaming_content
    )
    # The ledger says who placed the balances: the supervisor who uploaded the file.
    placed = LedgerEntry.objects.filter(kind="PLACEMENT").values_list("created_by", flat=True)
    assert set(placed) == {supervisor_sam.pk}


def test_agents_and_compliance_cannot_import(
    client, agent_alice, compliance_carla, creditor_mercy, placement_csv
):
    client.force_login(agent_alice)
    assert client.get(reverse("placement_list")).status_code == 403
    client.force_login(compliance_carla)
    assert client.get(reverse("placement_list")).status_code == 200
    with placement_csv.open("rb") as handle:
        response = client.post(reverse("placement_list"), {"creditor": "mercy", "file": handle})
    assert response.status_code == 403 and not Placement.objects.exists()


def test_upload_form_errors_are_clear(client, supervisor_sam, creditor_mercy, tmp_path):
    client.force_login(supervisor_sam)
    wrong = tmp_path / "notes.pdf"
    wrong.write_bytes(b"%PDF-1.4")
    with wrong.open("rb") as handle:
        response = client.post(reverse("placement_list"), {"creditor": "mercy", "file": handle})
    assert response.status_code == 200
    assert "notes.pdf is a PDF document" in response.content.decode()
    assert not Placement.objects.exists()


@pytest.mark.parametrize("name", ["Export.xls", "placement"])
def test_the_upload_page_reads_a_csv_whatever_its_name(
    client,
    supervisor_sam,
    creditor_mercy,
    placement_csv,
    tmp_path,
    name,
    django_capture_on_commit_callbacks,
):
    renamed = tmp_path / name
    renamed.write_bytes(placement_csv.read_bytes())
    client.force_login(supervisor_sam)
    with renamed.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placement_list"), {"creditor": "mercy", "file": handle})
    assert response.status_code == 302
    assert Placement.objects.get().created == 4


@pytest.mark.parametrize(
    ("mapping_name", "mapping_text", "message"),
    [
        ("map.json", '{"Acct": "nope"}', "which is not a standard column"),
        ("map.json", "garbage", "is not JSON"),
        ("map.json", '["account_number"]', "must be one object of strings"),
    ],
)
def test_a_bad_mapping_file_is_shown_on_the_form(
    client, supervisor_sam, creditor_mercy, tmp_path, mapping_name, mapping_text, message
):
    client.force_login(supervisor_sam)
    placement_file = tmp_path / "theirs.csv"
    placement_file.write_text("Acct\nT-1\n", encoding="utf-8")
    mapping = tmp_path / mapping_name
    mapping.write_text(mapping_text, encoding="utf-8")
    with placement_file.open("rb") as handle, mapping.open("rb") as mapping_handle:
        response = client.post(
            reverse("placement_list"),
            {"creditor": "mercy", "file": handle, "mapping": mapping_handle},
        )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_superuser_is_an_administrator(client, imported):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="correct-horse-9")
    client.force_login(root)
    assert client.get(reverse("placement_list")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_four_digits_find_a_short_account_number_first_then_ssn_last_four(
    agent_alice, creditor_mercy, tmp_path, now
):
    from amicable.portfolio.selectors import search_debts
    from tests.conftest import person_row, write_placement_csv

    import_file(
        write_placement_csv(
            tmp_path / "short.csv",
            [
                person_row("6789", first_name="Short", last_name="Number", ssn=""),
                person_row("M-2", ssn="123-45-6789"),
            ],
        ),
        now,
    )
    found = [d.account_number for d in search_debts(user=agent_alice, text="6789")]
    assert found == ["6789", "M-2"]


def test_a_creditor_added_in_the_admin_is_in_the_audit_trail(client, admin_ada):
    from amicable.portfolio.models import Creditor

    client.force_login(admin_ada)
    response = client.post(
        "/admin/portfolio/creditor/add/",
        {
            "code": "ACME",
            "name": "Acme Utilities",
            "industry": "UTILITY",
            "contingency_fee_rate": "0.30",
            "min_settlement_rate": "0.70",
            "max_plan_months": "12",
            "allocation_rule": "FEES_INTEREST_PRINCIPAL",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    acme = Creditor.objects.get()
    assert acme.code == "acme"
    event = AuditEvent.objects.get(action="creditor.created")
    assert (event.actor_id, event.object_id) == (admin_ada.pk, str(acme.pk))


def test_the_admin_refuses_a_code_that_differs_only_in_case(client, admin_ada, creditor_mercy):
    client.force_login(admin_ada)
    response = client.post(
        "/admin/portfolio/creditor/add/",
        {
            "code": "MERCY",
            "name": "Mercy again",
            "industry": "MEDICAL",
            "contingency_fee_rate": "0.30",
            "min_settlement_rate": "0.70",
            "max_plan_months": "12",
            "allocation_rule": "FEES_INTEREST_PRINCIPAL",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
