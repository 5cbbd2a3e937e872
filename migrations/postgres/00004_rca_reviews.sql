-- The review workflow of RCAs: review rounds with named reviewers and their
-- decisions, comments on sections, the latest publication and amendment of
-- each RCA, and why each revision was saved.

-- +goose Up
ALTER TABLE rcas ADD COLUMN review_round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rcas ADD COLUMN published_at TIMESTAMPTZ;
ALTER TABLE rcas ADD COLUMN published_by TEXT NOT NULL DEFAULT '';
ALTER TABLE rcas ADD COLUMN amend_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE rca_revisions ADD COLUMN reason TEXT NOT NULL DEFAULT '';

CREATE TABLE rca_reviews (
    id           BIGSERIAL   NOT NULL,
    rca_id       BIGINT      NOT NULL,
    round        INTEGER     NOT NULL,
    reviewer     TEXT        NOT NULL,
    state        TEXT        NOT NULL DEFAULT 'requested',
    note         TEXT        NOT NULL DEFAULT '',
    requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at   TIMESTAMPTZ,
    CONSTRAINT rca_reviews_pkey PRIMARY KEY (id),
    CONSTRAINT rca_reviews_reviewer_key UNIQUE (rca_id, round, reviewer),
    CONSTRAINT rca_reviews_rca_id_fkey FOREIGN KEY (rca_id)
        REFERENCES rcas (id) ON DELETE CASCADE,
    CONSTRAINT rca_reviews_state_check CHECK (state IN ('requested', 'approved', 'changes_requested'))
);

CREATE TABLE rca_comments (
    id          BIGSERIAL   NOT NULL,
    rca_id      BIGINT      NOT NULL,
    section_key TEXT        NOT NULL,
    author      TEXT        NOT NULL DEFAULT '',
    body        TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at TIMESTAMPTZ,
    resolved_by TEXT        NOT NULL DEFAULT '',
    CONSTRAINT rca_comments_pkey PRIMARY KEY (id),
    CONSTRAINT rca_comments_rca_id_fkey FOREIGN KEY (rca_id)
        REFERENCES rcas (id) ON DELETE CASCADE
);
CREATE INDEX rca_comments_rca_id_idx ON rca_comments (rca_id, id);

-- +goose Down
DROP TABLE rca_comments;
DROP TABLE rca_reviews;
ALTER TABLE rca_revisions DROP COLUMN reason;
ALTER TABLE rcas DROP COLUMN amend_reason;
ALTER TABLE rcas DROP COLUMN published_by;
ALTER TABLE rcas DROP COLUMN published_at;
ALTER TABLE rcas DROP COLUMN review_round;
