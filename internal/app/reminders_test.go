package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/notify"
	"github.com/hindsightrca/hindsight/internal/notify/notifytest"
	"github.com/hindsightrca/hindsight/internal/store"
)

// fakeSlack is an incoming-webhook endpoint per path that records the
// messages posted to it; fail makes the next n posts answer 500.
type fakeSlack struct {
	*httptest.Server
	mu   sync.Mutex
	got  map[string][]map[string]any
	fail int
	// delay slows every answer (to widen races).
	delay time.Duration
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{got: map[string][]map[string]any{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		delay := f.delay
		f.mu.Unlock()
		time.Sleep(delay)
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.fail > 0 {
			f.fail--
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "rollup_error")
			return
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "invalid_payload")
			return
		}
		f.got[r.URL.Path] = append(f.got[r.URL.Path], m)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSlack) posts(path string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[path]
}

// slackText joins the mrkdwn texts of a posted message's blocks.
func slackText(m map[string]any) string {
	var b strings.Builder
	for _, bl := range m["blocks"].([]any) {
		blk := bl.(map[string]any)
		if tx, ok := blk["text"].(map[string]any); ok {
			b.WriteString(tx["text"].(string) + "\n")
		}
		if els, ok := blk["elements"].([]any); ok {
			for _, e := range els {
				b.WriteString(e.(map[string]any)["text"].(string) + "\n")
			}
		}
	}
	return b.String()
}

// reminderFixture is an app with actions due soon and overdue, on a clock
// the test moves: today is 2026-11-24.
type reminderFixture struct {
	a     *app.App
	store *store.Store
	clock *time.Time
	slack *fakeSlack
	smtp  *notifytest.SMTPServer
}

func newReminderFixture(t *testing.T, dialect string) *reminderFixture {
	t.Helper()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	f := &reminderFixture{clock: &now, slack: newFakeSlack(t)}
	f.a, f.store = testApp(t, dialect, app.Options{Now: func() time.Time { return *f.clock }, Location: time.UTC})
	srv, err := notifytest.StartSMTP(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	f.smtp = srv
	ctx := incident.WithActor(context.Background(), incident.Actor{Name: "admin@example.com"})
	for _, u := range []app.NewUser{{Email: "ana@example.com", Name: "Ana Lima"}, {Email: "bob@example.com", Name: "Bob"}} {
		if _, _, err := f.a.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	open, err := f.a.CreateIncident(ctx, incident.Incident{Title: "Checkout <down> & out", Severity: incident.SEV1, StartedAt: ptr(t0)})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := f.a.CreateIncident(ctx, incident.Incident{Title: "Payroll data leak", Severity: incident.SEV1, StartedAt: ptr(t0),
		Visibility: incident.VisibilityRestricted, RestrictedTo: []string{"ana@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) *incident.Date { v := incident.Date{Year: 2026, Month: 11, Day: d}; return &v }
	for _, in := range []struct {
		inc incident.Incident
		act incident.CorrectiveAction
	}{
		{open, incident.CorrectiveAction{Title: "Add <canary> deploys", Owner: "ana", Team: "sre", DueDate: day(20)}},     // overdue 4 days
		{open, incident.CorrectiveAction{Title: "Alert on error rate", Owner: "Bob", Team: "payments", DueDate: day(27)}}, // due in 3 days
		{open, incident.CorrectiveAction{Title: "Write runbook", Owner: "carol@example.com", Team: "sre", DueDate: day(24)}},
		{open, incident.CorrectiveAction{Title: "Later", Owner: "ana", Team: "sre", DueDate: day(30)}}, // the last day of the window
		{open, incident.CorrectiveAction{Title: "Far away", Owner: "ana", Team: "sre", DueDate: &incident.Date{Year: 2027, Month: 1, Day: 1}}},
		{open, incident.CorrectiveAction{Title: "Nobody's", Owner: "zed", DueDate: day(1)}},
		// A typed address outside the users' domains gets nothing.
		{open, incident.CorrectiveAction{Title: "Stranger's", Owner: "mallory@evil.example", DueDate: day(23)}},
		{secret, incident.CorrectiveAction{Title: "Rotate payroll keys", Owner: "ana@example.com", Team: "sre", DueDate: day(10)}},
		// Bob may not see the restricted incident: nothing of it goes to him.
		{secret, incident.CorrectiveAction{Title: "Audit payroll access", Owner: "Bob", DueDate: day(22)}},
	} {
		if _, err := f.a.CreateAction(ctx, in.inc.Key, in.act); err != nil {
			t.Fatal(err)
		}
	}
	done, err := f.a.CreateAction(ctx, open.Key, incident.CorrectiveAction{Title: "Done already", Owner: "ana", Team: "sre", DueDate: day(2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.UpdateAction(ctx, done.ID, incident.ActionPatch{Status: incident.Some(incident.ActionDone)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *reminderFixture) configure(mod func(o *app.ReminderOptions)) {
	f.a.SetReminders(f.options(mod))
}

func (f *reminderFixture) options(mod func(o *app.ReminderOptions)) app.ReminderOptions {
	o := app.ReminderOptions{
		PublicURL:    "https://hindsight.example/",
		SlackWebhook: f.slack.URL + "/default",
		TeamWebhooks: map[string]string{"SRE": f.slack.URL + "/sre"},
		TeamEmails:   map[string]string{"payments": "payments-team@example.com"},
		SMTP:         &notify.SMTP{Addr: f.smtp.Addr, From: "Hindsight <hindsight@example.com>"},
	}
	if mod != nil {
		mod(&o)
	}
	return o
}

func digestFor(run app.ReminderRun, channel, recipient string) *app.ReminderDigest {
	for n := range run.Digests {
		if run.Digests[n].Channel == channel && run.Digests[n].Recipient == recipient {
			return &run.Digests[n]
		}
	}
	return nil
}

func titles(ls []app.ReminderLine) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Title)
	}
	return out
}

func TestApp_Reminders_Digests(t *testing.T) {
	f := newReminderFixture(t, "sqlite")
	f.configure(nil)
	run, err := f.a.RunReminders(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		overdue, soon []string
	}
	cases := []struct {
		name, channel, recipient string
		want                     *want
	}{
		{name: "owner by username", channel: "email", recipient: "ana@example.com",
			want: &want{overdue: []string{"Rotate payroll keys", "Add <canary> deploys"}, soon: []string{"Later"}}},
		{name: "owner by name", channel: "email", recipient: "bob@example.com", want: &want{soon: []string{"Alert on error rate"}}},
		{name: "owner that is an address", channel: "email", recipient: "carol@example.com", want: &want{soon: []string{"Write runbook"}}},
		{name: "team webhook, restricted left out", channel: "slack", recipient: "team sre",
			want: &want{overdue: []string{"Add <canary> deploys"}, soon: []string{"Write runbook", "Later"}}},
		{name: "team without webhook goes to the default", channel: "slack", recipient: "team payments", want: &want{soon: []string{"Alert on error rate"}}},
		{name: "team e-mail", channel: "email", recipient: "payments-team@example.com", want: &want{soon: []string{"Alert on error rate"}}},
		{name: "no team goes to the default", channel: "slack", recipient: "no team", want: &want{overdue: []string{"Nobody's", "Stranger's"}}},
		{name: "unknown owner gets nothing", channel: "email", recipient: "zed"},
		{name: "an address outside the users' domains gets nothing", channel: "email", recipient: "mallory@evil.example"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := digestFor(run, tc.channel, tc.recipient)
			if tc.want == nil {
				if d != nil {
					t.Fatalf("unexpected digest %+v", d)
				}
				return
			}
			if d == nil {
				t.Fatalf("no digest; have %d", len(run.Digests))
			}
			if !slices.Equal(titles(d.Overdue), tc.want.overdue) || !slices.Equal(titles(d.DueSoon), tc.want.soon) {
				t.Errorf("overdue %v, soon %v; want %v, %v", titles(d.Overdue), titles(d.DueSoon), tc.want.overdue, tc.want.soon)
			}
		})
	}
	// The restricted incident's action never reaches a shared channel.
	for _, d := range run.Digests {
		if d.Scope == incident.ReminderScopeTeam && slices.Contains(titles(append(d.Overdue, d.DueSoon...)), "Rotate payroll keys") {
			t.Errorf("restricted action in the team digest %s %s", d.Channel, d.Recipient)
		}
	}
	if len(run.Digests) != 7 {
		t.Errorf("%d digests, want 7", len(run.Digests))
	}
	if !slices.ContainsFunc(run.Warnings, func(w string) bool {
		return strings.Contains(w, `owner "mallory@evil.example" is an address outside the domains`)
	}) {
		t.Errorf("warnings = %v, want one about mallory", run.Warnings)
	}
	if !slices.ContainsFunc(run.Warnings, func(w string) bool { return strings.Contains(w, `owner "zed"`) }) {
		t.Errorf("warnings = %v, want one about zed", run.Warnings)
	}
	if !slices.ContainsFunc(run.Warnings, func(w string) bool {
		return strings.Contains(w, "bob@example.com, who may not see restricted incident INC-2")
	}) {
		t.Errorf("warnings = %v, want one about bob and INC-2", run.Warnings)
	}
	for _, d := range run.Digests {
		if slices.Contains(titles(append(d.Overdue, d.DueSoon...)), "Audit payroll access") {
			t.Errorf("an action of a restricted incident went to %s %s, who may not see it", d.Channel, d.Recipient)
		}
	}
	ana := digestFor(run, "email", "ana@example.com")
	if l := ana.Overdue[1]; l.DaysOverdue != 4 || l.URL != "https://hindsight.example/incidents/"+l.IncidentKey+"#action-"+strconv.FormatInt(l.ActionID, 10) {
		t.Errorf("line = %+v", l)
	}
	// A dry run sends and records nothing.
	if len(f.smtp.Messages()) != 0 || len(f.slack.posts("/sre")) != 0 {
		t.Error("a dry run sent something")
	}
	if sends, _, _ := f.a.ReminderSends(context.Background(), 0, 10); len(sends) != 0 {
		t.Errorf("a dry run recorded %d sends", len(sends))
	}
}

func TestApp_Reminders_SendThrottleRetry(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			f := newReminderFixture(t, dialect)
			f.configure(nil)
			ctx := context.Background()
			f.slack.fail = 1 // the first Slack post fails
			run, err := f.a.RunReminders(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			if run.Sent != 6 || run.Failed != 1 || run.Throttled != 0 {
				t.Fatalf("first run: sent %d failed %d throttled %d", run.Sent, run.Failed, run.Throttled)
			}
			// Slack got the team digests, escaped.
			sre := f.slack.posts("/sre")
			def := f.slack.posts("/default")
			if len(sre)+len(def) != 2 {
				t.Fatalf("slack posts: sre %d default %d, want 2 in all (one failed)", len(sre), len(def))
			}
			if len(sre) == 1 {
				text := slackText(sre[0])
				if !strings.Contains(text, "Add &lt;canary&gt; deploys") || strings.Contains(text, "<canary>") ||
					!strings.Contains(text, "<https://hindsight.example/incidents/INC-1#action-1|INC-1: Add &lt;canary&gt; deploys>") ||
					strings.Contains(text, "payroll") {
					t.Errorf("sre message:\n%s", text)
				}
			}
			// E-mail: owners and the team address, over the fake SMTP server.
			var to []string
			for _, m := range f.smtp.Messages() {
				to = append(to, m.To...)
				body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data))) // undo soft line breaks
				if m.To[0] == "ana@example.com" && (!strings.Contains(string(body), "Rotate payroll keys") || !strings.Contains(string(body), "Add &lt;canary&gt; deploys")) {
					t.Errorf("ana's mail lacks her actions (or the HTML is not escaped):\n%s", m.Data)
				}
				if m.To[0] == "bob@example.com" && !strings.Contains(m.Data, "Subject: [Hindsight] Your corrective actions (Bob): 1 due within 7 days\n") {
					t.Errorf("bob's subject:\n%s", m.Data)
				}
			}
			slices.Sort(to)
			if want := []string{"ana@example.com", "bob@example.com", "carol@example.com", "payments-team@example.com"}; !slices.Equal(to, want) {
				t.Errorf("mail to %v, want %v", to, want)
			}
			sends, _, err := f.a.ReminderSends(ctx, 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			var failed []incident.ReminderSend
			for _, s := range sends {
				if s.Status == incident.ReminderFailed {
					failed = append(failed, s)
				}
			}
			if len(sends) != 7 || len(failed) != 1 || !strings.Contains(failed[0].Error, "HTTP 500: rollup_error") || strings.Contains(failed[0].Error, f.slack.URL) {
				t.Fatalf("sends = %+v", sends)
			}

			// An hour later: everyone is throttled but the failed one, which is retried.
			*f.clock = f.clock.Add(time.Hour)
			run, err = f.a.RunReminders(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			if run.Sent != 1 || run.Failed != 0 || run.Throttled != 6 {
				t.Fatalf("second run: sent %d failed %d throttled %d", run.Sent, run.Failed, run.Throttled)
			}
			if len(f.slack.posts("/sre"))+len(f.slack.posts("/default")) != 3 {
				t.Error("the failed digest was not retried")
			}
			// After the throttle window, digests go out again; the one
			// retried an hour later is still within its window.
			*f.clock = f.clock.Add(23*time.Hour + time.Minute)
			run, err = f.a.RunReminders(ctx, false)
			if err != nil || run.Sent != 6 || run.Throttled != 1 {
				t.Fatalf("third run: sent %d throttled %d, %v", run.Sent, run.Throttled, err)
			}
		})
	}
}

func TestApp_Reminders_TestMode(t *testing.T) {
	f := newReminderFixture(t, "sqlite")
	var out bytes.Buffer
	// Test mode with no channel configured previews every channel.
	f.a.SetReminders(app.ReminderOptions{TestMode: true, Out: &out})
	run, err := f.a.RunReminders(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if run.Sent == 0 || !run.TestMode {
		t.Fatalf("run = %+v", run)
	}
	text := out.String()
	for _, want := range []string{"reminder (test mode) email → ana@example.com", "Add <canary> deploys", "4 days overdue",
		"/incidents/INC-1#action-1", "Corrective actions of team sre"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if !slices.ContainsFunc(run.Warnings, func(w string) bool { return strings.Contains(w, "HINDSIGHT_PUBLIC_URL") }) {
		t.Errorf("warnings = %v, want one about the public URL", run.Warnings)
	}
	if len(f.smtp.Messages()) != 0 || len(f.slack.posts("/sre")) != 0 {
		t.Error("test mode sent something")
	}
	sends, _, _ := f.a.ReminderSends(context.Background(), 0, 50)
	if len(sends) != run.Sent || sends[0].Status != incident.ReminderTest {
		t.Errorf("sends = %+v", sends)
	}
	// Test mode off: what it printed does not hold the real digests back.
	f.configure(nil)
	real, err := f.a.RunReminders(context.Background(), false)
	if err != nil || real.Sent != 7 || real.Throttled != 0 {
		t.Errorf("first real run after test mode: sent %d, throttled %d, %v", real.Sent, real.Throttled, err)
	}
}

func TestApp_Reminders_NotConfigured(t *testing.T) {
	f := newReminderFixture(t, "sqlite")
	_, err := f.a.RunReminders(context.Background(), false)
	var v *incident.ValidationError
	if !errors.As(err, &v) || !strings.Contains(v.Fields["reminders"], "no channel is configured") {
		t.Fatalf("error = %v", err)
	}
	if f.a.ReminderSettings().Enabled {
		t.Error("reminders enabled with nothing configured")
	}
}

// TestApp_Reminders_TwoReplicas: two servers sending at once (the job on
// one, an admin's Send now on the other) send each digest once.
func TestApp_Reminders_TwoReplicas(t *testing.T) {
	f := newReminderFixture(t, "postgres")
	f.configure(nil)
	f.slack.delay = 200 * time.Millisecond // both runs read the throttle before either records, unless they take turns
	other := app.New(f.store, app.Options{Now: func() time.Time { return *f.clock }, Location: time.UTC})
	other.SetReminders(f.options(nil))
	runs := make([]app.ReminderRun, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, a := range []*app.App{f.a, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = a.RunReminders(context.Background(), false)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if sent := runs[0].Sent + runs[1].Sent; sent != 7 || runs[0].Throttled+runs[1].Throttled != 7 {
		t.Errorf("sent %d+%d, throttled %d+%d: want 7 sent once", runs[0].Sent, runs[1].Sent, runs[0].Throttled, runs[1].Throttled)
	}
	if n := len(f.smtp.Messages()); n != 4 {
		t.Errorf("%d mails, want 4", n)
	}
}

// TestApp_RemindersJob: the job's run sends, and prunes records older than
// the retention.
func TestApp_RemindersJob(t *testing.T) {
	f := newReminderFixture(t, "sqlite")
	ctx := context.Background()
	old := incident.ReminderSend{SentAt: f.clock.AddDate(0, 0, -200), Channel: "email", Recipient: "ana@example.com",
		Scope: "owner", Subject: "ana", Status: incident.ReminderSent}
	if err := f.store.AppendReminderSend(ctx, &old); err != nil {
		t.Fatal(err)
	}
	f.a.SetReminders(app.ReminderOptions{TestMode: true, Out: io.Discard})
	if err := f.a.RemindersJob(ctx); err != nil {
		t.Fatal(err)
	}
	sends, _, err := f.a.ReminderSends(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(sends) == 0 || slices.ContainsFunc(sends, func(s incident.ReminderSend) bool { return s.ID == old.ID }) {
		t.Errorf("sends = %+v: want new ones and not the 200-day-old one", sends)
	}
	// A failing channel makes the job fail (so its log says so).
	f.slack.fail = 100
	f.configure(func(o *app.ReminderOptions) { o.Throttle = -1 })
	if err := f.a.RemindersJob(ctx); err == nil || !strings.Contains(err.Error(), "reminder digests failed") {
		t.Errorf("job error = %v", err)
	}
}
