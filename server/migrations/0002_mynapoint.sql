-- MyNa Point (F4, F5), the portal-user registration (F1 opt-in, F6) and rate-limit counters.

-- F4: one MyKey ID per person, unique across everyone.
CREATE TABLE mykey_ids (
    person_id TEXT PRIMARY KEY,
    mykey_id TEXT NOT NULL UNIQUE,
    reserved_ms BIGINT NOT NULL
);

-- F5: one application per person; one payment-service ID (per service) across everyone. The
-- ID itself is not stored: payment_key is SHA-256(service|ID), payment_id_last4 serves the
-- receipt's masked form. The security code is never stored.
CREATE TABLE point_applications (
    person_id TEXT PRIMARY KEY,
    service_code TEXT NOT NULL,
    payment_key TEXT NOT NULL UNIQUE,
    payment_id_last4 TEXT NOT NULL,
    phone_last4 TEXT,
    receipt_number TEXT NOT NULL UNIQUE,
    applied_ms BIGINT NOT NULL
);

-- マイナポータル利用者登録 (opt-in of F1, or F6).
CREATE TABLE portal_users (
    person_id TEXT PRIMARY KEY,
    registered_ms BIGINT NOT NULL
);

-- Fixed-window counters: bucket is e.g. "ip:127.0.0.1" or "cert:issuer|serial".
CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,
    window_ms BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_ms)
);
CREATE INDEX rate_limits_window ON rate_limits (window_ms);
