"""The address of the person at the other end, the same for every limit that counts per address.

Behind a TLS proxy every request comes from the proxy, so REMOTE_ADDR is the proxy's address for all
visitors. settings.CLIENT_IP_HEADER names the request header the proxy fills with the client's address
(as a request.META key: "HTTP_X_REAL_IP", "HTTP_X_FORWARDED_FOR"). django-axes (AXES_CLIENT_IP_CALLABLE),
allauth (the account adapter's get_client_ip) and the public forms' django-ratelimit (RATELIMIT_IP_META_KEY)
all ask `client_ip`, so they can never disagree about who a visitor is.

X-Forwarded-For is a list that grows by one address per proxy: "what the client claimed, …, what our proxy
saw". Its left end is whatever the client chose to send, so it is never trusted; the address our own proxy
appended is the right end (with settings.CLIENT_IP_PROXY_COUNT proxies in a row, the one that many places
from the right).
"""

import ipaddress

from django.conf import settings


def client_ip_header():
    """The request.META key of the client-address header, or "" when Hosen is reached directly."""
    name = (getattr(settings, "CLIENT_IP_HEADER", "") or "").strip()
    if not name:
        return ""
    # Operators may write the header as it travels ("X-Real-IP") or as Django files it ("HTTP_X_REAL_IP").
    name = name.upper().replace("-", "_")
    return name if name.startswith("HTTP_") else f"HTTP_{name}"


def _valid(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's address: from the proxy's header when one is configured and present, else REMOTE_ADDR."""
    header = client_ip_header()
    value = request.META.get(header, "") if header else ""
    if value:
        chain = [part for part in value.split(",") if part.strip()]
        proxies = max(1, int(getattr(settings, "CLIENT_IP_PROXY_COUNT", 1) or 1))
        if len(chain) >= proxies:
            address = _valid(chain[-proxies])
            if address:
                return address
    # No header (a request that did not pass the proxy, e.g. a health check on the app's own port) or an
    # unreadable one: the connection's own address is the only one we know.
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 (an address, not a socket to bind)
