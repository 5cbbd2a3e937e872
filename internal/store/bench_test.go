package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// BenchmarkInsertTimelineEvents measures an import: batches of 5,000 events
// (a third without an external id) into one incident, in one transaction.
func BenchmarkInsertTimelineEvents(b *testing.B) {
	const batch = 5000
	for _, d := range []string{store.DialectSQLite, store.DialectPostgres} {
		b.Run(d, func(b *testing.B) {
			s := openDB(b, d, nil)
			ctx := context.Background()
			inc := newIncident("bench")
			if err := s.CreateIncident(ctx, &inc); err != nil {
				b.Fatal(err)
			}
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			evs := make([]incident.TimelineEvent, batch)
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				for i := range evs {
					ext := fmt.Sprintf("%d-%d", n, i)
					if i%3 == 0 {
						ext = ""
					}
					evs[i] = event("slack", ext, at.Add(time.Duration(n*batch+i)*time.Millisecond))
					evs[i].Body = "A chat message of a typical length, mentioning a deploy of api-gateway v1.2.3 and a 502."
				}
				b.StartTimer()
				err := s.InTx(ctx, func(tx *store.Store) error {
					added, _, err := tx.InsertTimelineEvents(ctx, inc.ID, evs)
					if err == nil && len(added) != batch {
						err = fmt.Errorf("added %d of %d", len(added), batch)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
