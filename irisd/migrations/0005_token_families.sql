-- A refresh family: the refresh tokens descended from one login by rotation, and the access
-- tokens issued with them (their jti is "<family>.<nonce>"). A family is over once any of its
-- refresh rows is revoked (logout, reuse detected): its access tokens are refused from then
-- on, not only when they expire. NULL for rows written before this migration.
ALTER TABLE refresh_tokens ADD COLUMN family TEXT;
CREATE INDEX refresh_tokens_family ON refresh_tokens(family);
