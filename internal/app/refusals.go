package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// RefusalAuditEvery is how often, at most, a refusal of an unauthenticated
// request (bad credentials, a cross-site write, a rate limit) from one
// client address goes into the audit log. Anyone can send such requests at
// line rate: without a bound they would grow the audit table and drown the
// entries that matter. The next entry written for the address counts the
// refusals left out.
const RefusalAuditEvery = time.Minute

// refusalBudget remembers, per client address (an IPv6 /64), when a
// refusal was last written and how many were left out since. In memory,
// per process.
type refusalBudget struct {
	mu       sync.Mutex
	addrs    map[string]*refusalState
	lastTrim time.Time
}

type refusalState struct {
	written time.Time
	skipped int
}

// take says whether a refusal from key at now is to be written, and how
// many were left out before it. A clock that went back opens the budget.
func (b *refusalBudget) take(key string, now time.Time) (bool, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.addrs == nil {
		b.addrs = map[string]*refusalState{}
	}
	if now.Sub(b.lastTrim) > RefusalAuditEvery {
		// Forget quiet addresses, so a spray of addresses cannot grow the
		// map without bound (their left-out counts are lost: they were
		// refused anyway).
		b.lastTrim = now
		for k, st := range b.addrs {
			if now.Sub(st.written) > 10*RefusalAuditEvery {
				delete(b.addrs, k)
			}
		}
	}
	st, ok := b.addrs[key]
	if !ok {
		b.addrs[key] = &refusalState{written: now}
		return true, 0
	}
	if d := now.Sub(st.written); d >= 0 && d < RefusalAuditEvery {
		st.skipped++
		return false, 0
	}
	skipped := st.skipped
	st.written, st.skipped = now, 0
	return true, skipped
}

// AuditRefused records the refusal of an unauthenticated request (unknown,
// malformed or ended credentials, a cross-site write, a rate limit), at
// most once per client address every RefusalAuditEvery; the entry carries
// the request id from the context's actor.
func (a *App) AuditRefused(ctx context.Context, detail string) {
	a.auditRefused(ctx, "", 0, detail)
}

func (a *App) auditRefused(ctx context.Context, objectType string, objectID int64, detail string) {
	write, skipped := a.refusals.take(auth.AddressKey(incident.ActorFrom(ctx).RemoteAddr), a.Now())
	if !write {
		return
	}
	if skipped > 0 {
		detail += fmt.Sprintf(" (and %d more refusals from this address since the last entry, not recorded)", skipped)
	}
	a.auditFailure(ctx, incident.AuditDenied, objectType, objectID, detail)
}
