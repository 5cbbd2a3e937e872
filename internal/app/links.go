package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sort"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/report"
	"github.com/hindsightrca/hindsight/internal/store"
)

// Links lists what ref's incident was built from elsewhere: the tickets
// imported or pulled into its timeline and the post-mortem it was imported
// from; system narrows the list (jira, redmine, postmortem …).
func (a *App) Links(ctx context.Context, ref, system string) ([]incident.Link, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return nil, err
	}
	return a.store.Links(ctx, inc.ID, strings.ToLower(strings.TrimSpace(system)))
}

// errSeen stops the transaction of a post-mortem imported before.
var errSeen = errors.New("post-mortem imported before")

// ImportPostmortem imports one post-mortem of a library (a folder or zip
// of Markdown files) as a new incident with its RCA, tags and services,
// unless it was imported before: a post-mortem is recognised by the url it
// was published at, else by its file's SHA-256. created is false (and inc
// the earlier incident) for one seen before, so importing a library twice
// adds nothing.
func (a *App) ImportPostmortem(ctx context.Context, imp report.Imported, raw []byte) (inc incident.Incident, created bool, err error) {
	key := imp.Origin
	if key == "" {
		sum := sha256.Sum256(raw)
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	var seen int64
	inc, err = a.importDocument(ctx, imp,
		func(tx *store.Store) error {
			id, ok, err := tx.LinkedIncident(ctx, incident.LinkPostmortem, key)
			if err != nil {
				return err
			}
			if ok {
				seen = id
				return errSeen
			}
			return nil
		},
		func(tx *store.Store, inc incident.Incident) error {
			l := incident.Link{System: incident.LinkPostmortem, Key: key, Title: inc.Title}
			if strings.HasPrefix(imp.Origin, "http://") || strings.HasPrefix(imp.Origin, "https://") {
				l.URL = imp.Origin
			}
			return tx.AddLinks(ctx, inc.ID, []incident.Link{l}, a.Now(), false)
		})
	if errors.Is(err, errSeen) {
		earlier, err := a.store.Incident(ctx, seen)
		if err != nil {
			return incident.Incident{}, false, err
		}
		if !viewerFrom(ctx).CanSee(earlier) {
			// Imported before into an incident the caller may not see:
			// refused without naming it.
			return incident.Incident{}, false, incident.Invalid("document", "was imported before")
		}
		return earlier, false, nil
	}
	if err != nil {
		return incident.Incident{}, false, err
	}
	return inc, true, nil
}

// linkCollector gathers the tickets an import's events belong to.
type linkCollector map[string]incident.Link

// add notes the ticket of e, if it names one.
func (c linkCollector) add(e incident.TimelineEvent) {
	system, _ := e.Metadata[importers.MetaTicketSystem].(string)
	key, _ := e.Metadata[importers.MetaTicketKey].(string)
	if system = strings.ToLower(strings.TrimSpace(system)); system == "" || strings.TrimSpace(key) == "" {
		return
	}
	k := system + "\x00" + key
	l := c[k]
	l.System, l.Key = system, strings.TrimSpace(key)
	if u, _ := e.Metadata[importers.MetaTicketURL].(string); u != "" {
		l.URL = u
	}
	if t, _ := e.Metadata[importers.MetaTicketTitle].(string); t != "" {
		l.Title = t
	}
	c[k] = l
}

// list returns the links in a stable order (system, then key), so what is
// stored and shown does not depend on map order.
func (c linkCollector) list() []incident.Link {
	out := make([]incident.Link, 0, len(c))
	for _, l := range c {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].System != out[j].System {
			return out[i].System < out[j].System
		}
		return out[i].Key < out[j].Key
	})
	return out
}
