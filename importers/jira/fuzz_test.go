package jira

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

func FuzzParse(f *testing.F) {
	for _, name := range []string{"issue_v2.json", "issue_v3.json", "search.json", "webhooks.jsonl", "export.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"key":"A-1","fields":{"summary":"<script>","created":"1","worklog":{"worklogs":[{"id":1,"started":"1700000000","timeSpent":"<b>"}]}},"renderedFields":{"description":"<img>"},"changelog":{"histories":[{"id":7,"created":"1700000000","items":[{"field":"<a>","toString":"<i>"}]}]}}`)
	f.Add(`[{"key":"A-1","fields":{"created":"2026-01-01","comment":[{"id":1,"created":"1700000000","body":{"type":"doc","content":[{"type":"x"}]}}]}}]`)
	f.Fuzz(func(t *testing.T, data string) {
		r := importertest.ParseString(New(), "in", data, importers.Options{})
		importertest.Check(t, importertest.Want{File: "in", Reason: true, Complete: true}, r.Events, r.Rejects)
		for _, e := range r.Events {
			if h := rawHTML(e.Body); h != "" {
				t.Fatalf("raw HTML %q in %q", h, e.Body)
			}
		}
	})
}

func FuzzWikiToMarkdown(f *testing.F) {
	for _, s := range []string{"h1. x\n*b* _i_ {{c}} [t|https://x.example] [~u]", "{code}<script>{code}", "||a||b||\n|c|d|", "{quote}q{quote}", "* a\n## b", "<img src=x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if h := rawHTML(WikiToMarkdown(s)); h != "" {
			t.Fatalf("raw HTML %q", h)
		}
	})
}

func FuzzADFToMarkdown(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "issue_v3.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add(`{"type":"doc","content":[{"type":"codeBlock","content":[{"type":"text","text":"` + "```" + `<b>"}]}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		out := ADFToMarkdown([]byte(s))
		if h := rawHTML(out); h != "" {
			t.Fatalf("raw HTML %q in %q", h, out)
		}
	})
}
