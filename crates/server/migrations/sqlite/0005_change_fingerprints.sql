-- A replay is acknowledged only when it is the very change applied before. Each applied
-- change keeps the SHA-256 of its JSON, not the JSON itself: no second copy of personal data.
-- Rows from before this migration have none; their device alone is compared.
ALTER TABLE applied_changes ADD COLUMN fingerprint BLOB;

-- A visit's resident is the one its newest version names (the state), not the one the last
-- change to arrive named: repair rows an older version arriving late may have moved.
UPDATE records
SET resident_id = json_extract(state, '$.body.data.resident_id')
WHERE kind = 'visit'
  AND resident_id IS NOT json_extract(state, '$.body.data.resident_id');
