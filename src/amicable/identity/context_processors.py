from amicable.identity.roles import roles_of


def roles(request):
    user_roles = roles_of(getattr(request, "user", None))
    return {"user_roles": {role.value for role in user_roles}}
