from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from amicable.identity.models import ApiToken
from amicable.identity.services import issue_api_token, record_audit_event
from amicable.kernel.clock import utc_now


class Command(BaseCommand):
    help = "API tokens: `amicable token issue USERNAME --name NAME`, `list`, `revoke ID`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="what the token is for")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, **options):
        now = utc_now()
        if options["action"] == "issue":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"no user named {options['username']!r}")
            token, secret = issue_api_token(user_id=user.pk, name=options["name"], now=now)
            self.stdout.write(
                f"Token {token.pk} for {user.username}: {secret}\n"
                "Keep it safe: it is not stored and will not be shown again."
            )
        elif options["action"] == "list":
            for token in ApiToken.objects.select_related("user"):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.pk:>4} {token.user.username:<16} {token.name:<24} "
                    f"{token.prefix}… {state}"
                )
        else:
            revoked = ApiToken.objects.filter(pk=options["token_id"]).first()
            if revoked is None:
                raise CommandError(f"no token with id {options['token_id']}")
            revoked.revoked_at = now
            revoked.save(update_fields=["revoked_at"])
            record_audit_event(
                at=now,
                actor_id=None,
                action="api_token.revoked",
                object_type="ApiToken",
                object_id=revoked.pk,
            )
            self.stdout.write(f"Token {revoked.pk} revoked.")
