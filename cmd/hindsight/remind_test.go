package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/notify/notifytest"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestCLI_Remind seeds overdue and due-soon actions through a server, then
// previews the digests from the data dir, sends them in test mode (printed,
// recorded, then throttled) and over a fake SMTP server.
func TestCLI_Remind(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	environ := []string{"HINDSIGHT_TIMEZONE=UTC", "HINDSIGHT_PUBLIC_URL=https://hs.example"}
	base, stop := serve(t, environ, "--data-dir", data)
	today := time.Now().UTC()
	due := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	call(t, "POST", base+"/api/v1/users", `{"email":"ana@example.com","name":"Ana"}`, 201)
	call(t, "POST", base+"/api/v1/incidents", `{"title":"Checkout down"}`, 201)
	for _, body := range []string{
		`{"title":"Add canary","owner":"ana@example.com","team":"sre","due_date":"` + due(-3) + `"}`,
		`{"title":"Alert on errors","owner":"ana@example.com","team":"sre","due_date":"` + due(2) + `"}`,
		`{"title":"Far away","owner":"ana@example.com","team":"sre","due_date":"` + due(60) + `"}`,
	} {
		call(t, "POST", base+"/api/v1/incidents/INC-1/actions", body, 201)
	}
	// Reminders are off (no channel): the admin's preview still links with the public URL.
	preview := call(t, "POST", base+"/api/v1/reminders/run", `{"dry_run":true}`, 200)
	if b, _ := json.Marshal(preview); !strings.Contains(string(b), `"url":"https://hs.example/incidents/INC-1`) || strings.Contains(string(b), "HINDSIGHT_PUBLIC_URL") {
		t.Errorf("preview with reminders off: %s", b)
	}
	stop()

	t.Run("dry run previews every channel", func(t *testing.T) {
		code, out, errOut := runCLI(t, environ, "remind", "--data-dir", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"## email → ana@example.com", "## slack → team sre", "Add canary", "3 days overdue",
			"Alert on errors", "https://hs.example/incidents/INC-1#action-1", "Nothing was sent"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "Far away") {
			t.Errorf("an action due in 60 days is in a digest:\n%s", out)
		}
	})
	t.Run("send without a channel", func(t *testing.T) {
		code, _, errOut := runCLI(t, environ, "remind", "--send", "--data-dir", data)
		if code == 0 || !strings.Contains(errOut, "no channel is configured") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
	testMode := append([]string{"HINDSIGHT_REMINDER_TEST_MODE=true"}, environ...)
	t.Run("test mode prints and records", func(t *testing.T) {
		code, out, errOut := runCLI(t, testMode, "remind", "--send", "--data-dir", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "reminder (test mode) email → ana@example.com") || !strings.Contains(out, "2 sent, 0 failed, 0 throttled") {
			t.Errorf("output:\n%s", out)
		}
		code, out, _ = runCLI(t, testMode, "remind", "--send", "--data-dir", data)
		if code != 0 || !strings.Contains(out, "0 sent, 0 failed, 2 throttled") {
			t.Errorf("second send not throttled:\n%s", out)
		}
	})
	t.Run("smtp", func(t *testing.T) {
		srv, err := notifytest.StartSMTP(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		env := append([]string{"HINDSIGHT_SMTP_ADDR=" + srv.Addr, "HINDSIGHT_SMTP_FROM=hindsight@example.com",
			"HINDSIGHT_REMINDER_THROTTLE=0s"}, environ...)
		code, out, errOut := runCLI(t, env, "remind", "--send", "--data-dir", data)
		if code != 0 {
			t.Fatalf("exit %d: %s\n%s", code, errOut, out)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != "ana@example.com" || !strings.Contains(msgs[0].Data, "Add canary") {
			t.Fatalf("messages = %+v\n%s", msgs, out)
		}
	})
}

// TestServe_RemindersJob: a server in test mode runs the reminder job at
// start (the digests are recorded as test), and gives the job's lease back
// when it stops.
func TestServe_RemindersJob(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	environ := []string{"HINDSIGHT_TIMEZONE=UTC"}
	base, stop := serve(t, environ, "--data-dir", data)
	call(t, "POST", base+"/api/v1/users", `{"email":"ana@example.com","name":"Ana"}`, 201)
	call(t, "POST", base+"/api/v1/incidents", `{"title":"Checkout down"}`, 201)
	call(t, "POST", base+"/api/v1/incidents/INC-1/actions",
		`{"title":"Add canary","owner":"ana@example.com","due_date":"`+time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)+`"}`, 201)
	stop()

	base, stop = serve(t, append([]string{"HINDSIGHT_REMINDER_TEST_MODE=true"}, environ...), "--data-dir", data)
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := call(t, "GET", base+"/api/v1/reminders", "", 200)
		items, _ := got["items"].([]any)
		found := false
		for _, it := range items {
			m := it.(map[string]any)
			found = found || (m["status"] == "test" && m["channel"] == "email" && m["recipient"] == "ana@example.com")
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no test-mode digest recorded: %v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	s, err := store.Open(context.Background(), store.Config{SQLitePath: filepath.Join(data, "hindsight.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	leases, err := s.Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(leases) != 0 {
		t.Errorf("the reminders lease was not given back on shutdown: %+v", leases)
	}
}
