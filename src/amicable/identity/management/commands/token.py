from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from amicable.identity.models import ApiToken
from amicable.identity.services import (
    UnableToRevokeToken,
    issue_api_token,
    revoke_api_token,
)
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
            try:
                revoked = revoke_api_token(token_id=options["token_id"], actor_id=None, now=now)
            except UnableToRevokeToken as error:
                raise CommandError(error.message) from None
            self.stdout.write(f"Token {revoked.pk} revoked.")
