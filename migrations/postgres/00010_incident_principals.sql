-- The users and groups a restricted incident is open to, one row each,
-- folded (trimmed, lower-cased), so every list and count can filter on
-- visibility with an index instead of reading each incident's JSON array.
-- The restricted_to column stays the source of what users typed; the store
-- keeps these rows in step with it in the same transaction.

-- +goose Up
CREATE TABLE incident_principals (
    incident_id BIGINT NOT NULL,
    principal   TEXT   NOT NULL,
    CONSTRAINT incident_principals_pkey PRIMARY KEY (principal, incident_id),
    CONSTRAINT incident_principals_incident_id_fkey FOREIGN KEY (incident_id) REFERENCES incidents (id) ON DELETE CASCADE
);
CREATE INDEX incident_principals_incident_id_idx ON incident_principals (incident_id);
-- Restricted incidents are few: the set a viewer may not see is read from
-- this small index, not from the whole table.
CREATE INDEX incidents_restricted_idx ON incidents (id) WHERE visibility = 'restricted';

INSERT INTO incident_principals (incident_id, principal)
SELECT i.id, lower(btrim(v.value))
FROM incidents i CROSS JOIN LATERAL jsonb_array_elements_text(i.restricted_to) AS v(value)
WHERE btrim(v.value) <> ''
ON CONFLICT DO NOTHING;

-- +goose Down
DROP INDEX incidents_restricted_idx;
DROP TABLE incident_principals;
