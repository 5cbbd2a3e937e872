package app_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
)

// replica is one server process as far as search goes: a store, an app and
// its own index, with the indexer running.
type replica struct {
	app *app.App
	ix  *search.Index
	dir string
}

// startReplica opens a store on cfg and an index in dir, and runs the
// indexer until the test ends.
func startReplica(t *testing.T, cfg store.Config, dir string) *replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(dir, search.Options{PollInterval: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(s, app.Options{Search: ix})
	done := make(chan struct{})
	go func() { defer close(done); ix.Run(ctx, a.SearchSource()) }()
	t.Cleanup(func() {
		cancel()
		<-done
		ix.Close()
		s.Close()
	})
	return &replica{app: a, ix: ix, dir: dir}
}

// findWithin polls r's search for q until it finds key, and returns how
// long that took (the test fails after 15 s).
func findWithin(t *testing.T, r *replica, q, key string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		res, err := r.app.Search(context.Background(), search.Request{Q: q})
		if err == nil {
			for _, h := range res.Items {
				if h.Key == key {
					return time.Since(start)
				}
			}
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("%s not found by %q after 15s (last error %v)", key, q, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSearch_TwoReplicasOnOnePostgres writes through one replica and finds
// the write through the other, which learns of it by LISTEN/NOTIFY (its
// poll interval is 2 s, so a find well under that came by notification).
func TestSearch_TwoReplicasOnOnePostgres(t *testing.T) {
	cfg := store.Config{DatabaseURL: pgtest.URL(t)}
	a := startReplica(t, cfg, t.TempDir())
	b := startReplica(t, cfg, t.TempDir())
	ctx := context.Background()

	inc, err := a.app.CreateIncident(ctx, incident.Incident{Title: "Kafka brokers lose their ZooKeeper session",
		Summary: "GC pauses longer than the session timeout.", Services: []string{"kafka"}})
	if err != nil {
		t.Fatal(err)
	}
	tookA := findWithin(t, a, "zookeeper", inc.Key)
	tookB := findWithin(t, b, "zookeeper", inc.Key)
	t.Logf("searchable after %v on the writer, %v on the other replica", tookA, tookB)

	// A timeline event added through b is found through a, pointing at it.
	evs, err := b.app.AppendTimeline(ctx, inc.Key, []incident.TimelineEvent{{OccurredAt: time.Now().UTC(),
		Source: "slack", Kind: incident.KindChat, Actor: "ana", Body: "broker-7.kafka.internal dropped out with SessionExpiredException"}})
	if err != nil {
		t.Fatal(err)
	}
	findWithin(t, a, "SessionExpiredException", inc.Key)
	res, err := a.app.Search(ctx, search.Request{Q: "sessionexpiredexception"})
	if err != nil || len(res.Items) != 1 || len(res.Items[0].Events) != 1 || res.Items[0].Events[0].ID != evs.Added[0].ID {
		t.Fatalf("timeline match %+v %v, want event %d", res.Items, err, evs.Added[0].ID)
	}

	// Deleted through a, gone from b.
	if err := a.app.DeleteIncident(ctx, inc.Key); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := b.app.Search(ctx, search.Request{Q: "zookeeper"})
		if err == nil && res.Total == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deleted incident still found on the other replica: %v %+v", err, res.Items)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSearch_DeletedIndexIsRebuiltOnStart deletes a replica's index while
// it is stopped; the next start builds it again from the database.
func TestSearch_DeletedIndexIsRebuiltOnStart(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			cfg := store.Config{SQLitePath: filepath.Join(t.TempDir(), "h.db")}
			if dialect == "postgres" {
				cfg = store.Config{DatabaseURL: pgtest.URL(t)}
			}
			dir := filepath.Join(t.TempDir(), "index")
			var key string
			t.Run("first", func(t *testing.T) {
				r := startReplica(t, cfg, dir)
				inc, err := r.app.CreateIncident(context.Background(), incident.Incident{Title: "Certificate expired on the payments gateway"})
				if err != nil {
					t.Fatal(err)
				}
				key = inc.Key
				findWithin(t, r, "certificate", key)
			})
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			r := startReplica(t, cfg, dir)
			findWithin(t, r, "certificate", key)
			if st := r.ix.Status(); !st.Ready || st.Documents != 1 {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// TestSearch_RestrictedIncidentsStayHidden checks the app's viewer filter
// on search, similar incidents and their counts.
func TestSearch_RestrictedIncidentsStayHidden(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			cfg := store.Config{SQLitePath: filepath.Join(t.TempDir(), "h.db")}
			if dialect == "postgres" {
				cfg = store.Config{DatabaseURL: pgtest.URL(t)}
			}
			r := startReplica(t, cfg, t.TempDir())
			ctx := context.Background()
			open, err := r.app.CreateIncident(ctx, incident.Incident{Title: "Redis failover storm", Services: []string{"redis"}})
			if err != nil {
				t.Fatal(err)
			}
			secret, err := r.app.CreateIncident(ctx, incident.Incident{Title: "Redis credentials leaked in a failover script",
				Services: []string{"redis"}, Visibility: incident.VisibilityRestricted, RestrictedTo: []string{"security"}})
			if err != nil {
				t.Fatal(err)
			}
			findWithin(t, r, "leaked", secret.Key)
			findWithin(t, r, "storm", open.Key)

			viewer := app.WithViewer(ctx, search.Viewer{Principals: []string{"bob"}})
			res, err := r.app.Search(viewer, search.Request{Q: "redis failover"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 1 || res.Items[0].Key != open.Key || res.Facets[search.FacetService][0].Count != 1 {
				t.Fatalf("viewer sees %d %+v facets %v", res.Total, res.Items, res.Facets)
			}
			sims, err := r.app.Similar(viewer, open.Key, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sims {
				if s.Key == secret.Key {
					t.Fatal("similar shows a restricted incident")
				}
			}
			if _, err := r.app.Similar(viewer, secret.Key, 5); err == nil || !strings.Contains(err.Error(), "not found") {
				t.Fatalf("similar of a restricted incident: %v, want not found", err)
			}
			insider := app.WithViewer(ctx, search.Viewer{Principals: []string{"security"}})
			res, err = r.app.Search(insider, search.Request{Q: "redis failover"})
			if err != nil || res.Total != 2 {
				t.Fatalf("insider sees %d: %v", res.Total, err)
			}
		})
	}
}

// TestSearch_SimilarTextOfAKey reads a pasted incident key as that incident.
func TestSearch_SimilarTextOfAKey(t *testing.T) {
	r := startReplica(t, store.Config{SQLitePath: filepath.Join(t.TempDir(), "h.db")}, t.TempDir())
	ctx := context.Background()
	a, err := r.app.CreateIncident(ctx, incident.Incident{Title: "Etcd quorum lost after a disk stall", Services: []string{"etcd"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.app.CreateIncident(ctx, incident.Incident{Title: "Etcd quorum lost during an upgrade", Services: []string{"etcd"}})
	if err != nil {
		t.Fatal(err)
	}
	findWithin(t, r, "upgrade", b.Key)
	sims, err := r.app.SimilarText(ctx, " "+a.Key+" ", 5)
	if err != nil || len(sims) == 0 || sims[0].Key != b.Key {
		t.Fatalf("similar to %s: %+v %v", a.Key, sims, err)
	}
	for _, s := range sims {
		if s.Key == a.Key {
			t.Fatal("the incident itself is listed")
		}
	}
	if _, err := r.app.SimilarText(ctx, "INC-999", 5); err != nil {
		t.Fatalf("an unknown key is searched as text: %v", err)
	}
}

// TestSearch_CursorNeverNamesAHiddenIncident: while the index has not yet
// taken in a restriction, the database leaves the incident out of a page
// — and the page's cursor, which names its last hit (id and date), must
// not name it either: the list continues after the last item shown, a
// page with nothing to show is passed over, and every visible incident
// comes once.
func TestSearch_CursorNeverNamesAHiddenIncident(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			_, s := testApp(t, dialect, app.Options{})
			ix, err := search.Open(t.TempDir(), search.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			a := app.New(s, app.Options{Search: ix}) // no indexer runs: the index lags
			var keys []string
			ids := map[string]int64{}
			day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			for i := range 7 {
				at := day.AddDate(0, 0, i)
				inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Disk full on a database host", StartedAt: &at})
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, inc.Key)
				ids[inc.Key] = inc.ID
			}
			if err := ix.Rebuild(ctx, a.SearchSource()); err != nil {
				t.Fatal(err)
			}
			// Pages of two, oldest first: [0 1] [2 3] [4 5] [6]. Hidden: the
			// end of the first page, all of the second, the end of the third,
			// the last.
			hidden := map[string]bool{keys[1]: true, keys[2]: true, keys[3]: true, keys[5]: true, keys[6]: true}
			for k := range hidden {
				p := incident.IncidentPatch{Visibility: incident.Some(incident.VisibilityRestricted),
					RestrictedTo: incident.Some([]string{"security"})}
				if _, err := a.UpdateIncident(ctx, k, p); err != nil {
					t.Fatal(err)
				}
			}
			viewer := app.WithViewer(ctx, search.Viewer{Principals: []string{"bob"}})
			var got []string
			req := search.Request{Q: "disk", Sort: search.SortOldest, Limit: 2}
			for page := 0; ; page++ {
				if page > 10 {
					t.Fatal("the list does not end")
				}
				res, err := a.Search(viewer, req)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Items {
					got = append(got, h.Key)
				}
				if res.NextCursor == "" {
					break
				}
				b, err := base64.RawURLEncoding.DecodeString(res.NextCursor)
				if err != nil {
					t.Fatal(err)
				}
				var c struct {
					ID int64 `json:"i"`
				}
				if err := json.Unmarshal(b, &c); err != nil {
					t.Fatal(err)
				}
				for k := range hidden {
					if ids[k] == c.ID {
						t.Fatalf("page %d's cursor names %s, which the viewer may not see", page, k)
					}
				}
				req.Cursor = res.NextCursor
			}
			if want := []string{keys[0], keys[4]}; !slices.Equal(got, want) {
				t.Fatalf("pages showed %v, want %v", got, want)
			}
		})
	}
}
