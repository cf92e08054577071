"""The IAM tables (schema migration 2): users, groups, roles, managed policies and their versions,
inline policies, attachments, and when each access key was last used.

Entities are keyed by their immutable ids, so a rename touches one row (plus the denormalised
``*_key`` sort columns below). ``name_key`` is the lower-cased name: AWS keeps names unique per
account without regard to case. Tags, descriptions and dates live in the JSON ``doc``.
"""

from __future__ import annotations

IAM_TABLES: tuple[str, ...] = (
    # Which IAM user owns a key; NULL for the keys of an account's root user.
    "ALTER TABLE access_keys ADD COLUMN owner_id TEXT",
    "CREATE INDEX access_keys_by_owner ON access_keys(owner_id) WHERE owner_id IS NOT NULL",
    """CREATE TABLE iam_users (
        user_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(account_id),
        name_key TEXT NOT NULL,
        path TEXT NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX iam_users_by_name ON iam_users(account_id, name_key)",
    # Lists are ordered by (path, name) so that a PathPrefix page is one range of this index.
    "CREATE INDEX iam_users_by_path ON iam_users(account_id, path, name_key)",
    """CREATE TABLE iam_groups (
        group_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(account_id),
        name_key TEXT NOT NULL,
        path TEXT NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX iam_groups_by_name ON iam_groups(account_id, name_key)",
    "CREATE INDEX iam_groups_by_path ON iam_groups(account_id, path, name_key)",
    """CREATE TABLE iam_roles (
        role_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(account_id),
        name_key TEXT NOT NULL,
        path TEXT NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX iam_roles_by_name ON iam_roles(account_id, name_key)",
    "CREATE INDEX iam_roles_by_path ON iam_roles(account_id, path, name_key)",
    """CREATE TABLE iam_policies (
        policy_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(account_id),
        name_key TEXT NOT NULL,
        path TEXT NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX iam_policies_by_name ON iam_policies(account_id, name_key)",
    "CREATE INDEX iam_policies_by_path ON iam_policies(account_id, path, name_key)",
    # Both directions are pages: a group's users by name, a user's groups by name.
    """CREATE TABLE iam_group_members (
        group_id TEXT NOT NULL REFERENCES iam_groups(group_id),
        user_key TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES iam_users(user_id),
        group_key TEXT NOT NULL,
        PRIMARY KEY (group_id, user_key)
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX iam_group_members_by_user ON iam_group_members(user_id, group_key)",
    """CREATE TABLE iam_inline_policies (
        entity_id TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        document TEXT NOT NULL,
        PRIMARY KEY (entity_id, name)
    ) WITHOUT ROWID""",
    """CREATE TABLE iam_policy_versions (
        policy_id TEXT NOT NULL REFERENCES iam_policies(policy_id),
        number INTEGER NOT NULL,
        created_at REAL NOT NULL,
        document TEXT NOT NULL,
        PRIMARY KEY (policy_id, number)
    ) WITHOUT ROWID""",
    # usage: PermissionsPolicy (attached) or PermissionsBoundary (at most one per entity).
    """CREATE TABLE iam_attachments (
        entity_id TEXT NOT NULL,
        usage TEXT NOT NULL,
        policy_id TEXT NOT NULL REFERENCES iam_policies(policy_id),
        entity_kind TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        PRIMARY KEY (entity_id, usage, policy_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX iam_attachments_by_policy ON iam_attachments(policy_id, usage, entity_kind, entity_key)",
    "CREATE INDEX iam_attachments_by_kind ON iam_attachments(policy_id, entity_kind, entity_key)",
    """CREATE TABLE iam_key_last_used (
        access_key_id TEXT PRIMARY KEY,
        used_at REAL NOT NULL,
        service TEXT NOT NULL,
        region TEXT NOT NULL
    ) WITHOUT ROWID""",
)
