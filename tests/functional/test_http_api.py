"""The HTTP API: token and session auth, roles, and client isolation."""

from decimal import Decimal

import pytest

from amicable.identity.services import issue_api_token
from amicable.portfolio.models import Consumer, Debt, Placement
from tests.integration.portfolio.test_placement_import import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(creditor_mercy, placement_csv, now):
    return import_file(placement_csv, now)


def bearer(user, now):
    _, secret = issue_api_token(user_id=user.pk, name="test", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_requests_without_credentials_are_refused(client, imported):
    assert client.get("/api/v1/debts").status_code == 401
    assert client.get("/api/v1/debts", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_openapi_schema_and_docs(client, agent_alice):
    client.force_login(agent_alice)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/debts/{debt_id}/ledger" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"cdn.jsdelivr" not in docs.content


def test_debts_filter_detail_and_ledger_with_a_token(client, agent_alice, imported, now):
    headers = bearer(agent_alice, now)

    listed = client.get("/api/v1/debts", {"creditor": "mercy", "min_balance": "100"}, **headers)
    assert listed.status_code == 200
    assert {d["account_number"] for d in listed.json()} == {"M-1001", "M-1003"}
    debt = Debt.objects.get(account_number="M-1001")
    detail = client.get(f"/api/v1/debts/{debt.pk}", **headers).json()
    assert detail["balance"] == "1250.00" and detail["creditor"] == "mercy"
    ledger = client.get(f"/api/v1/debts/{debt.pk}/ledger", **headers).json()
    assert [(e["kind"], e["amount"]) for e in ledger] == [("PLACEMENT", "1250.00")]
    searched = client.get("/api/v1/debts", {"q": "garcia"}, **headers).json()
    assert [d["account_number"] for d in searched] == ["M-1002"]


def test_consumer_detail(client, agent_alice, imported, now):
    dana = Consumer.objects.get(ssn_last4="6789")
    body = client.get(f"/api/v1/consumers/{dana.pk}", **bearer(agent_alice, now)).json()
    assert body["ssn_last4"] == "6789" and "ssn" not in body
    assert len(body["debts"]) == 2 and body["contact_points"][0]["kind"] in {
        "ADDRESS",
        "EMAIL",
        "PHONE",
    }


def test_creditors_are_created_by_supervisors_only(client, agent_alice, supervisor_sam, now):
    payload = {"code": "acme", "name": "Acme Utilities", "industry": "UTILITY"}
    refused = client.post(
        "/api/v1/creditors", payload, content_type="application/json", **bearer(agent_alice, now)
    )
    assert refused.status_code == 403
    created = client.post(
        "/api/v1/creditors", payload, content_type="application/json", **bearer(supervisor_sam, now)
    )
    assert created.status_code == 201 and created.json()["code"] == "acme"
    duplicate = client.post(
        "/api/v1/creditors", payload, content_type="application/json", **bearer(supervisor_sam, now)
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.json()["detail"]


def test_placement_upload_status_and_error_report(
    client, supervisor_sam, creditor_mercy, placement_csv, now, django_capture_on_commit_callbacks
):
    headers = bearer(supervisor_sam, now)
    with placement_csv.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/placements", {"creditor": "mercy", "file": handle}, **headers
        )
    assert response.status_code == 202
    placement_id = response.json()["id"]

    status = client.get(f"/api/v1/placements/{placement_id}", **headers).json()
    assert (status["status"], status["created"], status["rejected"]) == ("COMPLETED", 4, 1)
    report = client.get(f"/api/v1/placements/{placement_id}/errors", **headers)
    assert report.status_code == 200
    assert b"M-1004" in b"".join(report.streaming_content)


def test_placement_upload_with_a_mapping_file(
    client, supervisor_sam, creditor_mercy, tmp_path, now, django_capture_on_commit_callbacks
):
    their_file = tmp_path / "theirs.csv"
    their_file.write_text("Acct,Given,Family,Owed\nT-1,Ann,Lee,10.00\n", encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text(
        '{"Acct": "account_number", "Given": "first_name", "Family": "last_name", '
        '"Owed": "balance"}',
        encoding="utf-8",
    )
    headers = bearer(supervisor_sam, now)
    schema = client.get("/api/v1/openapi.json", **headers).json()
    upload = schema["paths"]["/api/v1/placements"]["post"]["requestBody"]["content"]
    assert "mapping" in upload["multipart/form-data"]["schema"]["properties"]

    with (
        their_file.open("rb") as handle,
        mapping.open("rb") as mapping_handle,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/api/v1/placements",
            {"creditor": "mercy", "file": handle, "mapping": mapping_handle},
            **headers,
        )
    assert response.status_code == 202
    status = client.get(f"/api/v1/placements/{response.json()['id']}", **headers).json()
    assert (status["status"], status["created"]) == ("COMPLETED", 1)
    assert Debt.objects.get(account_number="T-1").balance == Decimal("10.00")


def test_a_bad_mapping_file_is_a_clear_422(client, supervisor_sam, creditor_mercy, tmp_path, now):
    their_file = tmp_path / "theirs.csv"
    their_file.write_text("Acct\nT-1\n", encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text('{"Acct": "nope"}', encoding="utf-8")
    with their_file.open("rb") as handle, mapping.open("rb") as mapping_handle:
        response = client.post(
            "/api/v1/placements",
            {"creditor": "mercy", "file": handle, "mapping": mapping_handle},
            **bearer(supervisor_sam, now),
        )
    assert response.status_code == 422
    assert '"nope", which is not a standard column' in response.json()["detail"]
    assert not Placement.objects.exists()


def test_upload_to_an_unknown_creditor_is_a_clear_422(client, supervisor_sam, placement_csv, now):
    with placement_csv.open("rb") as handle:
        response = client.post(
            "/api/v1/placements",
            {"creditor": "ghost", "file": handle},
            **bearer(supervisor_sam, now),
        )
    assert response.status_code == 422 and "ghost" in response.json()["detail"]


def test_client_token_sees_only_its_creditor(
    client, client_clio_of_mercy, creditor_brightline, imported, tmp_path, now
):
    from tests.conftest import person_row, write_placement_csv

    import_file(
        write_placement_csv(tmp_path / "b.csv", [person_row("B-9", ssn="")]),
        now,
        creditor="brightline",
    )
    headers = bearer(client_clio_of_mercy, now)

    listed = client.get("/api/v1/debts", {"limit": 500}, **headers).json()
    assert {d["creditor"] for d in listed} == {"mercy"}
    other = Debt.objects.get(account_number="B-9")
    assert client.get(f"/api/v1/debts/{other.pk}", **headers).status_code == 404
    assert client.get(f"/api/v1/debts/{other.pk}/ledger", **headers).status_code == 404
    assert [c["code"] for c in client.get("/api/v1/creditors", **headers).json()] == ["mercy"]


def test_a_client_never_sees_contact_points_another_creditor_gave(
    client, agent_alice, client_clio_of_mercy, creditor_brightline, imported, tmp_path, now
):
    """Dana is one person to the agency (same SSN in both creditors' files), but Mercy's
    client user sees only what Mercy's file gave, in detail and in search."""
    from tests.conftest import person_row, write_placement_csv

    import_file(
        write_placement_csv(
            tmp_path / "b.csv",
            [person_row("B-1", phone1="(212) 555-0111", email="dana@brightline.example")],
        ),
        now,
        creditor="brightline",
    )
    dana = Consumer.objects.get(ssn_last4="6789")
    assert Debt.objects.filter(consumer=dana).count() == 3  # M-1001, M-1002 and B-1

    def values(user):
        body = client.get(f"/api/v1/consumers/{dana.pk}", **bearer(user, now)).json()
        return {point["value"] for point in body["contact_points"]}

    assert {"+12125550111", "dana@brightline.example"} <= values(agent_alice)
    seen_by_clio = values(client_clio_of_mercy)
    assert "dana@example.com" in seen_by_clio
    assert not {"+12125550111", "dana@brightline.example"} & seen_by_clio

    client.force_login(client_clio_of_mercy)
    found = client.get("/api/v1/debts", {"q": "dana@brightline.example"}).json()
    assert found == []
    page = client.get(f"/accounts/{dana.pk}/").content.decode()
    assert "dana@example.com" in page and "dana@brightline.example" not in page
