package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/generic"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// signedHook reads generic payloads under another source name, has a
// fixed shape (no mapping), and is signed by an X-Test-Signature header
// equal to the secret.
type signedHook struct{ h *generic.Hook }

func (signedHook) Source() string { return "signedtest" }

func (s signedHook) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	return s.h.ParseDelivery(ctx, d, sink)
}

func (signedHook) VerifySignature(d importers.Delivery, secret string) error {
	if d.Header.Get("X-Test-Signature") != secret {
		return fmt.Errorf("X-Test-Signature: %w", importers.ErrBadSignature)
	}
	return nil
}

// ticketHook turns {"key":…,"id":…,"at":…} into a comment on a Jira-like ticket.
type ticketHook struct{}

func (ticketHook) Source() string { return "tickettest" }

func (ticketHook) ParseDelivery(_ context.Context, d importers.Delivery, sink importers.Sink) error {
	var p struct{ Key, ID, At, Incident string }
	if err := json.Unmarshal(d.Body, &p); err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339, p.At)
	if err != nil {
		return err
	}
	t := importers.TicketEvent{ID: p.ID, At: at, Subtype: importers.TicketComment, System: "jira", Key: p.Key,
		Actor: "ana", Body: "comment " + p.ID}
	if p.Incident != "" {
		t.Extra = map[string]any{importers.MetaIncident: p.Incident}
	}
	return sink.Event(t.Event("tickettest"))
}

func hookApp(t *testing.T, dialect string) *app.App {
	a, _ := testApp(t, dialect, app.Options{Hooks: importers.NewHookRegistry(generic.NewHook(), signedHook{generic.NewHook()}, ticketHook{})})
	return a
}

func forEachHookDB(t *testing.T, fn func(t *testing.T, a *app.App)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) { fn(t, hookApp(t, dialect)) })
	}
}

func delivery(body string) importers.Delivery {
	return importers.Delivery{Header: http.Header{}, ContentType: "application/json", Body: []byte(body), ReceivedAt: t0.Add(time.Hour)}
}

func alertBody(id, status, service, alertID, at string) string {
	return fmt.Sprintf(`{"id":%q,"status":%q,"title":"Error rate high","service":%q,"alert_id":%q,"time":%q,"severity":"critical"}`,
		id, status, service, alertID, at)
}

func TestApp_HookCreateValidates(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		_, err := a.CreateHook(ctx, incident.Hook{Source: "nosuch", Name: "x"})
		var verr *incident.ValidationError
		if !errors.As(err, &verr) || verr.Fields["source"] == "" {
			t.Fatalf("unknown source: %v", err)
		}
		_, err = a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "g", SigningSecret: "s"})
		if !errors.As(err, &verr) || verr.Fields["signing_secret"] == "" {
			t.Fatalf("secret on an unsigned source: %v", err)
		}
		_, err = a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "m", Mapping: map[string]string{"colour": "x"}})
		if !errors.As(err, &verr) || !strings.Contains(verr.Fields["mapping"], "colour") {
			t.Fatalf("unknown mapping field: %v", err)
		}
		_, err = a.CreateHook(ctx, incident.Hook{Source: "signedtest", Name: "m", Mapping: map[string]string{"title": "x"}})
		if !errors.As(err, &verr) || verr.Fields["mapping"] == "" {
			t.Fatalf("mapping for a fixed-shape source: %v", err)
		}
		mapped, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "mapped",
			Mapping: map[string]string{"title": "labels.alertname", "service": "labels.job", "id": "fp"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.DeliverHook(ctx, "generic", mapped.Token, delivery(`{"fp":"f1","labels":{"alertname":"HighLatency","job":"api"},"time":"2026-11-20T10:00:00Z"}`))
		if err != nil || res.Stored != 1 || res.Alerts[0].Service != "api" || res.Alerts[0].Event.Body != "Triggered: HighLatency" || res.Alerts[0].Event.ExternalID != fmt.Sprintf("hook%d:f1", mapped.Hook.ID) {
			t.Fatalf("mapped delivery: %+v %v", res, err)
		}
		// Generic senders pick their own ids: each hook's are its own, a
		// delivery without a time is the same event when retried, and a
		// sender may not speak for a built-in source.
		other, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := a.DeliverHook(ctx, "generic", other.Token, delivery(`{"id":"f1","title":"x","time":"2026-11-20T10:00:00Z"}`)); err != nil || res.Stored != 1 {
			t.Fatalf("same id from another hook: %+v %v", res, err)
		}
		if res, err := a.DeliverHook(ctx, "generic", other.Token, delivery(`{"title":"no time"}`)); err != nil || res.Stored != 1 {
			t.Fatalf("delivery without a time: %+v %v", res, err)
		}
		retry := delivery(`{"title":"no time"}`)
		retry.ReceivedAt = retry.ReceivedAt.Add(3 * time.Second)
		if res, err := a.DeliverHook(ctx, "generic", other.Token, retry); err != nil || res.Duplicates != 1 {
			t.Fatalf("retry of a delivery without a time: %+v %v", res, err)
		}
		var de *app.DeliveryError
		if _, err := a.DeliverHook(ctx, "generic", other.Token, delivery(`{"id":"Q1","title":"x","source":"signedtest"}`)); !errors.As(err, &de) {
			t.Fatalf("generic sender speaking for a built-in source: %v", err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "g"})
		if err != nil || !strings.HasPrefix(h.Token, "hsk_") || h.Hook.TokenHash == "" || strings.Contains(h.Hook.TokenHash, h.Token) {
			t.Fatalf("create: %+v %v", h, err)
		}
		if _, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "g"}); !errors.As(err, &verr) || verr.Fields["name"] == "" {
			t.Fatalf("same name twice: %v", err)
		}
		rot, err := a.RotateHookToken(ctx, "g")
		if err != nil || rot.Token == h.Token {
			t.Fatalf("rotate: %v", err)
		}
		var auth *app.HookAuthError
		if _, err := a.DeliverHook(ctx, "generic", h.Token, delivery(alertBody("1", "firing", "x", "a", "2026-11-20T10:00:00Z"))); !errors.As(err, &auth) {
			t.Fatalf("old token after rotation: %v", err)
		}
		if _, err := a.DeliverHook(ctx, "generic", rot.Token, delivery(alertBody("1", "firing", "x", "a", "2026-11-20T10:00:00Z"))); err != nil {
			t.Fatalf("new token: %v", err)
		}
		if err := a.DeleteHook(ctx, "g"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DeliverHook(ctx, "generic", rot.Token, delivery(alertBody("2", "firing", "x", "a", "2026-11-20T10:00:00Z"))); !errors.As(err, &auth) {
			t.Fatalf("deleted hook: %v", err)
		}
	})
}

func TestApp_HookRoutesAndDedupes(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Checkout down", StartedAt: ptr(t0), Services: []string{"Checkout"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := a.CreateIncident(ctx, incident.Incident{Title: "Other", StartedAt: ptr(t0)})
		if err != nil {
			t.Fatal(err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "am"})
		if err != nil {
			t.Fatal(err)
		}
		deliver := func(body string) app.HookResult {
			t.Helper()
			res, err := a.DeliverHook(ctx, "generic", h.Token, delivery(body))
			if err != nil {
				t.Fatalf("deliver %s: %v", body, err)
			}
			return res
		}
		// Service match: the open incident of service checkout (case folded).
		res := deliver(alertBody("e1", "firing", "checkout", "A1", "2026-11-20T10:05:00Z"))
		if res.Stored != 1 || res.Alerts[0].IncidentKey != inc.Key || res.Alerts[0].RoutedBy != incident.RoutedService {
			t.Fatalf("service route: %+v", res)
		}
		// The same delivery again: stored once.
		res = deliver(alertBody("e1", "firing", "checkout", "A1", "2026-11-20T10:05:00Z"))
		if res.Stored != 0 || res.Duplicates != 1 {
			t.Fatalf("replay: %+v", res)
		}
		// Named incident wins over the service.
		res = deliver(`{"id":"e2","title":"Disk full","service":"checkout","incident":"` + other.Key + `","time":"2026-11-20T10:06:00Z"}`)
		if res.Alerts[0].IncidentKey != other.Key || res.Alerts[0].RoutedBy != incident.RoutedNamed {
			t.Fatalf("named route: %+v", res.Alerts)
		}
		// The resolve of A1 follows its trigger even without a service.
		res = deliver(alertBody("e3", "resolved", "", "A1", "2026-11-20T10:30:00Z"))
		if res.Alerts[0].IncidentKey != inc.Key || res.Alerts[0].RoutedBy != incident.RoutedThread {
			t.Fatalf("thread route: %+v", res.Alerts)
		}
		tl, err := a.Timeline(ctx, inc.Key, incident.TimelineFilter{Limit: 50})
		if err != nil || len(tl.Items) != 2 {
			t.Fatalf("timeline: %d %v", len(tl.Items), err)
		}
		if tl.Items[0].Kind != incident.KindAlert || tl.Items[0].Metadata["subtype"] != "trigger" || tl.Items[1].Metadata["subtype"] != "resolve" {
			t.Fatalf("events: %+v", tl.Items)
		}
		// An alert of an unknown service waits in the inbox, and so does its resolve.
		res = deliver(alertBody("e4", "firing", "billing", "B1", "2026-11-20T11:00:00Z"))
		if res.Alerts[0].State() != incident.AlertInbox {
			t.Fatalf("inbox: %+v", res.Alerts)
		}
		deliver(alertBody("e5", "resolved", "billing", "B1", "2026-11-20T11:20:00Z"))
		inbox, err := a.Alerts(ctx, incident.AlertFilter{State: incident.AlertInbox})
		if err != nil || inbox.Total != 2 {
			t.Fatalf("inbox list: %+v %v", inbox, err)
		}
		// Attaching one attaches its alert's other inbox events.
		att, err := a.AttachAlerts(ctx, []int64{inbox.Items[1].ID}, inc.Key)
		if err != nil || att.Attached != 2 || att.Added != 2 {
			t.Fatalf("attach: %+v %v", att, err)
		}
		if _, err := a.AttachAlerts(ctx, []int64{inbox.Items[1].ID}, other.Key); err == nil {
			t.Fatal("attach to a second incident: want an error")
		}
		// A later event of B1 now follows it into the incident.
		res = deliver(alertBody("e6", "firing", "billing", "B1", "2026-11-20T12:00:00Z"))
		if res.Alerts[0].IncidentKey != inc.Key {
			t.Fatalf("after attach: %+v", res.Alerts)
		}
		// A resolved incident gets no alerts by service.
		if _, err := a.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Status: incident.Some(incident.StatusResolved), ResolvedAt: incident.Some(ptr(t0.Add(3 * time.Hour)))}); err != nil {
			t.Fatal(err)
		}
		res = deliver(alertBody("e7", "firing", "checkout", "C1", "2026-11-20T13:00:00Z"))
		if res.Alerts[0].State() != incident.AlertInbox {
			t.Fatalf("resolved incident: %+v", res.Alerts)
		}
		// Open a new incident from it.
		opened, err := a.OpenIncidentFromAlert(ctx, res.Alerts[0].ID, incident.Incident{})
		if err != nil {
			t.Fatal(err)
		}
		if opened.Incident.Title != "Error rate high" || opened.Incident.Severity != incident.SEV2 ||
			len(opened.Incident.Services) != 1 || opened.Incident.Services[0] != "checkout" ||
			opened.Incident.StartedAt == nil || !opened.Incident.StartedAt.Equal(time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC)) || opened.Added != 1 {
			t.Fatalf("opened: %+v", opened)
		}
		// Dismissed alerts stay dismissed, with their later events.
		res = deliver(alertBody("e8", "firing", "search", "D1", "2026-11-20T14:00:00Z"))
		if n, err := a.DismissAlerts(ctx, []int64{res.Alerts[0].ID}); err != nil || n != 1 {
			t.Fatalf("dismiss: %d %v", n, err)
		}
		res = deliver(alertBody("e9", "resolved", "search", "D1", "2026-11-20T14:10:00Z"))
		if res.Alerts[0].State() != incident.AlertDismissed {
			t.Fatalf("dismissed thread: %+v", res.Alerts)
		}
		// The same alert firing again is news: not dismissed, and routed to
		// an open incident of its service when there is one.
		res = deliver(alertBody("e10", "firing", "search", "D1", "2026-11-20T15:00:00Z"))
		if res.Alerts[0].State() != incident.AlertInbox {
			t.Fatalf("recurring after dismissal: %+v", res.Alerts)
		}
		// A1 went to inc, which is resolved now: its late resolve still
		// follows it, but A1 firing again goes to the open incident of its
		// service (the one opened from C1), not into the closed one.
		res = deliver(alertBody("e11", "acknowledged", "checkout", "A1", "2026-11-20T15:01:00Z"))
		if res.Alerts[0].IncidentKey != inc.Key || res.Alerts[0].RoutedBy != incident.RoutedThread {
			t.Fatalf("late follow-up: %+v", res.Alerts)
		}
		res = deliver(alertBody("e12", "firing", "checkout", "A1", "2026-11-20T16:00:00Z"))
		if res.Alerts[0].IncidentKey != opened.Incident.Key || res.Alerts[0].RoutedBy != incident.RoutedService {
			t.Fatalf("recurring alert of a resolved incident: %+v", res.Alerts)
		}
		// Its resolve follows the new occurrence.
		res = deliver(alertBody("e13", "resolved", "checkout", "A1", "2026-11-20T16:10:00Z"))
		if res.Alerts[0].IncidentKey != opened.Incident.Key {
			t.Fatalf("resolve of the new occurrence: %+v", res.Alerts)
		}
		// A named incident that is resolved takes late follow-ups but no
		// new firing; a bare number is no incident key.
		res = deliver(`{"id":"e14","status":"firing","title":"x","service":"checkout","alert_id":"N1","incident":"` + inc.Key + `","time":"2026-11-20T17:00:00Z"}`)
		if res.Alerts[0].IncidentKey != opened.Incident.Key || res.Alerts[0].RoutedBy != incident.RoutedService {
			t.Fatalf("firing naming a resolved incident: %+v", res.Alerts)
		}
		res = deliver(`{"id":"e15","status":"resolved","title":"x","alert_id":"N2","incident":"` + inc.Key + `","time":"2026-11-20T17:01:00Z"}`)
		if res.Alerts[0].IncidentKey != inc.Key || res.Alerts[0].RoutedBy != incident.RoutedNamed {
			t.Fatalf("follow-up naming a resolved incident: %+v", res.Alerts)
		}
		res = deliver(`{"id":"e16","status":"firing","title":"x","alert_id":"N3","incident":"1","time":"2026-11-20T17:02:00Z"}`)
		if res.Alerts[0].State() != incident.AlertInbox {
			t.Fatalf("bare number as incident: %+v", res.Alerts)
		}
	})
}

func TestApp_HookRefusesAndStoresNothing(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		h, err := a.CreateHook(ctx, incident.Hook{Source: "signedtest", Name: "pd", SigningSecret: "s3cret"})
		if err != nil {
			t.Fatal(err)
		}
		body := alertBody("x1", "firing", "api", "X", "2026-11-20T10:00:00Z")
		var auth *app.HookAuthError
		d := delivery(body)
		if _, err := a.DeliverHook(ctx, "signedtest", h.Token, d); !errors.As(err, &auth) {
			t.Fatalf("right token, no signature: %v", err)
		}
		d.Header.Set("X-Test-Signature", "wrong")
		if _, err := a.DeliverHook(ctx, "signedtest", h.Token, d); !errors.As(err, &auth) {
			t.Fatalf("wrong signature: %v", err)
		}
		if _, err := a.DeliverHook(ctx, "signedtest", "", d); !errors.As(err, &auth) {
			t.Fatalf("no token, wrong signature: %v", err)
		}
		if _, err := a.DeliverHook(ctx, "generic", h.Token, delivery(body)); !errors.As(err, &auth) {
			t.Fatalf("token of another source: %v", err)
		}
		var de *app.DeliveryError
		d.Header.Set("X-Test-Signature", "s3cret")
		bad := d
		bad.Body = []byte(`{"alerts":[{"title":"ok"},{"title":"bad","time":"yesterday"}]}`)
		if _, err := a.DeliverHook(ctx, "signedtest", h.Token, bad); !errors.As(err, &de) || !strings.Contains(err.Error(), "alerts[1].time") {
			t.Fatalf("bad payload: %v", err)
		}
		all, err := a.Alerts(ctx, incident.AlertFilter{})
		if err != nil || all.Total != 0 {
			t.Fatalf("refused deliveries stored %d alerts (%v)", all.Total, err)
		}
		// Signed, by token or by signature alone.
		if res, err := a.DeliverHook(ctx, "signedtest", h.Token, d); err != nil || res.Stored != 1 || res.Hook != "pd" {
			t.Fatalf("signed: %+v %v", res, err)
		}
		d.Body = []byte(alertBody("x2", "resolved", "api", "X", "2026-11-20T10:10:00Z"))
		if res, err := a.DeliverHook(ctx, "signedtest", "", d); err != nil || res.Stored != 1 {
			t.Fatalf("signature only: %+v %v", res, err)
		}
	})
}

// TestApp_HookConcurrentDeliveries sends many deliveries at once, each
// twice: group commit must store every alert exactly once.
func TestApp_HookConcurrentDeliveries(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		if _, err := a.CreateIncident(ctx, incident.Incident{Title: "Busy", StartedAt: ptr(t0), Services: []string{"api"}}); err != nil {
			t.Fatal(err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "burst"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 200
		var wg sync.WaitGroup
		var mu sync.Mutex
		stored, dups := 0, 0
		errs := make(chan error, 2*n)
		for i := range 2 * n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := "api"
				if i%4 == 0 {
					svc = "elsewhere"
				}
				res, err := a.DeliverHook(ctx, "generic", h.Token, delivery(alertBody(fmt.Sprint("b", i%n), "firing", svc, fmt.Sprint("T", i%n), "2026-11-20T10:00:00Z")))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				stored += res.Stored
				dups += res.Duplicates
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if stored != n || dups != n {
			t.Fatalf("stored %d, duplicates %d; want %d each", stored, dups, n)
		}
		all, err := a.Alerts(ctx, incident.AlertFilter{})
		if err != nil || all.Total != n {
			t.Fatalf("alerts kept: %d %v", all.Total, err)
		}
	})
}

// TestApp_ConcurrentAttachOneWins attaches one inbox alert to two incidents
// at once, many times: each alert ends in exactly one timeline.
func TestApp_ConcurrentAttachOneWins(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		x, err := a.CreateIncident(ctx, incident.Incident{Title: "X", StartedAt: ptr(t0)})
		if err != nil {
			t.Fatal(err)
		}
		y, err := a.CreateIncident(ctx, incident.Incident{Title: "Y", StartedAt: ptr(t0)})
		if err != nil {
			t.Fatal(err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "race"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 10
		for i := range n {
			res, err := a.DeliverHook(ctx, "generic", h.Token, delivery(alertBody(fmt.Sprint("r", i), "firing", "nowhere", fmt.Sprint("R", i), "2026-11-20T10:00:00Z")))
			if err != nil {
				t.Fatal(err)
			}
			id := res.Alerts[0].ID
			var wg sync.WaitGroup
			wins := make(chan string, 2)
			for _, inc := range []incident.Incident{x, y} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := a.AttachAlerts(ctx, []int64{id}, inc.Key); err == nil {
						wins <- inc.Key
					}
				}()
			}
			wg.Wait()
			close(wins)
			if got := len(wins); got != 1 {
				t.Fatalf("alert %d attached %d times", id, got)
			}
		}
		tx, _ := a.Timeline(ctx, x.Key, incident.TimelineFilter{Limit: 100})
		ty, _ := a.Timeline(ctx, y.Key, incident.TimelineFilter{Limit: 100})
		if len(tx.Items)+len(ty.Items) != n {
			t.Fatalf("timelines hold %d + %d events, want %d in all", len(tx.Items), len(ty.Items), n)
		}
	})
}

// TestApp_HookResolveAheadOfTrigger delivers each alert's resolve and
// trigger at once, in both orders and concurrently: the resolve (which
// names no service) must end in the trigger's incident either way.
func TestApp_HookResolveAheadOfTrigger(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "API down", StartedAt: ptr(t0), Services: []string{"api"}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "pairs"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 60
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			for _, body := range []string{
				alertBody(fmt.Sprint("t", i), "firing", "api", fmt.Sprint("P", i), "2026-11-20T10:00:00Z"),
				alertBody(fmt.Sprint("r", i), "resolved", "", fmt.Sprint("P", i), "2026-11-20T10:10:00Z"),
			} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := a.DeliverHook(ctx, "generic", h.Token, delivery(body)); err != nil {
						errs <- err
					}
				}()
			}
		}
		// And one pair strictly resolve first.
		if _, err := a.DeliverHook(ctx, "generic", h.Token, delivery(alertBody("rl", "resolved", "", "PL", "2026-11-20T10:10:00Z"))); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DeliverHook(ctx, "generic", h.Token, delivery(alertBody("tl", "firing", "api", "PL", "2026-11-20T10:00:00Z"))); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		inbox, err := a.Alerts(ctx, incident.AlertFilter{State: incident.AlertInbox})
		if err != nil || inbox.Total != 0 {
			t.Fatalf("%d alerts left in the inbox (%v)", inbox.Total, err)
		}
		tl, err := a.Timeline(ctx, inc.Key, incident.TimelineFilter{Limit: 500})
		if err != nil || len(tl.Items) != 2*n+2 {
			t.Fatalf("timeline holds %d events, want %d (%v)", len(tl.Items), 2*n+2, err)
		}
	})
}

// TestApp_AttachTakesOneOccurrence attaches the second firing of a
// recurring alert: its own resolve goes along, the first firing stays.
func TestApp_AttachTakesOneOccurrence(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Disk", StartedAt: ptr(t0)})
		if err != nil {
			t.Fatal(err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "occ"})
		if err != nil {
			t.Fatal(err)
		}
		var second int64
		for i, b := range []string{
			alertBody("o1", "firing", "disk", "D", "2026-11-01T10:00:00Z"),
			alertBody("o2", "resolved", "disk", "D", "2026-11-01T10:30:00Z"),
			alertBody("o3", "firing", "disk", "D", "2026-11-20T10:00:00Z"),
			alertBody("o4", "acknowledged", "disk", "D", "2026-11-20T10:05:00Z"),
			alertBody("o5", "resolved", "disk", "D", "2026-11-20T10:30:00Z"),
		} {
			res, err := a.DeliverHook(ctx, "generic", h.Token, delivery(b))
			if err != nil {
				t.Fatal(err)
			}
			if i == 3 {
				second = res.Alerts[0].ID
			}
		}
		res, err := a.AttachAlerts(ctx, []int64{second}, inc.Key)
		if err != nil || res.Attached != 3 {
			t.Fatalf("attach: %+v %v", res, err)
		}
		left, err := a.Alerts(ctx, incident.AlertFilter{State: incident.AlertInbox})
		if err != nil || left.Total != 2 {
			t.Fatalf("inbox after attach: %d %v", left.Total, err)
		}
		for _, al := range left.Items {
			if !al.Event.OccurredAt.Before(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) {
				t.Fatalf("the second firing's event %s stayed in the inbox", al.Event.ExternalID)
			}
		}
	})
}

// TestApp_HookNamedLaterBringsTheTrigger: an alert's trigger waits in the
// inbox; a later event of it names the incident (a tag added by a
// responder): the trigger joins the incident, an older firing does not.
func TestApp_HookNamedLaterBringsTheTrigger(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Queue", StartedAt: ptr(t0)})
		if err != nil {
			t.Fatal(err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "later"})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []string{
			alertBody("old", "firing", "queue", "Q", "2026-11-01T10:00:00Z"),
			alertBody("t1", "firing", "queue", "Q", "2026-11-20T10:00:00Z"),
			`{"id":"n1","status":"note","title":"tagged","alert_id":"Q","incident":"` + inc.Key + `","time":"2026-11-20T10:05:00Z"}`,
		} {
			if _, err := a.DeliverHook(ctx, "generic", h.Token, delivery(b)); err != nil {
				t.Fatal(err)
			}
		}
		tl, err := a.Timeline(ctx, inc.Key, incident.TimelineFilter{Limit: 10})
		if err != nil || len(tl.Items) != 2 || tl.Items[0].Metadata["subtype"] != "trigger" || !tl.Items[0].OccurredAt.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
			t.Fatalf("timeline: %+v %v", tl.Items, err)
		}
		left, err := a.Alerts(ctx, incident.AlertFilter{State: incident.AlertInbox})
		if err != nil || left.Total != 1 {
			t.Fatalf("inbox: %d %v", left.Total, err)
		}
	})
}

// TestApp_HookOccurrenceInOneDelivery: a trigger and a later event naming
// the incident in one delivery go together, as they do delivered apart.
func TestApp_HookOccurrenceInOneDelivery(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Queue", StartedAt: ptr(t0)})
		if err != nil {
			t.Fatal(err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "one"})
		if err != nil {
			t.Fatal(err)
		}
		body := `[` + alertBody("t1", "firing", "queue", "Q", "2026-11-20T10:00:00Z") + `,` +
			`{"id":"n1","status":"note","title":"tagged","alert_id":"Q","incident":"` + inc.Key + `","time":"2026-11-20T10:05:00Z"}]`
		res, err := a.DeliverHook(ctx, "generic", h.Token, delivery(body))
		if err != nil {
			t.Fatal(err)
		}
		for _, al := range res.Alerts {
			if al.IncidentKey != inc.Key {
				t.Fatalf("%s went to %q, want %s", al.Event.ExternalID, al.IncidentKey, inc.Key)
			}
		}
		// Waiting trigger, then one delivery with an ack and a note naming
		// the incident: all three end in it.
		if _, err := a.DeliverHook(ctx, "generic", h.Token, delivery(alertBody("t2", "firing", "queue", "Q2", "2026-11-20T11:00:00Z"))); err != nil {
			t.Fatal(err)
		}
		body = `[` + alertBody("a2", "acknowledged", "queue", "Q2", "2026-11-20T11:06:00Z") + `,` +
			`{"id":"n2","status":"note","title":"tagged","alert_id":"Q2","incident":"` + inc.Key + `","time":"2026-11-20T11:07:00Z"}]`
		if _, err := a.DeliverHook(ctx, "generic", h.Token, delivery(body)); err != nil {
			t.Fatal(err)
		}
		left, err := a.Alerts(ctx, incident.AlertFilter{State: incident.AlertInbox})
		if err != nil || left.Total != 0 {
			t.Fatalf("inbox holds %d (%v)", left.Total, err)
		}
		tl, err := a.Timeline(ctx, inc.Key, incident.TimelineFilter{Limit: 10})
		if err != nil || len(tl.Items) != 5 {
			t.Fatalf("timeline holds %d events (%v)", len(tl.Items), err)
		}
	})
}

// TestApp_TicketHookFollowsLinks: a tracker's webhook delivers changes of
// every ticket; those of a ticket an incident was built from go to it
// (resolved or not), the rest are ignored, not put in the inbox.
func TestApp_TicketHookFollowsLinks(t *testing.T) {
	forEachHookDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Checkout down", StartedAt: ptr(t0), ResolvedAt: ptr(t0.Add(time.Hour)), Status: incident.StatusResolved})
		if err != nil {
			t.Fatal(err)
		}
		imp := fakeTracker{fakeImporter{events: []incident.TimelineEvent{importers.TicketEvent{ID: "c1", At: t0, Subtype: importers.TicketCreated,
			System: "jira", Key: "OPS-1", Title: "Fix it"}.Event("faketracker")}}}
		if _, err := a.ImportTimeline(ctx, inc.Key, imp, importers.Input{Name: "x.json"}, app.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		h, err := a.CreateHook(ctx, incident.Hook{Source: "tickettest", Name: "jira"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.DeliverHook(ctx, "tickettest", h.Token, delivery(`{"Key":"OPS-1","ID":"c2","At":"2026-12-01T10:00:00Z"}`))
		if err != nil || res.Stored != 1 || res.Alerts[0].IncidentKey != inc.Key {
			t.Fatalf("linked ticket: %+v %v", res, err)
		}
		res, err = a.DeliverHook(ctx, "tickettest", h.Token, delivery(`{"Key":"OPS-9","ID":"c3","At":"2026-12-01T10:00:00Z"}`))
		if err != nil || res.Stored != 0 || res.Ignored != 1 || res.Received != 1 {
			t.Fatalf("unlinked ticket: %+v %v", res, err)
		}
		inbox, err := a.Alerts(ctx, incident.AlertFilter{State: incident.AlertInbox})
		if err != nil || inbox.Total != 0 {
			t.Fatalf("inbox: %d %v", inbox.Total, err)
		}
		// An unlinked ticket that names its incident goes there.
		res, err = a.DeliverHook(ctx, "tickettest", h.Token, delivery(`{"Key":"OPS-5","ID":"c4","At":"2026-12-01T10:00:00Z","Incident":"`+inc.Key+`"}`))
		if err != nil || res.Stored != 1 || res.Alerts[0].IncidentKey != inc.Key {
			t.Fatalf("ticket naming its incident: %+v %v", res, err)
		}
		// …and is linked from then on.
		res, err = a.DeliverHook(ctx, "tickettest", h.Token, delivery(`{"Key":"OPS-5","ID":"c5","At":"2026-12-02T10:00:00Z"}`))
		if err != nil || res.Stored != 1 || res.Alerts[0].IncidentKey != inc.Key {
			t.Fatalf("linked by the label: %+v %v", res, err)
		}
	})
}
