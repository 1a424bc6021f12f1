"""A change made through the API is named in the audit history by the token that made it: the history row's
user is the token's person (the request acts as her), its change reason "API: <token name>"."""

from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from hosen.tenancy.audit import API_PREFIX


@receiver(pre_create_historical_record)
def name_the_token(sender, history_instance, **kwargs):
    request = getattr(HistoricalRecords.context, "request", None)
    token = getattr(request, "api_token", None) if request is not None else None
    if token is not None and not history_instance.history_change_reason:
        history_instance.history_change_reason = (API_PREFIX + token.name)[:100]
