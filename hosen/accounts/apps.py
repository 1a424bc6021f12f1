from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hosen.accounts"
    label = "accounts"

    def ready(self):
        from allauth.account.signals import password_reset

        from .lockout import unlock_on_password_reset

        password_reset.connect(unlock_on_password_reset, dispatch_uid="hosen.unlock_on_password_reset")
        from . import two_step_signals  # noqa: F401  (connects the receivers)
