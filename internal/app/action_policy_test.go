package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

func TestApp_ActionPolicyFillsDueDate(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := incident.WithActor(context.Background(), incident.Actor{Name: "admin@example.com"})
		sev1, err := a.CreateIncident(ctx, incident.Incident{Title: "Checkout down", Severity: incident.SEV1, StartedAt: ptr(t0)})
		if err != nil {
			t.Fatal(err)
		}
		sev4, err := a.CreateIncident(ctx, incident.Incident{Title: "Slow report", Severity: incident.SEV4, StartedAt: ptr(t0)})
		if err != nil {
			t.Fatal(err)
		}
		today := a.Today()
		explicit := incident.Date{Year: 2027, Month: 3, Day: 1}
		cases := []struct {
			name       string
			inc        incident.Incident
			priority   incident.Priority
			due        *incident.Date
			wantDue    incident.Date
			wantSource string
		}{
			{name: "SEV1 critical from the policy", inc: sev1, priority: incident.PriorityCritical, wantDue: today.AddDays(14), wantSource: "policy"},
			{name: "SEV1 high from the policy", inc: sev1, priority: incident.PriorityHigh, wantDue: today.AddDays(30), wantSource: "policy"},
			{name: "SEV4 low from the policy", inc: sev4, priority: incident.PriorityLow, wantDue: today.AddDays(180), wantSource: "policy"},
			{name: "default priority medium", inc: sev4, wantDue: today.AddDays(120), wantSource: "policy"},
			{name: "explicit due date kept", inc: sev1, priority: incident.PriorityCritical, due: &explicit, wantDue: explicit},
		}
		for _, tc := range cases {
			act, err := a.CreateAction(ctx, tc.inc.Key, incident.CorrectiveAction{Title: tc.name, Priority: tc.priority, DueDate: tc.due})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if act.DueDate == nil || *act.DueDate != tc.wantDue || act.DueDateSource != tc.wantSource {
				t.Errorf("%s: due %v (%q), want %v (%q)", tc.name, act.DueDate, act.DueDateSource, tc.wantDue, tc.wantSource)
			}
			stored, err := a.Action(ctx, act.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.DueDateSource != tc.wantSource {
				t.Errorf("%s: stored source %q, want %q", tc.name, stored.DueDateSource, tc.wantSource)
			}
		}

		// An admin shortens SEV1/critical: new actions follow, old ones keep theirs.
		p, err := a.ActionPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p.Days[incident.SEV1][incident.PriorityCritical] = 7
		if _, err := a.SetActionPolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
		act, err := a.CreateAction(ctx, sev1.Key, incident.CorrectiveAction{Title: "Add a circuit breaker", Priority: incident.PriorityCritical})
		if err != nil {
			t.Fatal(err)
		}
		if *act.DueDate != today.AddDays(7) {
			t.Errorf("after the change due %v, want %v", act.DueDate, today.AddDays(7))
		}
		entries, _, err := a.AuditLog(ctx, incident.AuditFilter{Action: incident.AuditActionPolicyUpdate, Viewer: incident.Viewer{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Actor != "admin@example.com" || !strings.Contains(entries[0].Detail, "SEV1/critical 14→7") {
			t.Errorf("audit entries = %+v", entries)
		}

		// A person moving the due date makes it theirs.
		moved := incident.Date{Year: 2027, Month: 1, Day: 15}
		upd, err := a.UpdateAction(ctx, act.ID, incident.ActionPatch{DueDate: incident.Some(&moved)})
		if err != nil {
			t.Fatal(err)
		}
		if *upd.DueDate != moved || upd.DueDateSource != "" {
			t.Errorf("after edit due %v (%q), want %v and no source", upd.DueDate, upd.DueDateSource, moved)
		}
		// Other edits leave a policy due date the policy's.
		other, err := a.CreateAction(ctx, sev1.Key, incident.CorrectiveAction{Title: "Runbook", Priority: incident.PriorityLow})
		if err != nil {
			t.Fatal(err)
		}
		upd, err = a.UpdateAction(ctx, other.ID, incident.ActionPatch{Owner: incident.Some("alice")})
		if err != nil {
			t.Fatal(err)
		}
		if upd.DueDateSource != incident.DueDateFromPolicy {
			t.Errorf("owner edit changed the source to %q", upd.DueDateSource)
		}
	})
}

func TestApp_SetActionPolicy_Invalid(t *testing.T) {
	a, _ := testApp(t, "sqlite", app.Options{})
	ctx := context.Background()
	base := func() incident.ActionPolicy { return incident.DefaultActionPolicy() }
	cases := []struct {
		name   string
		edit   func(p *incident.ActionPolicy)
		field  string
		substr string
	}{
		{name: "zero days", edit: func(p *incident.ActionPolicy) { p.Days[incident.SEV1][incident.PriorityHigh] = 0 }, field: "days.SEV1.high", substr: "between 1 and 3650"},
		{name: "too many days", edit: func(p *incident.ActionPolicy) { p.Days[incident.SEV2][incident.PriorityLow] = 3651 }, field: "days.SEV2.low", substr: "between 1 and 3650"},
		{name: "unknown severity", edit: func(p *incident.ActionPolicy) { p.Days["SEV9"] = map[incident.Priority]int{incident.PriorityLow: 3} }, field: "days.SEV9", substr: "not a severity"},
		{name: "unknown priority", edit: func(p *incident.ActionPolicy) { p.Days[incident.SEV3]["urgent"] = 3 }, field: "days.SEV3.urgent", substr: "not a priority"},
		{name: "missing cell", edit: func(p *incident.ActionPolicy) { delete(p.Days[incident.SEV5], incident.PriorityLow) }, field: "days.SEV5.low", substr: "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.edit(&p)
			_, err := a.SetActionPolicy(ctx, p)
			var v *incident.ValidationError
			if !errors.As(err, &v) || !strings.Contains(v.Fields[tc.field], tc.substr) {
				t.Fatalf("error = %v, want %s: %s", err, tc.field, tc.substr)
			}
		})
	}
	got, err := a.ActionPolicy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.UpdatedAt != nil {
		t.Error("a refused policy was stored")
	}
}
