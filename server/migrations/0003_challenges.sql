-- Pending login challenges (base64 nonce), one per session: taking one is a single
-- `DELETE … RETURNING`, so it is single use by construction.
CREATE TABLE challenges (
    session_id_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX challenges_expires ON challenges (expires_ms);
