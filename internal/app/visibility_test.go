package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/generic"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
)

// restrictedFixture is a database holding a restricted incident with
// something under every route (timeline, import batch, link, RCA with two
// revisions and a comment, root cause, action, recurrence warnings, a
// routed alert) next to an internal incident with the same.
type restrictedFixture struct {
	a *app.App
	s *store.Store
	// secret is restricted to alice@example.com and the group Security.
	secret, open    incident.Incident
	event, batch    int64
	rootCause       int64
	action          int64
	openAction      int64
	comment         int64
	recurrence      int64
	rcaVersion      int
	routedAlert     int64
	inboxAlert      int64
	openRoutedAlert int64
}

// The viewers of the tests: outsiders see internal incidents only; members
// are named by restricted_to, by user or by group, in any case.
var (
	outsider      = incident.Viewer{Principals: []string{"bob@example.com", "bob", "ops"}}
	anonymous     = incident.Viewer{}
	memberByUser  = incident.Viewer{Principals: []string{"ALICE@Example.com"}}
	memberByGroup = incident.Viewer{Principals: []string{"carol@example.com", " security "}}
)

func newRestrictedFixture(t *testing.T, dialect string) *restrictedFixture {
	t.Helper()
	ix, err := search.Open(t.TempDir(), search.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	a, s := testApp(t, dialect, app.Options{Search: ix, Hooks: importers.NewHookRegistry(generic.NewHook())})
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ix.Run(runCtx, a.SearchSource()) }()
	t.Cleanup(func() { cancel(); <-done; ix.Close() })

	ctx := as("admin") // no viewer: sees everything, like the command line
	f := &restrictedFixture{a: a, s: s}
	mk := func(title string, restricted bool) incident.Incident {
		in := incident.Incident{Title: title, Services: []string{"payments"}, Tags: []string{"db"},
			StartedAt: ptr(t0), ResolvedAt: ptr(t0.Add(2 * time.Hour))}
		if restricted {
			in.Visibility, in.RestrictedTo = incident.VisibilityRestricted, []string{"alice@example.com", "Security"}
		}
		return try(a.CreateIncident(ctx, in)).must(t)
	}
	f.open = mk("Payments database failover", false)
	f.secret = mk("Payments database credentials leaked", true)
	for _, inc := range []incident.Incident{f.open, f.secret} {
		res := try(a.AppendTimeline(ctx, inc.Key, []incident.TimelineEvent{{OccurredAt: t0, Body: "paged", KeyEvent: true}})).must(t)
		rep := try(a.ImportTimeline(ctx, inc.Key, chatExport, fakeInput, app.ImportOptions{})).must(t)
		if err := s.InTx(ctx, func(tx *store.Store) error {
			return tx.AddLinks(ctx, inc.ID, []incident.Link{{System: "jira", Key: "OPS-" + fmt.Sprint(inc.ID)}}, t0, false)
		}); err != nil {
			t.Fatal(err)
		}
		r := try(a.CreateRCAFromTemplate(ctx, inc.Key, "essentials")).must(t)
		r.Sections[0].Body = "What happened."
		r = try(a.SaveRCA(ctx, inc.Key, r)).must(t)
		f.rcaVersion = r.Version
		c := try(a.AddRCAComment(ctx, inc.Key, incident.Comment{SectionKey: "timeline", Body: "add 10:04"})).must(t)
		rc := try(a.CreateRootCause(ctx, inc.Key, incident.RootCause{Category: incident.CategoryConfigChange, Description: "flag"})).must(t)
		act := try(a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "rotate " + inc.Key, Owner: "ana"})).must(t)
		if inc.ID == f.secret.ID {
			f.event, f.batch, f.comment, f.rootCause, f.action = res.Added[0].ID, rep.Batch.ID, c.ID, rc.ID, act.ID
		} else {
			f.openAction = act.ID
		}
	}
	// Warnings both ways between the two incidents: either side hides them.
	for _, pair := range [][2]int64{{f.secret.ID, f.open.ID}, {f.open.ID, f.secret.ID}} {
		id, _, err := s.AddRecurrence(ctx, incident.Recurrence{IncidentID: pair[0], PastIncidentID: pair[1], Relative: 0.9, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if pair[0] == f.secret.ID {
			f.recurrence = id
		}
	}
	// Three alerts: one routed to each incident, one left in the inbox.
	h := try(a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "alerts"})).must(t)
	for i, svc := range []string{"queue", "cache", "dns"} {
		body := alertBody(fmt.Sprint("d", i), "firing", svc, fmt.Sprint("A", i), "2026-11-20T11:00:00Z")
		try(a.DeliverHook(ctx, "generic", h.Token, delivery(body))).must(t)
	}
	inbox := try(a.Alerts(ctx, incident.AlertFilter{State: incident.AlertInbox})).must(t)
	if len(inbox.Items) != 3 {
		t.Fatalf("inbox holds %d alerts, want 3", len(inbox.Items))
	}
	f.routedAlert, f.openRoutedAlert, f.inboxAlert = inbox.Items[0].ID, inbox.Items[1].ID, inbox.Items[2].ID
	try(a.AttachAlerts(ctx, []int64{f.routedAlert}, f.secret.Key)).must(t)
	try(a.AttachAlerts(ctx, []int64{f.openRoutedAlert}, f.open.Key)).must(t)
	// Wait until the index holds everything written (similar needs it).
	last := try(s.LastChangeSeq(ctx)).must(t)
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if st := try(a.SearchStatus(ctx)).must(t); st.Ready && !st.Building && st.Seq >= last {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("index not caught up: %+v", try(a.SearchStatus(ctx)).must(t))
		}
	}
	return f
}

// routeCase is one use case a route calls, on the restricted incident or
// something in it.
type routeCase struct {
	name string
	// write says the call would change something when allowed.
	write bool
	call  func(ctx context.Context, f *restrictedFixture) error
}

func ignore[T any](_ T, err error) error { return err }

// routeCases are the use cases of every route that names an incident or
// something in one. A new read or write path belongs here: the test then
// proves outsiders cannot tell it from a missing incident.
func routeCases() []routeCase {
	return []routeCase{
		{"incident by key", false, func(ctx context.Context, f *restrictedFixture) error { return ignore(f.a.Incident(ctx, f.secret.Key)) }},
		{"incident by id", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.Incident(ctx, fmt.Sprint(f.secret.ID)))
		}},
		{"incident by lower-case key", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.Incident(ctx, "inc-"+fmt.Sprint(f.secret.ID)))
		}},
		{"update incident", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.UpdateIncident(ctx, f.secret.Key, incident.IncidentPatch{Title: incident.Some("pwned")}))
		}},
		{"make incident internal", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.UpdateIncident(ctx, f.secret.Key, incident.IncidentPatch{Visibility: incident.Some(incident.VisibilityInternal)}))
		}},
		{"delete incident", true, func(ctx context.Context, f *restrictedFixture) error { return f.a.DeleteIncident(ctx, f.secret.Key) }},
		{"timeline", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.Timeline(ctx, f.secret.Key, incident.TimelineFilter{}))
		}},
		{"append timeline", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.AppendTimeline(ctx, f.secret.Key, []incident.TimelineEvent{{OccurredAt: t0, Body: "x"}}))
		}},
		{"update event", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.UpdateTimelineEvent(ctx, f.secret.Key, f.event, incident.TimelineEventPatch{Body: incident.Some("x")}))
		}},
		{"update event through another incident", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.UpdateTimelineEvent(ctx, f.open.Key, f.event, incident.TimelineEventPatch{Body: incident.Some("x")}))
		}},
		{"delete event", true, func(ctx context.Context, f *restrictedFixture) error {
			return f.a.DeleteTimelineEvent(ctx, f.secret.Key, f.event)
		}},
		{"delete event through another incident", true, func(ctx context.Context, f *restrictedFixture) error {
			return f.a.DeleteTimelineEvent(ctx, f.open.Key, f.event)
		}},
		{"import", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.ImportTimeline(ctx, f.secret.Key, chatExport, fakeInput, app.ImportOptions{}))
		}},
		{"pull", true, func(ctx context.Context, f *restrictedFixture) error {
			pull := func(context.Context, *time.Time, *time.Time, importers.Sink) error { return nil }
			return ignore(f.a.PullRecords(ctx, f.secret.Key, "pagerduty", nil, pull, app.ImportOptions{}))
		}},
		{"import batches", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.ImportBatches(ctx, f.secret.Key))
		}},
		{"undo import", true, func(ctx context.Context, f *restrictedFixture) error { return ignore(f.a.UndoImport(ctx, f.batch)) }},
		{"links", false, func(ctx context.Context, f *restrictedFixture) error { return ignore(f.a.Links(ctx, f.secret.Key, "")) }},
		{"rca", false, func(ctx context.Context, f *restrictedFixture) error { return ignore(f.a.RCA(ctx, f.secret.Key)) }},
		{"save rca", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.SaveRCA(ctx, f.secret.Key, incident.RCA{Sections: []incident.Section{{Title: "x"}}}))
		}},
		{"rca from template", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.CreateRCAFromTemplate(ctx, f.secret.Key, "sre"))
		}},
		{"lint rca", false, func(ctx context.Context, f *restrictedFixture) error { return ignore(f.a.LintRCA(ctx, f.secret.Key)) }},
		{"lint draft", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.LintRCADraft(ctx, f.secret.Key, []incident.Section{{Key: "timeline", Title: "T", Body: "x"}}))
		}},
		{"revisions", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.RCARevisions(ctx, f.secret.Key, 10, nil))
		}},
		{"revision", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.RCARevision(ctx, f.secret.Key, 1))
		}},
		{"diff", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.DiffRCARevisions(ctx, f.secret.Key, 1, 2))
		}},
		{"restore revision", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.RestoreRCARevision(ctx, f.secret.Key, 1, ptr(f.rcaVersion)))
		}},
		{"submit", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.SubmitRCA(ctx, f.secret.Key, []string{"bob"}, ptr(f.rcaVersion)))
		}},
		{"approve", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.ApproveRCA(ctx, f.secret.Key, "bob", "", ptr(f.rcaVersion)))
		}},
		{"request changes", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.RequestRCAChanges(ctx, f.secret.Key, "bob", "add the timeline", ptr(f.rcaVersion)))
		}},
		{"publish", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.PublishRCA(ctx, f.secret.Key, ptr(f.rcaVersion)))
		}},
		{"amend", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.AmendRCA(ctx, f.secret.Key, "why", ptr(f.rcaVersion)))
		}},
		{"comments", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.RCAComments(ctx, f.secret.Key))
		}},
		{"add comment", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.AddRCAComment(ctx, f.secret.Key, incident.Comment{SectionKey: "timeline", Body: "x"}))
		}},
		{"resolve comment", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.ResolveRCAComment(ctx, f.secret.Key, f.comment))
		}},
		{"root causes", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.RootCauses(ctx, f.secret.Key))
		}},
		{"create root cause", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.CreateRootCause(ctx, f.secret.Key, incident.RootCause{Category: incident.CategoryConfigChange, Description: "x"}))
		}},
		{"root cause by id", false, func(ctx context.Context, f *restrictedFixture) error { return ignore(f.a.RootCause(ctx, f.rootCause)) }},
		{"update root cause", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.UpdateRootCause(ctx, f.rootCause, incident.RootCausePatch{Description: incident.Some("x")}))
		}},
		{"delete root cause", true, func(ctx context.Context, f *restrictedFixture) error { return f.a.DeleteRootCause(ctx, f.rootCause) }},
		{"report", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.Report(ctx, f.secret.Key, incident.AudienceInternal))
		}},
		{"export", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.Export(ctx, f.secret.Key, "md", incident.AudiencePublic))
		}},
		{"incident actions", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.IncidentActions(ctx, f.secret.Key, incident.ActionFilter{}))
		}},
		{"create action", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.CreateAction(ctx, f.secret.Key, incident.CorrectiveAction{Title: "x"}))
		}},
		{"action by id", false, func(ctx context.Context, f *restrictedFixture) error { return ignore(f.a.Action(ctx, f.action)) }},
		{"update action", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.UpdateAction(ctx, f.action, incident.ActionPatch{Status: incident.Some(incident.ActionDone)}))
		}},
		{"delete action", true, func(ctx context.Context, f *restrictedFixture) error { return f.a.DeleteAction(ctx, f.action) }},
		{"incident recurrences", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.IncidentRecurrences(ctx, f.secret.Key))
		}},
		{"recurrences of the incident", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.Recurrences(ctx, app.RecurrenceFilter{Incident: f.secret.Key}))
		}},
		{"dismiss recurrence", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.DismissRecurrence(ctx, f.recurrence))
		}},
		{"similar", false, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.Similar(ctx, f.secret.Key, 5))
		}},
		{"routed alert", false, func(ctx context.Context, f *restrictedFixture) error { return ignore(f.a.Alert(ctx, f.routedAlert)) }},
		{"attach alert to the incident", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.AttachAlerts(ctx, []int64{f.inboxAlert}, f.secret.Key))
		}},
		{"attach its alert elsewhere", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.AttachAlerts(ctx, []int64{f.routedAlert}, f.open.Key))
		}},
		{"open incident from its alert", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.OpenIncidentFromAlert(ctx, f.routedAlert, incident.Incident{}))
		}},
		{"dismiss its alert", true, func(ctx context.Context, f *restrictedFixture) error {
			return ignore(f.a.DismissAlerts(ctx, []int64{f.routedAlert}))
		}},
	}
}

// snapshot is what a refused write must leave as it was: every write
// appends to the change feed or the audit log, and the incident's rows.
type snapshot struct {
	LastChange int64
	Audit      int
	Incident   incident.Incident
	Missing    string
	RCA        int
	Events     int
	Actions    int
	Alerts     int
}

func takeSnapshot(t *testing.T, f *restrictedFixture) snapshot {
	t.Helper()
	ctx := context.Background()
	var sn snapshot
	var err error
	if sn.LastChange, err = f.s.LastChangeSeq(ctx); err != nil {
		t.Fatal(err)
	}
	es := try(f.s.AuditEntries(ctx, 100000)).must(t)
	sn.Audit = len(es)
	inc, err := f.a.Incident(ctx, f.secret.Key)
	if err != nil {
		sn.Missing = err.Error()
		return sn
	}
	sn.Incident = inc
	sn.RCA = try(f.a.RCA(ctx, f.secret.Key)).must(t).Version
	sn.Events = try(f.a.Timeline(ctx, f.secret.Key, incident.TimelineFilter{IncludeHidden: true})).must(t).Total
	sn.Actions = try(f.a.Actions(ctx, incident.ActionFilter{})).must(t).Total
	sn.Alerts = try(f.a.Alerts(ctx, incident.AlertFilter{State: incident.AlertInbox})).must(t).Total
	return sn
}

// TestApp_RestrictedIncidentRoutes: to an outsider, every use case on a
// restricted incident (or on anything in it) answers not found — exactly
// as for an incident that does not exist — and writes change nothing; its
// members, by user or group in any case, and those who see everything get
// through.
func TestApp_RestrictedIncidentRoutes(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			f := newRestrictedFixture(t, dialect)
			ctx0 := context.Background()
			before := takeSnapshot(t, f)
			for _, v := range []struct {
				name string
				v    incident.Viewer
			}{{"outsider", outsider}, {"anonymous", anonymous}} {
				ctx := app.WithViewer(as("bob"), v.v)
				for _, tc := range routeCases() {
					t.Run(v.name+"/"+tc.name, func(t *testing.T) {
						err := tc.call(ctx, f)
						if !errors.Is(err, incident.ErrNotFound) {
							t.Fatalf("err = %v, want not found", err)
						}
					})
					// Checked after every case, so a write that got through
					// cannot make the cases after it pass for the wrong reason.
					if diff := cmp.Diff(before, takeSnapshot(t, f)); diff != "" {
						t.Fatalf("%s/%s changed something (-before +after):\n%s", v.name, tc.name, diff)
					}
				}
			}
			// Hidden reads as missing, word for word.
			missing := incident.FormatKey(f.secret.ID + 1000)
			_, errMissing := f.a.Incident(app.WithViewer(ctx0, outsider), missing)
			_, errHidden := f.a.Incident(app.WithViewer(ctx0, outsider), f.secret.Key)
			if errHidden == nil || strings.ReplaceAll(errMissing.Error(), missing, f.secret.Key) != errHidden.Error() {
				t.Errorf("hidden: %v; missing: %v", errHidden, errMissing)
			}
			// Members read everything a route reads.
			for _, v := range []struct {
				name string
				v    incident.Viewer
			}{{"member by user", memberByUser}, {"member by group", memberByGroup}, {"all", incident.EveryIncident}} {
				ctx := app.WithViewer(as("alice"), v.v)
				for _, tc := range routeCases() {
					if tc.write {
						continue
					}
					t.Run(v.name+"/"+tc.name, func(t *testing.T) {
						if err := tc.call(ctx, f); err != nil {
							t.Fatalf("err = %v, want none", err)
						}
					})
				}
			}
			// …and may write.
			member := app.WithViewer(as("alice"), memberByGroup)
			if _, err := f.a.UpdateIncident(member, f.secret.Key, incident.IncidentPatch{Title: incident.Some("Renamed")}); err != nil {
				t.Fatalf("member update: %v", err)
			}
			if _, err := f.a.CreateAction(member, f.secret.Key, incident.CorrectiveAction{Title: "audit keys"}); err != nil {
				t.Fatalf("member create action: %v", err)
			}
			if err := f.a.DeleteAction(member, f.action); err != nil {
				t.Fatalf("member delete action: %v", err)
			}
		})
	}
}

// TestApp_RestrictedIncidentLists: lists and counts leave a restricted
// incident out for outsiders, in the page and in the total, and keep it
// for members and for those who see everything.
func TestApp_RestrictedIncidentLists(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			f := newRestrictedFixture(t, dialect)
			keys := func(incs []incident.Incident) []string {
				var out []string
				for _, i := range incs {
					out = append(out, i.Key)
				}
				slices.Sort(out)
				return out
			}
			both := []string{f.open.Key, f.secret.Key}
			slices.Sort(both)
			for _, v := range []struct {
				name  string
				v     incident.Viewer
				sees  bool
				admin bool
			}{
				{"outsider", outsider, false, false},
				{"anonymous", anonymous, false, false},
				{"member by user", memberByUser, true, false},
				{"member by group", memberByGroup, true, false},
				{"all", incident.EveryIncident, true, true},
			} {
				t.Run(v.name, func(t *testing.T) {
					ctx := app.WithViewer(context.Background(), v.v)
					wantKeys, wantN := []string{f.open.Key}, 1
					if v.sees {
						wantKeys, wantN = both, 2
					}

					for _, flt := range []incident.IncidentFilter{{}, {Service: "payments"}, {Tag: "DB"}, {Limit: 1}} {
						p := try(f.a.Incidents(ctx, flt)).must(t)
						if p.Total != wantN {
							t.Errorf("incidents %+v: total %d, want %d", flt, p.Total, wantN)
						}
						if flt.Limit == 0 && !cmp.Equal(keys(p.Items), wantKeys) {
							t.Errorf("incidents %+v: %v, want %v", flt, keys(p.Items), wantKeys)
						}
						if flt.Limit == 1 && (p.NextCursor != "") != v.sees {
							t.Errorf("incidents: next cursor %q with %d visible", p.NextCursor, wantN)
						}
					}
					// A viewer in the request cannot be overridden by the filter.
					if p := try(f.a.Incidents(ctx, incident.IncidentFilter{Viewer: incident.EveryIncident})).must(t); p.Total != wantN {
						t.Errorf("filter's own viewer won: total %d", p.Total)
					}

					acts := try(f.a.Actions(ctx, incident.ActionFilter{Owner: "ana"})).must(t)
					if acts.Total != wantN || len(acts.Items) != wantN {
						t.Errorf("actions: %d (total %d), want %d", len(acts.Items), acts.Total, wantN)
					}
					for _, act := range acts.Items {
						if !v.sees && act.IncidentID == f.secret.ID {
							t.Errorf("actions list an action of the restricted incident")
						}
					}

					routed := try(f.a.Alerts(ctx, incident.AlertFilter{State: incident.AlertRouted})).must(t)
					if routed.Total != wantN || len(routed.Items) != wantN {
						t.Errorf("routed alerts: %d (total %d), want %d", len(routed.Items), routed.Total, wantN)
					}
					if all := try(f.a.Alerts(ctx, incident.AlertFilter{})).must(t); all.Total != wantN+1 {
						t.Errorf("all alerts: total %d, want %d", all.Total, wantN+1)
					}
					if byInc := try(f.a.Alerts(ctx, incident.AlertFilter{IncidentID: f.secret.ID})).must(t); (byInc.Total == 1) != v.sees {
						t.Errorf("alerts of the restricted incident by id: total %d", byInc.Total)
					}

					recs := try(f.a.Recurrences(ctx, app.RecurrenceFilter{IncludeDismissed: true})).must(t)
					if want := map[bool]int{false: 0, true: 2}[v.sees]; recs.Total != want || len(recs.Items) != want {
						t.Errorf("recurrences: %d (total %d), want %d", len(recs.Items), recs.Total, want)
					}
					if got := try(f.a.IncidentRecurrences(ctx, f.open.Key)).must(t); (len(got) == 1) != v.sees {
						t.Errorf("recurrences of the internal incident: %+v", got)
					}
				})
			}
		})
	}
}

// TestApp_RestrictedSearchAndSimilar: search, suggestions and similar
// incidents leave out an incident the viewer may not see, also while the
// index still holds it as it was before it was restricted.
func TestApp_RestrictedSearchAndSimilar(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			f := newRestrictedFixture(t, dialect)
			ctx := context.Background()
			waitFor := func(q, key string) {
				t.Helper()
				for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
					res, err := f.a.Search(ctx, search.Request{Q: q})
					if err == nil && slices.ContainsFunc(res.Items, func(h search.Hit) bool { return h.Key == key }) {
						return
					}
					if time.Since(start) > 15*time.Second {
						t.Fatalf("%s not found by %q: %v", key, q, err)
					}
				}
			}
			waitFor("leaked", f.secret.Key)
			waitFor("failover", f.open.Key)
			for _, v := range []struct {
				name string
				v    incident.Viewer
				sees bool
			}{{"outsider", outsider, false}, {"member", memberByUser, true}} {
				vctx := app.WithViewer(ctx, v.v)
				res := try(f.a.Search(vctx, search.Request{Q: "payments database"})).must(t)
				if want := map[bool]uint64{false: 1, true: 2}[v.sees]; res.Total != want || len(res.Items) != int(want) {
					t.Errorf("%s: search found %d (total %d), want %d", v.name, len(res.Items), res.Total, want)
				}
				sims := try(f.a.Similar(vctx, f.open.Key, 5)).must(t)
				if got := slices.ContainsFunc(sims, func(s app.SimilarIncident) bool { return s.ID == f.secret.ID }); got != v.sees {
					t.Errorf("%s: similar lists the restricted incident: %v", v.name, got)
				}
				// A pasted key of a hidden incident is read as text, not as it.
				sims = try(f.a.SimilarText(vctx, f.secret.Key, 5)).must(t)
				if !v.sees && slices.ContainsFunc(sims, func(s app.SimilarIncident) bool { return s.ID == f.secret.ID }) {
					t.Errorf("%s: similar to the pasted key lists it", v.name)
				}
				sims = try(f.a.SimilarText(vctx, "payments database credentials leaked", 5)).must(t)
				if got := slices.ContainsFunc(sims, func(s app.SimilarIncident) bool { return s.ID == f.secret.ID }); got != v.sees {
					t.Errorf("%s: similar to pasted text lists the restricted incident: %v", v.name, got)
				}
			}

			// Make the internal incident restricted while the index cannot
			// learn of it: the database still has the last word.
			other := f.open
			if _, err := f.a.UpdateIncident(ctx, other.Key, incident.IncidentPatch{
				Visibility: incident.Some(incident.VisibilityRestricted), RestrictedTo: incident.Some([]string{"dba"})}); err != nil {
				t.Fatal(err)
			}
			vctx := app.WithViewer(ctx, outsider)
			res := try(f.a.Search(vctx, search.Request{Q: "failover"})).must(t)
			for _, h := range res.Items {
				if h.ID == other.ID {
					t.Errorf("search shows an incident restricted since it was indexed")
				}
			}
			sugs := try(f.a.Suggest(vctx, "Payments", 10)).must(t)
			for _, s := range sugs {
				if s.ID == other.ID || s.ID == f.secret.ID {
					t.Errorf("suggestions show a restricted incident: %+v", s)
				}
			}
		})
	}
}

// TestApp_RestrictionSafety: who may restrict an incident, and the audit
// log of visibility changes.
func TestApp_RestrictionSafety(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			a, s := testApp(t, dialect, app.Options{})
			restrictionSafety(t, a, s)
		})
	}
}

func restrictionSafety(t *testing.T, a *app.App, s *store.Store) {
	alice := app.WithViewer(as("alice"), memberByGroup) // carol@example.com, security
	restricted := func(to ...string) incident.Incident {
		return incident.Incident{Title: "Secret", Visibility: incident.VisibilityRestricted, RestrictedTo: to}
	}
	// Restricting to others only would lock the writer out.
	_, err := a.CreateIncident(alice, restricted("dba"))
	wantField(t, err, "restricted_to")
	_, err = a.CreateIncident(app.WithViewer(context.Background(), anonymous), restricted("dba"))
	wantField(t, err, "visibility")
	inc := try(a.CreateIncident(alice, restricted("SECURITY", "dba"))).must(t)

	_, err = a.UpdateIncident(alice, inc.Key, incident.IncidentPatch{RestrictedTo: incident.Some([]string{"dba"})})
	wantField(t, err, "restricted_to")
	if got := try(a.Incident(alice, inc.Key)).must(t); !cmp.Equal(got.RestrictedTo, []string{"SECURITY", "dba"}) {
		t.Errorf("refused update changed restricted_to: %v", got.RestrictedTo)
	}
	// Those who see everything may restrict to anyone.
	try(a.UpdateIncident(as("root"), inc.Key, incident.IncidentPatch{RestrictedTo: incident.Some([]string{"dba"})})).must(t)
	if _, err := a.Incident(alice, inc.Key); !errors.Is(err, incident.ErrNotFound) {
		t.Fatalf("alice still sees it: %v", err)
	}
	try(a.UpdateIncident(as("root"), inc.Key, incident.IncidentPatch{Visibility: incident.Some(incident.VisibilityInternal)})).must(t)
	try(a.Incident(alice, inc.Key)).must(t)

	// Every change of who may see it is audited, in words.
	es := try(s.AuditEntries(context.Background(), 100)).must(t)
	var got []string
	for _, e := range es {
		if e.Action == "incident.visibility" {
			got = append(got, e.Actor+": "+e.Detail)
		}
	}
	slices.Reverse(got)
	want := []string{"root: restricted to SECURITY, dba -> restricted to dba", "root: restricted to dba -> internal"}
	if !cmp.Equal(got, want) {
		t.Errorf("visibility audit = %q, want %q", got, want)
	}
}
