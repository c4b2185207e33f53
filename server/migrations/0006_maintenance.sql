-- Maintenance windows (issue 14; docs/maintenance.md): what operators stop, from when, and until
-- when they expect it back (NULL: until they end it). Every instance reads this table, so a
-- window set by `myna-server maintenance start` takes effect on all of them at once.
CREATE TABLE maintenance_windows (
    scope TEXT NOT NULL,
    starts_ms BIGINT NOT NULL,
    ends_ms BIGINT,
    PRIMARY KEY (scope, starts_ms)
);
CREATE INDEX maintenance_windows_ends ON maintenance_windows (ends_ms);
