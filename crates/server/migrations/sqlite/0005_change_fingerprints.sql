-- A replay is acknowledged only when it is the very change applied before. Each applied
-- change keeps the SHA-256 of its JSON, not the JSON itself: no second copy of personal data.
-- Rows from before this migration have none; their device alone is compared.
ALTER TABLE applied_changes ADD COLUMN fingerprint BLOB;
