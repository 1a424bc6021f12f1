"""Two-step sign-in pages in the permission matrix (tests/test_permissions.py).

allauth's MFA pages are the signed-in user's own: a visitor is sent to sign in, everyone else reaches only her
own authenticators, and a page about one she does not have answers 404. A user signed in without a password
this session (the matrix's force_login) is asked for her password first on the pages that add an authenticator
(302 to re-authentication)."""

ANONYMOUS_SIGNS_IN = {"anonymous": 302}

OTHER_PAGES = {
    "accounts:two_step": {**ANONYMOUS_SIGNS_IN, "*": 200},
    "accounts:two_step_network": {**ANONYMOUS_SIGNS_IN, "network_admin": 200, "*": 403},
    "mfa_index": {**ANONYMOUS_SIGNS_IN, "*": 200},
    # Only between the password and the code of a sign-in.
    "mfa_authenticate": {"*": 302},
    "mfa_reauthenticate": {**ANONYMOUS_SIGNS_IN, "*": 302},
    "mfa_activate_totp": {**ANONYMOUS_SIGNS_IN, "*": 302},
    "mfa_deactivate_totp": {**ANONYMOUS_SIGNS_IN, "*": 404},  # she has none
    "mfa_view_recovery_codes": {**ANONYMOUS_SIGNS_IN, "*": 404},  # she has none
    "mfa_generate_recovery_codes": {**ANONYMOUS_SIGNS_IN, "*": 302},
    "mfa_download_recovery_codes": {**ANONYMOUS_SIGNS_IN, "*": 404},  # she has none
    "mfa_list_webauthn": {**ANONYMOUS_SIGNS_IN, "*": 200},
    "mfa_add_webauthn": {**ANONYMOUS_SIGNS_IN, "*": 302},
    "mfa_reauthenticate_webauthn": {**ANONYMOUS_SIGNS_IN, "*": 302},
    # Another user's passkey (or none): nothing to see.
    "mfa_remove_webauthn": {**ANONYMOUS_SIGNS_IN, "*": 302},
    "mfa_edit_webauthn": {**ANONYMOUS_SIGNS_IN, "*": 302},
}


def url_kwargs(cast):
    return {}
