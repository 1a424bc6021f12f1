"""The problem-details body (RFC 9457), documented on every error answer of every operation."""

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
        "current": {"type": "object", "description": "The record as it is now (412 only)."},
    },
}

DESCRIPTIONS = {
    400: "The request is malformed (an Idempotency-Key too long, say).",
    401: "No token or session, or the token is unknown, revoked or expired.",
    403: "Your role, or the token's scope, does not allow this.",
    404: "No such record, or not yours to see.",
    409: "No open emergency, or a concurrent save of the same thing.",
    412: "The record changed since the version sent in If-Match; `current` holds it as it is now.",
    422: "Values missing or not valid: `errors` names each field.",
    428: "An edit without If-Match.",
    429: "Too many requests through this token.",
}


def documented(codes, extra=None):
    """openapi_extra for an operation: its error answers, as problem details."""
    responses = {code: {"description": DESCRIPTIONS[code],
                        "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}
                 for code in sorted(codes)}
    result = {"responses": responses}
    for code, spec in (extra or {}).get("responses", {}).items():
        responses.setdefault(code, {}).update(spec)
    return result
