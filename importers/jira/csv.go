package jira

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// isCSV reports whether data is not JSON (so it is read as a CSV export).
func isCSV(data []byte) bool {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	return len(t) > 0 && t[0] != '{' && t[0] != '['
}

// csvLayouts are the date formats of Jira CSV exports (the site's
// "dd/MMM/yy h:mm a" by default), read in Options.Location.
var csvLayouts = []string{
	"02/Jan/06 3:04 PM", "2/Jan/06 3:04 PM", "02/Jan/06 15:04", "02/Jan/2006 3:04 PM", "02/Jan/2006 15:04",
	"02/Jan/06 3:04:05 PM", "02/Jan/06", "2/Jan/06",
}

// csvTime reads a date of a CSV export: its own formats in loc, else
// anything importers.ParseTime reads.
func csvTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	for _, l := range csvLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil && incident.TimeInRange(t) {
			return t.UTC(), nil
		}
	}
	return importers.ParseTime(s, loc)
}

// csvRow is one row of the export, its columns by (repeated) name.
type csvRow struct {
	cols map[string][]string
}

func (r csvRow) get(names ...string) string {
	for _, n := range names {
		for _, v := range r.cols[strings.ToLower(n)] {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
	}
	return ""
}

func (r csvRow) all(name string) []string { return r.cols[strings.ToLower(name)] }

// parseCSV reads a Jira CSV export ("Export → CSV (all fields)"): one
// issue per row, repeated columns such as Comment, Watchers and Sprint.
// Rows whose cell count differs from the header's are rejected by line.
func parseCSV(ctx context.Context, data []byte, name string, opts importers.Options, sink importers.Sink) error {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: %s: not a CSV export: %v; want %s", Source, name, err, want)
	}
	keyCol := -1
	for i, h := range header {
		header[i] = strings.ToLower(strings.TrimSpace(h))
		if header[i] == "issue key" && keyCol < 0 {
			keyCol = i
		}
	}
	if keyCol < 0 {
		return fmt.Errorf("%s: %s: the CSV header has no \"Issue key\" column; want %s", Source, name, want)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			sink.Reject(importers.Rejection{File: name, Line: pe.StartLine, Reason: "not readable CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %w", Source, name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			sink.Reject(importers.Rejection{File: name, Line: line,
				Reason: fmt.Sprintf("the row has %d cells, the header %d", len(rec), len(header))})
			continue
		}
		row := csvRow{cols: map[string][]string{}}
		for i, v := range rec {
			row.cols[header[i]] = append(row.cols[header[i]], v)
		}
		c := &collector{loc: opts.Location}
		c.csvIssue(row)
		for _, rej := range c.rejects {
			sink.Reject(importers.Rejection{File: name, Line: line, Field: rej.Field, Reason: rej.Reason})
		}
		for _, e := range c.events {
			if err := sink.Event(e.Event(Source)); err != nil {
				return err
			}
		}
	}
}

// csvIssue turns one row into events: created, comments, worklogs and the
// resolution.
func (r *collector) csvIssue(row csvRow) {
	t := ticket{key: alertjson.ID(row.get("issue key")), title: plain(row.get("summary"))}
	if t.key == "" {
		r.reject("Issue key", "missing")
		return
	}
	t.incident = alertjson.TagRef(row.all("labels"))
	when := func(col string) (time.Time, string, bool) {
		text := row.get(col)
		at, err := csvTime(text, r.loc)
		if err != nil {
			r.reject(headerName(col), err.Error())
			return time.Time{}, "", false
		}
		return at, text, true
	}
	if row.get("created") != "" {
		if at, text, ok := when("created"); ok {
			extra := map[string]any{}
			for col, key := range map[string]string{"issue type": "issue_type", "project key": "project", "priority": "priority", "status": "status"} {
				if v := alertjson.Name(row.get(col)); v != "" {
					extra[key] = v
				}
			}
			r.add(t, importers.TicketEvent{ID: importers.TicketCreated, At: at, AtText: text, Subtype: importers.TicketCreated,
				Actor: alertjson.Name(row.get("reporter", "creator")), Body: clip(WikiToMarkdown(row.get("description"))), Extra: extra})
		}
	}
	if row.get("resolved") != "" {
		if at, text, ok := when("resolved"); ok {
			r.add(t, importers.TicketEvent{ID: "resolved", At: at, AtText: text, Subtype: importers.TicketStatus,
				Field: "resolution", To: alertjson.FirstOf(row.get("resolution"), row.get("status"), "Resolved")})
		}
	}
	for i, cell := range row.all("comment") {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		field := fmt.Sprintf("Comment[%d]", i+1)
		// "24/Nov/26 11:30 AM;557058:f1e2…;The body; may hold ;"
		date, rest, ok := strings.Cut(cell, ";")
		author, text, ok2 := strings.Cut(rest, ";")
		if !ok || !ok2 {
			r.reject(field, "want \"<date>;<author>;<text>\"")
			continue
		}
		at, err := csvTime(date, r.loc)
		if err != nil {
			r.reject(field, err.Error())
			continue
		}
		r.add(t, importers.TicketEvent{ID: "comment:csv:" + importers.StableID(strings.TrimSpace(date), strings.TrimSpace(author), text),
			At: at, AtText: strings.TrimSpace(date), Subtype: importers.TicketComment, Actor: alertjson.Name(author), Body: clip(WikiToMarkdown(text))})
	}
	for i, cell := range row.all("log work") {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		field := fmt.Sprintf("Log Work[%d]", i+1)
		// "<comment>;<date>;<author>;<seconds>"
		parts := strings.Split(cell, ";")
		if len(parts) < 4 {
			r.reject(field, "want \"<comment>;<date>;<author>;<seconds>\"")
			continue
		}
		n := len(parts)
		comment := strings.Join(parts[:n-3], ";")
		date, author, secs := strings.TrimSpace(parts[n-3]), parts[n-2], strings.TrimSpace(parts[n-1])
		at, err := csvTime(date, r.loc)
		if err != nil {
			r.reject(field, err.Error())
			continue
		}
		b := "Time spent: " + orDash(plain(seconds(secs)))
		if c := WikiToMarkdown(comment); c != "" {
			b += "\n\n" + c
		}
		r.add(t, importers.TicketEvent{ID: "worklog:csv:" + importers.StableID(cell), At: at, AtText: date,
			Subtype: importers.TicketWorklog, Actor: alertjson.Name(author), Body: clip(b), Extra: map[string]any{"time_spent": seconds(secs)}})
	}
}

// headerName writes a lower-cased column name as Jira does.
func headerName(col string) string {
	if col == "" {
		return col
	}
	return strings.ToUpper(col[:1]) + col[1:]
}
