-- Links a citizen can see and dispute (issue 14; docs/feeds.md "insurer-records", docs/contract.md
-- "Links and disputes"). The insurer feed may say the insured person's symbol and number (only
-- their last two characters are kept: what the status screen shows masked) and the date of the
-- insurer's record (as_of_ms). 「これは私ではない」 freezes the link at once (frozen_ms) until the
-- insurer sends a record dated after the report, and leaves a dispute row with a receipt for the
-- insurer's export (`myna-server export disputes`).
ALTER TABLE insurer_records ADD COLUMN symbol_last TEXT;
ALTER TABLE insurer_records ADD COLUMN number_last TEXT;
ALTER TABLE insurer_records ADD COLUMN as_of_ms BIGINT;
ALTER TABLE insurer_records ADD COLUMN frozen_ms BIGINT;
CREATE TABLE link_disputes (
    receipt_number TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    insurer_name TEXT,
    symbol_last TEXT,
    number_last TEXT,
    as_of_ms BIGINT,
    reported_ms BIGINT NOT NULL,
    signed_write_id TEXT NOT NULL
);
CREATE INDEX link_disputes_person ON link_disputes (person_id);
CREATE INDEX link_disputes_reported ON link_disputes (reported_ms);
