package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/report"
)

// sentence splits prose into sentences (good enough for post-mortems).
var sentence = regexp.MustCompile(`[^.!?\n]+[.!?]?`)

func sentences(text string) []string {
	var out []string
	for _, s := range sentence.FindAllString(text, -1) {
		if s = strings.TrimSpace(s); len(s) > 20 {
			out = append(out, s)
		}
	}
	return out
}

// variant is how an incident commander might write up, live, the incident
// a real post-mortem describes: a title and summary from its summary, the
// services, and a chat timeline quoting every other sentence of its text —
// the same incident, told differently and only in part. withTimeline false
// is the incident as first opened: title and summary only.
func variant(t testing.TB, name string, withTimeline bool) (incident.Incident, []incident.TimelineEvent) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	imp, err := report.ParseMarkdownFile(name, raw)
	if err != nil {
		t.Fatal(err)
	}
	sum := sentences(imp.Incident.Summary)
	if len(sum) == 0 {
		t.Fatalf("%s has no summary", name)
	}
	title := sum[0]
	if len(title) > 120 {
		title = title[:120]
	}
	inc := incident.Incident{Title: "Investigating: " + title, Summary: strings.Join(sum[1:], " "),
		Services: imp.Incident.Services, Status: incident.StatusOpen,
		StartedAt: ptr(time.Date(2026, 11, 23, 1, 30, 0, 0, time.UTC))}
	if !withTimeline {
		return inc, nil
	}
	var body []string
	if imp.RCA != nil {
		for _, s := range imp.RCA.Sections {
			body = append(body, sentences(s.Body)...)
		}
	}
	var evs []incident.TimelineEvent
	for i := 1; i < len(body) && len(evs) < 40; i += 2 {
		evs = append(evs, incident.TimelineEvent{OccurredAt: inc.StartedAt.Add(time.Duration(i) * time.Minute),
			Source: "slack", Kind: incident.KindChat, Actor: "oncall", Body: body[i],
			ExternalID: fmt.Sprint("m", i)})
	}
	return inc, evs
}

// openVariant creates the variant as a new open incident.
func openVariant(t testing.TB, a *app.App, name string, withTimeline bool) incident.Incident {
	t.Helper()
	ctx := context.Background()
	in, evs := variant(t, name, withTimeline)
	inc, err := a.CreateIncident(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) > 0 {
		if _, err := a.AppendTimeline(ctx, inc.Key, evs); err != nil {
			t.Fatal(err)
		}
	}
	return inc
}
