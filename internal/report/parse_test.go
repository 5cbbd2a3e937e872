package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hindsightrca/hindsight/internal/incident"
)

func TestReport_MarkdownRoundTrip(t *testing.T) {
	f := newFixture()
	// Bodies with edge newlines, headings, code and marker look-alikes.
	f.rca.Sections[0].Body = "\nCheckout returned errors.\n\n## A sub-heading inside the body\n\n```\n---\n```\n"
	f.rca.Sections[3].Body = "\n\n"
	f.rca.Sections = append(f.rca.Sections, incident.Section{
		Key: "lessons", Title: "Lessons: what went well | wrong", Body: "- fast rollback\n- slow paging  ", Audience: incident.AudienceInternal, Help: `say "-->" freely`,
	})
	md, err := RenderMarkdown(f.build(incident.AudienceInternal))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseMarkdown(md)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, md)
	}
	if got.SourceKey != "INC-7" {
		t.Errorf("SourceKey = %q", got.SourceKey)
	}
	wantInc := f.inc
	wantInc.ID, wantInc.Key, wantInc.Version = 0, "", 0
	if diff := cmp.Diff(wantInc, got.Incident); diff != "" {
		t.Errorf("incident (-want +got):\n%s", diff)
	}
	if got.RCA == nil {
		t.Fatal("no RCA")
	}
	if diff := cmp.Diff(f.rca.Sections, got.RCA.Sections); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if got.RCA.Template != "essentials" || got.RCA.Status != incident.RCADraft {
		t.Errorf("rca = %q %q", got.RCA.Template, got.RCA.Status)
	}
	// The hidden key event is not exported; the cited one is, unstarred.
	wantEvents := []incident.TimelineEvent{f.events[0], f.events[1]}
	if diff := cmp.Diff(wantEvents, got.Events, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	wantCauses := []incident.RootCause{{Category: "capacity", Description: "The database disk filled up.", EvidenceEventIDs: []int64{12}}}
	if diff := cmp.Diff(wantCauses, got.RootCauses); diff != "" {
		t.Errorf("root causes (-want +got):\n%s", diff)
	}
	wantAct := f.actions[0]
	wantAct.ID = 0
	if diff := cmp.Diff([]incident.CorrectiveAction{wantAct}, got.Actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

func TestReport_MarkdownFrontMatterIsCorpusCompatible(t *testing.T) {
	md, err := RenderMarkdown(newFixture().build(incident.AudienceInternal))
	if err != nil {
		t.Fatal(err)
	}
	fm, _, _ := strings.Cut(strings.TrimPrefix(string(md), "---\n"), "\n---\n")
	for _, key := range []string{"title:", "summary:", "start_time:", "end_time:", "categories:", "keywords:", "product:",
		"key: INC-7", "severity: SEV2", "status: resolved", "services:", "teams:", "tags:", "started_at:", "resolved_at:",
		"template: essentials", "rca_status: draft", "audience: internal", "hindsight_format: " + FormatVersion} {
		if !strings.Contains(fm, "\n"+key) && !strings.HasPrefix(fm, key) {
			t.Errorf("front matter lacks %q:\n%s", key, fm)
		}
	}
}

func TestReport_ParseCorpusStyle(t *testing.T) {
	src := `---
uuid: 0000
url: https://example.com/pm
title: Example storage outage
start_time: 2017-02-28T17:37:00Z
end_time: 2017-02-28T21:54:00Z
categories:
- cloud
keywords:
- s3
- outage
company: Example
product: Storage, Index
summary: A command removed too many servers.

---

On February 28 an incident began.

## Recovery

It recovered.

## Recovery
` + "```\n## not a heading\n```\n"
	got, err := ParseMarkdown([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	inc := got.Incident
	if inc.Title != "Example storage outage" || inc.Status != incident.StatusResolved || inc.StartedAt == nil || inc.ResolvedAt == nil ||
		strings.Join(inc.Tags, ",") != "s3,outage,company:Example,category:cloud" || strings.Join(inc.Services, ",") != "Storage,Index" ||
		inc.Summary != "A command removed too many servers.\n\nSource: https://example.com/pm" {
		t.Errorf("incident = %+v", inc)
	}
	var keys []string
	for _, s := range got.RCA.Sections {
		keys = append(keys, s.Key+"="+s.Body)
	}
	want := "description=On February 28 an incident began.|recovery=It recovered.|recovery-2=```\n## not a heading\n```"
	if strings.Join(keys, "|") != want {
		t.Errorf("sections = %q\nwant %q", strings.Join(keys, "|"), want)
	}
}

// TestReport_ParseCorpus reads the public post-mortem collection when it is
// next to the checkout: every file parses, those without a title too.
func TestReport_ParseCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/corpus/postmortems/*.md")
	if len(files) == 0 {
		t.Skip("corpus not present")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseMarkdownFile(p, b)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		} else if got.Incident.Title == "" {
			t.Errorf("%s: no title", filepath.Base(p))
		}
	}
}

func TestReport_ParseBOMAndCRLF(t *testing.T) {
	tests := []struct {
		name, src string
	}{
		{name: "bom and crlf", src: "\uFEFF---\r\ntitle: Outage\r\n---\r\n\r\n## Impact\r\n\r\nDown.\r\n"},
		{name: "crlf", src: "---\r\ntitle: Outage\r\n---\r\n\r\n## Impact\r\n\r\nDown.\r\n"},
		{name: "bom", src: "\uFEFF---\ntitle: Outage\n---\n\n## Impact\n\nDown.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMarkdown([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got.Incident.Title != "Outage" || got.RCA == nil || len(got.RCA.Sections) != 1 || got.RCA.Sections[0].Body != "Down." {
				t.Errorf("got %+v %+v", got.Incident, got.RCA)
			}
		})
	}
}

func TestReport_ParseFallbackTitle(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{name: "title wins", src: "---\ntitle: Given\ncompany: Acme\n---\n# Heading\n", want: "Given"},
		{name: "first heading", src: "---\ncompany: Acme\n---\n\n```\n# not this\n```\n# The **big** outage\n", want: "The big outage"},
		{name: "summary sentence", src: "---\ncompany: Acme\nsummary: Disks filled up. Then more.\n---\nBody text.\n", want: "Acme: Disks filled up."},
		{name: "body sentence", src: "---\ncompany: rust-lang\n---\n\n![img](x.png)\nOn 2023-07-20 all [crate](https://x) downloads were broken. More.\n", want: "rust-lang: On 2023-07-20 all crate downloads were broken."},
		{name: "file name", file: "/tmp/pm/heroku-2017.md", src: "---\ncompany: Heroku\n---\n", want: "Heroku: heroku-2017"},
		{name: "long sentence clipped", src: "---\nsummary: " + strings.Repeat("word ", 60) + "\n---\n", want: strings.TrimSpace(strings.Repeat("word ", 30)[:149]) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMarkdownFile(tt.file, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got.Incident.Title != tt.want {
				t.Errorf("title = %q, want %q", got.Incident.Title, tt.want)
			}
		})
	}
	if _, err := ParseMarkdown([]byte("---\nseverity: SEV2\n---\n")); err == nil {
		t.Error("a file with nothing to make a title from imported")
	}
}

func TestReport_ParseErrors(t *testing.T) {
	marker := `<!-- hindsight:section {"key":"a","audience":"internal"} -->`
	tests := []struct {
		name  string
		src   string
		field string
		msg   string
	}{
		{name: "no front matter", src: "# Title\n", field: "front_matter (line 1)", msg: "is required"},
		{name: "unclosed front matter", src: "---\ntitle: x\n", field: "front_matter (line 1)", msg: "not closed"},
		{name: "bad yaml", src: "---\ntitle: x\nseverity: [\n---\n", field: "front_matter (line 3)", msg: "not valid YAML"},
		{name: "wrong type", src: "---\ntitle: x\nservices: 3\n---\n", field: "front_matter (line 3)", msg: "cannot unmarshal"},
		{name: "unknown severity", src: "---\ntitle: x\n\nseverity: SEV9\n---\n", field: "severity (line 4)", msg: "must be one of"},
		{name: "lifecycle order", src: "---\ntitle: x\nstarted_at: 2026-01-02T00:00:00Z\nresolved_at: 2026-01-01T00:00:00Z\n---\n", field: "resolved_at (line 4)", msg: "must not be before"},
		{name: "bad due date", src: "---\ntitle: x\nactions:\n  - title: a\n    due_date: soon\n---\n", field: "actions[0].due_date (line 5)", msg: "is not a date"},
		{name: "unknown evidence", src: "---\ntitle: x\nroot_causes:\n  - category: deploy\n    description: d\n    evidence: [9]\n---\n", field: "root_causes[0].evidence[0] (line 6)", msg: "event 9"},
		{name: "marker json", src: "---\ntitle: x\n---\n\n<!-- hindsight:section {bad} -->\n## A\n", field: "sections[0] (line 5)", msg: "valid JSON"},
		{name: "marker without heading", src: "---\ntitle: x\n---\n" + marker + "\nno heading\n", field: "sections[0].title (line 5)", msg: "## Title"},
		{name: "unclosed generated block", src: "---\ntitle: x\n---\n" + marker + "\n## A\n\n" + generatedStart + "\n| x |\n", field: "sections[0].body (line 7)", msg: "not closed"},
		{name: "bad section audience", src: "---\ntitle: x\n---\n\n\n" + strings.Replace(marker, "internal", "everyone", 1) + "\n## A\n", field: "sections[0].audience (line 6)", msg: "must be one of"},
		{name: "future format", src: "---\ntitle: x\nhindsight_format: hindsight-rca/9\n---\n", field: "hindsight_format (line 3)", msg: "this version reads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMarkdown([]byte(tt.src))
			var v *incident.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			msg, ok := v.Fields[tt.field]
			if !ok || !strings.Contains(msg, tt.msg) {
				t.Errorf("fields = %v, want %q containing %q", v.Fields, tt.field, tt.msg)
			}
		})
	}
}
