package search

import (
	"context"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Source is the database as the index sees it: the change feed and the
// documents. The app implements it over the store.
type Source interface {
	// LastSeq is the newest change's sequence number (0 for none).
	LastSeq(ctx context.Context) (int64, error)
	// Changes returns up to limit changes after seq, in sequence order.
	Changes(ctx context.Context, after int64, limit int) ([]incident.Change, error)
	// IDs returns up to limit incident ids above after, ascending.
	IDs(ctx context.Context, after int64, limit int) ([]int64, error)
	// Docs loads the documents of ids; an id missing from the answer was
	// deleted. Hidden timeline events are left out.
	Docs(ctx context.Context, ids []int64) (map[int64]Doc, error)
}

// Notifier is a Source that can say when new changes were committed (on
// PostgreSQL, LISTEN hindsight_changes). The channel receives a value soon
// after each commit that added changes; it is closed when ctx ends. An
// indexer whose source is not a Notifier polls.
type Notifier interface {
	Notify(ctx context.Context) (<-chan struct{}, error)
}
