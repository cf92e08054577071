"""Unique ids of IAM entities, shaped like AWS's: a four-letter prefix naming the kind of entity
and 17 characters of the access-key alphabet, 21 in all (``AIDA`` users, ``AGPA`` groups,
``AROA`` roles, ``ANPA`` managed policies).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes
"""

from __future__ import annotations

import secrets

from ironbucket.iam.accounts import KEY_ALPHABET

USER, GROUP, ROLE, POLICY = "AIDA", "AGPA", "AROA", "ANPA"


def new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(KEY_ALPHABET) for _ in range(17))
