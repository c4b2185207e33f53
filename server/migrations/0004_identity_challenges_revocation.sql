-- Real certificates, several tabs, revocation shared by every instance (issue 10).

-- Sessions logged in before the certificate identity was computed in one place kept the serial
-- with DER's leading 00 (written only before a byte of 0x80 or more); the registry links never
-- had it. Strip it so those sessions find their person (docs/certificates.md).
UPDATE sessions SET certificate_key = replace(certificate_key, '|00', '|')
WHERE certificate_key LIKE '%|008%' OR certificate_key LIKE '%|009%'
   OR certificate_key LIKE '%|00a%' OR certificate_key LIKE '%|00b%'
   OR certificate_key LIKE '%|00c%' OR certificate_key LIKE '%|00d%'
   OR certificate_key LIKE '%|00e%' OR certificate_key LIKE '%|00f%';

-- The logged-in certificate's notAfter, so that every answer about the session can say it.
ALTER TABLE sessions ADD COLUMN certificate_expires_ms BIGINT;

-- A session's own idle timeout (ms): a public terminal's session ends after 60 s without a
-- request whatever the server's default (NULL: the default).
ALTER TABLE sessions ADD COLUMN idle_ms BIGINT;

-- Several outstanding challenges per session (two tabs, F1 and F2 at once), each single use:
-- a login takes exactly the one its token signed, with one `DELETE … WHERE nonce = …`.
DROP TABLE challenges;
CREATE TABLE challenges (
    nonce TEXT PRIMARY KEY,
    session_id_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX challenges_session ON challenges (session_id_hash);
CREATE INDEX challenges_expires ON challenges (expires_ms);

-- The CRLs imported (`myna-server import crl`, `--crl` at start, on change and on SIGHUP), one
-- row per signing CA key: CA generations share one DN and each signs its own CRL.
CREATE TABLE crls (
    authority TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    this_update_ms BIGINT NOT NULL,
    next_update_ms BIGINT,
    revoked_count BIGINT NOT NULL,
    imported_ms BIGINT NOT NULL
);

-- What those CRLs revoke, by certificate identity (issuer|serial, as sessions and links key
-- it), so a login and every request of an open session see a revocation at once.
CREATE TABLE revoked_certificates (
    certificate_key TEXT NOT NULL,
    authority TEXT NOT NULL,
    revoked_ms BIGINT NOT NULL,
    PRIMARY KEY (certificate_key, authority)
);
