-- Failed sign-in and refresh attempts per account (scope 'account', key the normalised email)
-- and per client address (scope 'address'), so a lock outlives a restart. Times are Unix
-- seconds: the throttle only compares and subtracts them.
CREATE TABLE throttle (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_attempt_s REAL NOT NULL,
    locked_until_s REAL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX throttle_last_attempt ON throttle (last_attempt_s);
