from django import forms

from amicable.portfolio.models import Creditor


class PlacementUploadForm(forms.Form):
    creditor = forms.ModelChoiceField(
        queryset=Creditor.objects.filter(is_active=True).order_by("name", "id"),
        to_field_name="code",
        empty_label="Choose the creditor…",
    )
    file = forms.FileField(help_text="CSV or XLSX, with the standard columns or a mapping")
    mapping = forms.FileField(required=False, help_text="Optional: a mapping file (CSV or JSON)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Choose a .csv or .xlsx file.")
        return upload
