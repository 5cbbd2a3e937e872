package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// TryLease takes the lease of the scheduled job name for holder until ttl
// from now, and reports whether holder has it. The lease is taken when no
// one holds it, when it has expired, or when holder already holds it (which
// extends it); otherwise nothing changes and the result is false.
//
// It is one INSERT ... ON CONFLICT DO UPDATE ... WHERE statement, atomic on
// both databases: of two replicas racing for a free lease exactly one
// inserts or updates the row, and the other's conflicting update finds the
// row held by someone else and touches nothing. On PostgreSQL expiry is
// judged by the database's clock, so replicas whose clocks disagree still
// agree on who holds a lease (unless the store was given a test clock);
// SQLite serves one machine, whose clock is the store's.
func (s *Store) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	name, holder = strings.TrimSpace(name), strings.TrimSpace(holder)
	if name == "" || holder == "" {
		return false, errors.New("store: a lease needs a job name and a holder")
	}
	if ttl <= 0 {
		return false, errors.New("store: a lease needs a positive time to live")
	}
	const upsert = `INSERT INTO job_leases (name, holder, expires_at, updated_at) VALUES (?, ?, %s, %s)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, updated_at = excluded.updated_at
		WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= %s`
	var res *gorm.DB
	if s.dialect == DialectPostgres && !s.clockSet {
		res = s.conn(ctx).Exec(fmt.Sprintf(upsert, "now() + ? * interval '1 microsecond'", "now()", "now()"),
			name, holder, ttl.Microseconds())
	} else {
		now := s.nowUTC()
		res = s.conn(ctx).Exec(fmt.Sprintf(upsert, "?", "?", "?"), name, holder, toDB(now.Add(ttl)), toDB(now), toDB(now))
	}
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

// ReleaseLease gives up holder's lease of the job name, so another replica
// may take it at once. Releasing a lease held by someone else, or by no
// one, does nothing.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.conn(ctx).Exec(`DELETE FROM job_leases WHERE name = ? AND holder = ?`, name, holder).Error
}

// Lease is who holds a scheduled job's lease and until when.
type Lease struct {
	Name      string
	Holder    string
	ExpiresAt time.Time
	UpdatedAt time.Time
}

// Leases lists the leases of scheduled jobs by name, expired ones included.
func (s *Store) Leases(ctx context.Context) ([]Lease, error) {
	var rows []struct {
		Name      string
		Holder    string
		ExpiresAt dbTime
		UpdatedAt dbTime
	}
	if err := s.conn(ctx).Raw(`SELECT name, holder, expires_at, updated_at FROM job_leases ORDER BY name`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Lease, 0, len(rows))
	for _, r := range rows {
		out = append(out, Lease{Name: r.Name, Holder: r.Holder, ExpiresAt: time.Time(r.ExpiresAt), UpdatedAt: time.Time(r.UpdatedAt)})
	}
	return out, nil
}
