from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hosen.accounts"
    label = "accounts"
