"""The one exception the policy library raises for a document that must be rejected."""

from __future__ import annotations


class PolicyError(ValueError):
    """A document that must be rejected.

    ``str(exc)`` is a human message that names the problem, worded like AWS's own
    (e.g. ``Policy has invalid action: s3:GetObjekt``).
    """
