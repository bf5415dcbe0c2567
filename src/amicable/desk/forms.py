from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms

from amicable.negotiation.core import EXPENSE_CATEGORIES
from amicable.negotiation.models import Arrangement, HardshipAssessment
from amicable.strategy.models import Disposition

FREQUENCIES = [("WEEKLY", "Weekly"), ("BIWEEKLY", "Every two weeks"), ("MONTHLY", "Monthly")]


class VerifyForm(forms.Form):
    dob = forms.DateField(
        required=False, label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    ssn4 = forms.CharField(required=False, max_length=4, label="SSN last 4")
    zip = forms.CharField(required=False, max_length=10, label="ZIP code")
    street = forms.CharField(required=False, max_length=100, label="Street address")

    def answers(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "dob": data["dob"].isoformat() if data.get("dob") else "",
            "ssn4": data.get("ssn4", ""),
            "zip": data.get("zip", ""),
            "street": data.get("street", ""),
        }


class HardshipForm(forms.Form):
    reason = forms.ChoiceField(
        choices=HardshipAssessment.Reason.choices, label="Why they fell behind"
    )
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="In their words"
    )
    income = forms.DecimalField(min_value=0, decimal_places=2, label="Take-home income")
    income_frequency = forms.ChoiceField(choices=FREQUENCIES, initial="MONTHLY")
    other_income = forms.DecimalField(
        min_value=0, decimal_places=2, required=False, label="Other income (monthly)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in EXPENSE_CATEGORIES:
            self.fields[f"expense_{category.lower()}"] = forms.DecimalField(
                min_value=0,
                decimal_places=2,
                required=False,
                label=category.replace("_", " ").capitalize(),
            )

    def expense_fields(self):
        return [self[name] for name in self.fields if name.startswith("expense_")]


class ArrangementForm(forms.Form):
    kind = forms.ChoiceField(choices=Arrangement.Kind.choices)
    debt = forms.IntegerField(widget=forms.HiddenInput)
    total = forms.DecimalField(min_value=Decimal("0.01"), decimal_places=2)
    count = forms.IntegerField(min_value=1, max_value=520, initial=1, label="Number of payments")
    frequency = forms.ChoiceField(choices=FREQUENCIES, initial="MONTHLY")
    first_due_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="First payment on"
    )
    agent_note = forms.CharField(
        required=False, max_length=500, label="Note for the supervisor (if approval is needed)"
    )


class PaymentForm(forms.Form):
    debt = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, min_length=16, max_length=100)
    amount = forms.DecimalField(min_value=Decimal("0.01"), decimal_places=2)
    method = forms.ChoiceField(choices=[("CARD", "Card"), ("BANK_ACCOUNT", "Bank account")])
    card_number = forms.CharField(
        required=False,
        max_length=23,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    exp_month = forms.IntegerField(required=False, min_value=1, max_value=12)
    exp_year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    cvc = forms.CharField(
        required=False, max_length=4, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    postal_code = forms.CharField(required=False, max_length=10)
    routing_number = forms.CharField(required=False, max_length=9)
    account_number = forms.CharField(
        required=False, max_length=17, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    account_type = forms.ChoiceField(
        required=False, choices=[("CHECKING", "Checking"), ("SAVINGS", "Savings")]
    )
    holder_name = forms.CharField(required=False, max_length=100)

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("method") == "CARD":
            for name in ("card_number", "exp_month", "exp_year", "cvc"):
                if not data.get(name):
                    self.add_error(name, "Required for a card payment.")
        elif data.get("method") == "BANK_ACCOUNT":
            for name in ("routing_number", "account_number", "holder_name"):
                if not data.get(name):
                    self.add_error(name, "Required for a bank payment.")
        return data


class DispositionForm(forms.Form):
    code = forms.ChoiceField(choices=Disposition.Code.choices, label="Outcome")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    callback_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    callback_time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def callback_at(self, zone: str):
        day, moment = self.cleaned_data.get("callback_on"), self.cleaned_data.get("callback_time")
        if not day or not moment:
            return None
        return local_datetime(day, moment, zone)


class CallbackForm(forms.Form):
    callback_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    callback_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(required=False, max_length=300)


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


def local_datetime(day: date, moment: time, zone: str) -> datetime:
    """A time the agent typed, in the person's time zone (the desk shows which)."""
    try:
        tz = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        tz = ZoneInfo("America/New_York")
    return datetime.combine(day, moment, tzinfo=tz)


def default_first_due(today: date) -> date:
    from datetime import timedelta

    return today + timedelta(days=7)
