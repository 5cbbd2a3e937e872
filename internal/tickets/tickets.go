// Package tickets creates tickets in the trackers teams already use (Jira,
// Redmine, Bugzilla, Mantis, GitHub) and reads their status back, so a
// corrective action can be tracked where the work happens and close here
// when the ticket closes there. It knows HTTP and the vendors' JSON; it
// knows nothing of the database (internal/app drives it).
package tickets

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"
)

// System names, as stored with a linked ticket.
const (
	Jira     = "jira"
	Redmine  = "redmine"
	Bugzilla = "bugzilla"
	Mantis   = "mantis"
	GitHub   = "github"
)

// Systems lists every system this package has a client for.
var Systems = []string{Jira, Redmine, Bugzilla, Mantis, GitHub}

// Known reports whether name is a system of Systems.
func Known(name string) bool { return slices.Contains(Systems, name) }

// Ticket is what to file: a title and a plain-text description (which
// already carries the link back to Hindsight), and labels where the
// tracker has them.
type Ticket struct {
	Title       string
	Description string
	Labels      []string
}

// Ref is a ticket a tracker created or knows: its key as the tracker
// writes it ("OPS-12", "4711", "octo/repo#7"), the page a person opens,
// and its status at creation.
type Ref struct {
	Key    string
	URL    string
	Status string
}

// Remote is a ticket's state as its tracker reports it.
type Remote struct {
	// Status is the tracker's own name of the status ("In Review",
	// "RESOLVED FIXED", "closed").
	Status string
	// URL is the ticket's page.
	URL string
	// Closed reports whether the tracker considers the ticket finished.
	Closed bool
	// WontDo reports a closed ticket closed without doing the work
	// (won't fix, duplicate, invalid, not planned).
	WontDo bool
	// ClosedAt is when it was closed, when the tracker says (UTC).
	ClosedAt *time.Time
}

// Client is one tracker.
type Client interface {
	// System is the client's name (Jira, Redmine, …).
	System() string
	// CanCreate reports whether the client knows where new tickets go
	// (a project, repository or product); without it, it can only read
	// tickets linked by key.
	CanCreate() bool
	// Create files t and returns its reference.
	Create(ctx context.Context, t Ticket) (Ref, error)
	// Status reads the ticket with that key.
	Status(ctx context.Context, key string) (Remote, error)
	// URL is the page of the ticket with that key (for a linked ticket
	// before its first read).
	URL(key string) string
}

// ErrNotConfigured is returned for a system that has no client.
var ErrNotConfigured = errors.New("tickets: system not configured")

// ErrCannotCreate is returned by Create of a client with no target.
var ErrCannotCreate = errors.New("tickets: no target to create tickets in")

// Registry holds the configured clients by system name.
type Registry struct {
	clients map[string]Client
}

// NewRegistry returns a registry of the given clients (nil ones are skipped).
func NewRegistry(cs ...Client) *Registry {
	r := &Registry{clients: map[string]Client{}}
	for _, c := range cs {
		if c != nil {
			r.clients[c.System()] = c
		}
	}
	return r
}

// Get returns the client of system.
func (r *Registry) Get(system string) (Client, bool) {
	if r == nil {
		return nil, false
	}
	c, ok := r.clients[strings.ToLower(strings.TrimSpace(system))]
	return c, ok
}

// Names lists the configured systems, sorted.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	out := make([]string, 0, len(r.clients))
	for n := range r.clients {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// wontDo reports whether a resolution names work not done.
func wontDo(resolution string) bool {
	switch strings.ToLower(strings.TrimSpace(resolution)) {
	case "won't do", "won't fix", "wont do", "wont fix", "wontfix", "won't have", "duplicate", "invalid",
		"declined", "rejected", "cannot reproduce", "unable to reproduce", "not fixable", "no change required",
		"worksforme", "works for me", "incomplete", "obsolete", "not planned", "suspended":
		return true
	}
	return false
}
