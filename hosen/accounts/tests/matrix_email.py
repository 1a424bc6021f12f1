"""The e-mail page in the permission matrix (tests/test_permissions.py): each signed-in user's own address;
a visitor is sent to sign in."""

OTHER_PAGES = {
    "accounts:email": {"anonymous": 302, "*": 200},
}
