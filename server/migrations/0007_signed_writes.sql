-- Card-signed writes (issue 14; docs/contract.md "Signed writes"). A login whose nonce carried a
-- write's digest leaves a row here bound to its session: the write it names is accepted once,
-- within a few minutes, on that session only; then the row records which person it wrote for
-- and when, and stays as the evidence behind the receipt (the card's signature, the nonce it
-- signed, the certificate that verifies it). Rows never written are forgotten when they expire.
CREATE TABLE signed_writes (
    id TEXT PRIMARY KEY,
    session_id_hash TEXT NOT NULL,
    purpose TEXT,
    digest TEXT NOT NULL,
    nonce TEXT NOT NULL,
    signature TEXT NOT NULL,
    certificate TEXT NOT NULL,
    certificate_key TEXT NOT NULL,
    signed_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    person_id TEXT,
    written_ms BIGINT
);
CREATE INDEX signed_writes_session ON signed_writes (session_id_hash, purpose);
CREATE INDEX signed_writes_person ON signed_writes (person_id);
CREATE INDEX signed_writes_expires ON signed_writes (expires_ms);
