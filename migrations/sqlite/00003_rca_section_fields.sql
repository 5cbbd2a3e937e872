-- Sections carry what their template says of them: help text for the writer,
-- whether publishing needs them filled, and which structured records
-- (key events, root causes, corrective actions) they show after their text.

-- +goose Up
ALTER TABLE rca_sections ADD COLUMN help TEXT NOT NULL DEFAULT '';
ALTER TABLE rca_sections ADD COLUMN required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rca_sections ADD COLUMN block TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE rca_sections DROP COLUMN block;
ALTER TABLE rca_sections DROP COLUMN required;
ALTER TABLE rca_sections DROP COLUMN help;
