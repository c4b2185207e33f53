-- One schema for SQLite and PostgreSQL: portable types only (TEXT, BIGINT), times as Unix
-- milliseconds, no autoincrement, booleans as 0/1.

-- Cookie sessions. The cookie holds a random id; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    csrf_token TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    -- issuer|serial of the user-authentication certificate after a card login.
    certificate_key TEXT,
    authenticated_ms BIGINT
);
CREATE INDEX sessions_last_seen ON sessions (last_seen_ms);

-- The registry feed: which person a certificate belongs to. No My Number, no 4 attributes.
CREATE TABLE certificate_links (
    certificate_key TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    linked_ms BIGINT NOT NULL
);
CREATE INDEX certificate_links_person ON certificate_links (person_id);

-- The registry feed: municipal card events (flows.md F3).
CREATE TABLE card_events (
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurred_ms BIGINT NOT NULL,
    auth_certificate_revoked BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, kind, occurred_ms)
);

-- The insurer feed: a person linked to an insurer record, or reported without one
-- (insurer_name NULL: the person must contact their insurer).
CREATE TABLE insurer_records (
    person_id TEXT PRIMARY KEY,
    insurer_name TEXT,
    linked_ms BIGINT NOT NULL
);

-- Health-insurance applications: one per person (idempotent).
CREATE TABLE insurance_applications (
    person_id TEXT PRIMARY KEY,
    register_portal_user BIGINT NOT NULL,
    terms_version TEXT NOT NULL,
    applied_ms BIGINT NOT NULL
);
