-- A signed MyNa Point application covers one bulk application (F6), within the signature's
-- time (issue 14; docs/contract.md "Signed writes"): covered_ms marks it used.
ALTER TABLE signed_writes ADD COLUMN covered_ms BIGINT;
