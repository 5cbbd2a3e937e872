-- Services, teams and tags as rows, lower-cased, so list filters use an index
-- instead of reading every incident's JSON arrays. The JSON columns stay the
-- source of what users typed (case and order); these rows are kept in step by
-- the store in the same transaction.

-- +goose Up
CREATE TABLE incident_labels (
    incident_id BIGINT NOT NULL,
    kind        TEXT   NOT NULL,
    value       TEXT   NOT NULL,
    CONSTRAINT incident_labels_pkey PRIMARY KEY (kind, value, incident_id),
    CONSTRAINT incident_labels_incident_id_fkey FOREIGN KEY (incident_id) REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT incident_labels_kind_check CHECK (kind IN ('service', 'team', 'tag'))
);
CREATE INDEX incident_labels_incident_id_idx ON incident_labels (incident_id);

INSERT INTO incident_labels (incident_id, kind, value)
SELECT i.id, k.kind, lower(v.value)
FROM incidents i
CROSS JOIN LATERAL (VALUES ('service', i.services), ('team', i.teams), ('tag', i.tags)) AS k(kind, arr)
CROSS JOIN LATERAL jsonb_array_elements_text(k.arr) AS v(value)
ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE incident_labels;
