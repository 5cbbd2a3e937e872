package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_Changes(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if got, err := s.Changes(ctx, 0, 10); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("empty outbox: %#v, %v", got, err)
		}
		// concurrent writers, each appending in its own transaction
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					err := s.InTx(ctx, func(tx *store.Store) error {
						return tx.AppendChanges(ctx,
							incident.Change{ObjectType: incident.ObjectIncident, ObjectID: int64(w), IncidentID: int64(w), Op: incident.OpUpsert},
							incident.Change{ObjectType: incident.ObjectTimelineEvent, ObjectID: int64(i), IncidentID: int64(w), Op: incident.OpDelete})
					})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		var seqs []int64
		after := int64(0)
		for {
			page, err := s.Changes(ctx, after, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				seqs = append(seqs, c.Seq)
				if c.CreatedAt.IsZero() || c.Op == "" || c.ObjectType == "" {
					t.Errorf("change %+v", c)
				}
			}
			after = page[len(page)-1].Seq
		}
		if len(seqs) != 80 {
			t.Fatalf("%d changes, want 80", len(seqs))
		}
		for i := 1; i < len(seqs); i++ {
			if seqs[i] <= seqs[i-1] {
				t.Fatalf("seq %d after %d", seqs[i], seqs[i-1])
			}
		}
	})
}

func TestStore_Audit(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var want []incident.AuditEntry
		for i := 0; i < 3; i++ {
			e := incident.AuditEntry{Actor: "alice", Action: "incident.update", ObjectType: "incident", ObjectID: int64(i),
				Detail: fmt.Sprint(i), RemoteAddr: "10.0.0.1", RequestID: "r", CreatedAt: at.Add(time.Duration(i) * time.Second)}
			if i == 1 {
				e.IncidentID = ptr(int64(42)) // audit outlives objects: no foreign key
			}
			if err := s.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
			want = append([]incident.AuditEntry{e}, want...)
		}
		got, err := s.AuditEntries(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[:2], got, cmpIgnoreID); diff != "" {
			t.Errorf("newest two (-want +got):\n%s", diff)
		}
	})
}

func TestStore_ImportBatches(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("import"))
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		b := incident.ImportBatch{IncidentID: inc.ID, Source: "slack", FileName: "export.zip", SHA256: "abc", WindowFrom: &from, CreatedBy: "alice"}
		if err := s.CreateImportBatch(ctx, &b); err != nil {
			t.Fatal(err)
		}
		evs := []incident.TimelineEvent{event("slack", "1", from), event("slack", "2", from)}
		for i := range evs {
			evs[i].ImportBatchID = &b.ID
		}
		added, _, err := s.InsertTimelineEvents(ctx, inc.ID, evs)
		if err != nil {
			t.Fatal(err)
		}
		manual, _, err := s.InsertTimelineEvents(ctx, inc.ID, []incident.TimelineEvent{event("manual", "", from)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetImportBatchCounts(ctx, b.ID, 2, 1, 3); err != nil {
			t.Fatal(err)
		}
		got, err := s.ImportBatch(ctx, b.ID)
		b.Added, b.Duplicates, b.Rejected = 2, 1, 3
		if err != nil || !cmp.Equal(b, got) {
			t.Errorf("batch %s, %v", cmp.Diff(b, got), err)
		}
		ids, err := s.UndoImportBatch(ctx, b.ID)
		if err != nil || !cmp.Equal(ids, []int64{added[0].ID, added[1].ID}) {
			t.Fatalf("undo: %v, %v", ids, err)
		}
		if _, err := s.UndoImportBatch(ctx, b.ID); err == nil {
			t.Error("undone twice")
		}
		if _, err := s.TimelineEvent(ctx, manual[0].ID); err != nil {
			t.Errorf("undo removed a manual event: %v", err)
		}
		list, err := s.ImportBatches(ctx, inc.ID)
		if err != nil || len(list) != 1 || list[0].UndoneAt == nil {
			t.Errorf("batches %+v, %v", list, err)
		}
		if _, err := s.ImportBatch(ctx, 999); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("missing batch: %v", err)
		}
	})
}

// TestStore_ChangesNotify checks the PostgreSQL trigger that wakes indexers.
func TestStore_ChangesNotify(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := pgtest.URL(t)
	s, err := store.Open(ctx, store.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN hindsight_changes"); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendChanges(ctx, incident.Change{ObjectType: incident.ObjectIncident, ObjectID: 1, IncidentID: 1, Op: incident.OpUpsert}); err != nil {
		t.Fatal(err)
	}
	n, err := conn.WaitForNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chs, err := s.Changes(ctx, 0, 0)
	if err != nil || len(chs) != 1 || n.Payload != fmt.Sprint(chs[0].Seq) {
		t.Errorf("notification %q for changes %+v (%v)", n.Payload, chs, err)
	}
}
