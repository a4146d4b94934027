"""What the event producers put into raw rows that no seed lists: the demo and the synthetic generator share it.

The closed vocabularies (event names, error codes, integration types, paths, roles, plan tiers, journey
steps) come from the seeds through `setup_journeys.vocabulary`. What is here is knowledge about the
producers, not a rule the models apply: where accounts come from, which screens start a setup, which
values a few properties take, and which error codes the users of each setup path meet.
"""

from __future__ import annotations

ACQUISITION_SOURCES = ("organic_search", "paid_search", "referral", "partner", "outbound_sales", "product_hunt")
SETUP_SURFACES = ("onboarding_checklist", "settings_page", "in_app_prompt")
#: Values of the `status` property of integration_status_viewed.
STATUS_VALUES = ("connected", "pending", "error")
#: Values of the `environment` property.
ENVIRONMENTS = ("sandbox", "production")
#: An error code the taxonomy does not know (the models must classify it as unknown).
UNKNOWN_ERROR_CODE = "weird_timeout"
#: An integration type the catalog does not know (the models fall back to its default row).
UNKNOWN_INTEGRATION = "zendesk"

# Error codes that fit each path (SPEC section 4 taxonomy), plus the unknown one. Keyed by path because
# which errors a path's users meet is the producers' behaviour; a path added to the seeds needs its codes
# here (a KeyError says so).
PATH_ERROR_CODES: dict[str, tuple[str, ...]] = {  # vocabulary-ok: producer knowledge per path, not a list of paths
    "oauth": ("oauth_denied", "oauth_scope_missing", "auth_failed", "sync_failed", "no_events_received", "rate_limited"),
    "api": (
        "invalid_api_key",
        "schema_mismatch",
        "missing_required_property",
        "destination_unreachable",
        "delivery_rejected",
        "no_events_received",
        "rate_limited",
        UNKNOWN_ERROR_CODE,
    ),
    "domain": ("dns_check_failed", "dns_record_missing", "delivery_rejected"),
}
