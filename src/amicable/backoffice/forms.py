from django import forms

from amicable.portfolio.models import Creditor


class PlacementUploadForm(forms.Form):
    creditor = forms.ModelChoiceField(
        queryset=Creditor.objects.filter(is_active=True).order_by("name", "id"),
        to_field_name="code",
        empty_label="Choose the creditor…",
    )
    # Any name: the format is recognised from the content (an export named "Export.xls" or
    # with no extension is often a CSV), and a file that is neither is refused, saying why.
    file = forms.FileField(help_text="CSV or XLSX, with the standard columns or a mapping")
    mapping = forms.FileField(required=False, help_text="Optional: a mapping file (CSV or JSON)")
