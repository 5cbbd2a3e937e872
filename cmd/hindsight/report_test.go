package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
)

// TestCLI_ReportMonthly prints last month's review from a running server
// (Markdown, the default month) and from the data dir (CSV and JSON), and
// refuses a malformed month or format with a usage error.
func TestCLI_ReportMonthly(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	environ := []string{"HINDSIGHT_TIMEZONE=UTC"}
	base, stop := serve(t, environ, "--data-dir", data)
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	month := first.Format("2006-01")
	started := first.AddDate(0, 0, 9).Add(10 * time.Hour)
	call(t, "POST", base+"/api/v1/incidents", `{"title":"Checkout down","severity":"SEV1","services":["checkout"],`+
		`"started_at":"`+started.Format(time.RFC3339)+`","resolved_at":"`+started.Add(90*time.Minute).Format(time.RFC3339)+`"}`, 201)
	call(t, "POST", base+"/api/v1/incidents/INC-1/actions",
		`{"title":"Add canary","owner":"ana","due_date":"`+now.AddDate(0, 0, -2).Format(time.DateOnly)+`"}`, 201)

	t.Run("server markdown", func(t *testing.T) {
		code, out, errOut := runCLI(t, tokenEnv(base, environ...), "report", "monthly", "--server", base)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"# Monthly review — " + first.Format("January 2006"), "| INC-1 | Checkout down | SEV1 |",
			"| Add canary | ana |"} {
			if !strings.Contains(out, want) {
				t.Errorf("lacks %q:\n%s", want, out)
			}
		}
	})
	stop()
	t.Run("data dir csv", func(t *testing.T) {
		code, out, errOut := runCLI(t, environ, "report", "monthly", "--month", month, "--format", "csv", "--data-dir", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.HasPrefix(out, "section,month,from,to,") || !strings.Contains(out, "\nincidents_by_severity,SEV1,1\n") ||
			!strings.Contains(out, "\nincidents_by_service,checkout,1\n") {
			t.Errorf("csv:\n%s", out)
		}
	})
	t.Run("data dir json", func(t *testing.T) {
		code, out, errOut := runCLI(t, environ, "report", "monthly", "--month", month, "--format", "json", "--data-dir", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r app.MonthlyReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if r.Month != month || r.Incidents.Count != 1 || r.Actions.OverdueNow != 1 || *r.Incidents.Items[0].DurationSeconds != 5400 {
			t.Errorf("report = %+v", r)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{name: "bad month", args: []string{"--month", "2026-13"}, want: "--month"},
		{name: "bad format", args: []string{"--format", "pdf"}, want: "format"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, environ, append([]string{"report", "monthly", "--data-dir", data}, tt.args...)...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d: %s", code, errOut)
			}
		})
	}
}
