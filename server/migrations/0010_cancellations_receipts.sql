-- Undoing a registration online, the eligibility certificate's request, and receipts for every
-- write (issue 14; docs/contract.md "Cancellation and the eligibility certificate", "Receipts").

-- 受付番号 of the health-insurance application and of the MyKey ID's reservation (rows written
-- before this migration have none: やりとり履歴 shows them without a number).
ALTER TABLE insurance_applications ADD COLUMN receipt_number TEXT;
ALTER TABLE mykey_ids ADD COLUMN receipt_number TEXT;
ALTER TABLE portal_users ADD COLUMN receipt_number TEXT;

-- A cancellation of the registration (kind 'cancellation', its application removed in the same
-- transaction, a snapshot of it and of the insurer's link kept here for the receipt and the
-- insurer's export), or a request for the eligibility certificate on its own (kind
-- 'certificate'). `certificate` is 1 when the insurer is asked for the certificate.
-- `certificate_key` (a request on its own only: the person, the receipt of their last
-- cancellation or '-', and the insurer) makes one request per person, period and insurer, also
-- when two tabs ask at once.
CREATE TABLE insurance_requests (
    receipt_number TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    certificate BIGINT NOT NULL,
    insurer_name TEXT,
    symbol_last TEXT,
    number_last TEXT,
    application_receipt TEXT,
    applied_ms BIGINT,
    made_ms BIGINT NOT NULL,
    signed_write_id TEXT NOT NULL,
    certificate_key TEXT UNIQUE
);
CREATE INDEX insurance_requests_person ON insurance_requests (person_id);
CREATE INDEX insurance_requests_made ON insurance_requests (made_ms);
