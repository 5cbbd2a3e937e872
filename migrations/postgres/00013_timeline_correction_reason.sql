-- Why an event was corrected (its time, text, actor or kind), next to who
-- and when. NULL for events never corrected, or corrected without a reason
-- (every correction before this migration).

-- +goose Up
ALTER TABLE timeline_events ADD COLUMN correction_reason TEXT;

-- +goose Down
ALTER TABLE timeline_events DROP COLUMN correction_reason;
