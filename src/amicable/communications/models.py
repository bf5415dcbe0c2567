from django.db import models


class ScriptTemplate(models.Model):
    """What the collector says, step by step, editable by administrators, per language.

    Placeholders in braces are filled in for the call: {agent_first_name}, {agency_name},
    {callback_number}, {consumer_first_name}, {consumer_last_name}, {creditor_name},
    {balance}. An unknown placeholder is left as written, so a typo shows instead of failing.
    """

    class Step(models.TextChoices):
        GREETING = "GREETING", "Greeting and identity check"
        LIMITED_CONTENT = "LIMITED_CONTENT", "Limited-content message"
        THIRD_PARTY = "THIRD_PARTY", "Someone else answered"
        WRONG_NUMBER = "WRONG_NUMBER", "Wrong number"
        DISCLOSURE = "DISCLOSURE", "Required disclosure (mini-Miranda)"
        LISTEN = "LISTEN", "Understanding the situation"
        OPTIONS = "OPTIONS", "Presenting options"
        CLOSING = "CLOSING", "Closing"

    step = models.CharField(max_length=16, choices=Step.choices)
    language = models.CharField(max_length=2, choices=[("EN", "English"), ("ES", "Spanish")])
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["step", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "language"], name="one_script_per_step_and_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} ({self.language})"
