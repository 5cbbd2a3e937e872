// Package generic reads timelines kept in CSV files or JSON Lines, for every
// tool without its own importer. Options.Mapping says which column or field
// holds what; without it common names are tried.
package generic

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Fields lists the event fields a mapping may name, in the order rows are
// checked.
var Fields = []string{"time", "actor", "text", "id", "thread", "kind", "link", "source"}

// defaults are the names tried, case-insensitively, for fields the mapping
// leaves out.
var defaults = map[string][]string{
	"time":   {"time", "timestamp", "ts", "date"},
	"actor":  {"actor", "user", "author", "from"},
	"text":   {"text", "message", "body"},
	"id":     {"id"},
	"thread": {"thread"},
	"kind":   {"kind"},
	"link":   {"link", "url"},
	"source": {"source"},
}

var sourceRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)

// TimeFormat is the mapping key that gives the layout of the time column
// when it is in none of the formats ParseTime knows, e.g. a spreadsheet's
// local format: --map 'time=Time,time_format=02.01.2006 15:04' (a Go layout).
const TimeFormat = "time_format"

// checkMapping refuses unknown fields and empty column names.
func checkMapping(m map[string]string) error {
	for k, v := range m {
		if k == TimeFormat {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("mapping: %s is empty", TimeFormat)
			}
			continue
		}
		known := false
		for _, f := range Fields {
			known = known || f == k
		}
		if !known {
			return fmt.Errorf("mapping: unknown field %q (want one of %s)", k, strings.Join(Fields, ", "))
		}
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("mapping: field %q maps to an empty name", k)
		}
	}
	return nil
}

// getter returns the value of one of our fields in the current row and the
// input's name for it (for rejections); ok is false when the row lacks it.
type getter func(field string) (value, name string, ok bool)

// build turns one row into an event, or a rejection naming the field.
func build(source, file string, line int, get getter, loc *time.Location, layout string) (incident.TimelineEvent, *importers.Rejection) {
	reject := func(field, reason string) (incident.TimelineEvent, *importers.Rejection) {
		return incident.TimelineEvent{}, &importers.Rejection{File: file, Line: line, Field: field, Reason: reason}
	}
	timeText, timeName, ok := get("time")
	timeText = strings.TrimSpace(timeText)
	if !ok || timeText == "" {
		return reject(timeName, "row has no timestamp")
	}
	at, err := parseTime(timeText, loc, layout)
	if err != nil {
		return reject(timeName, err.Error())
	}
	text, textName, _ := get("text")
	text = importers.NormalizeText(text)
	if text == "" {
		return reject(textName, "row has no text")
	}
	e := incident.TimelineEvent{
		OccurredAt:     at,
		OccurredAtText: timeText,
		Source:         source,
		Kind:           incident.KindNote,
		Body:           text,
		Metadata:       map[string]any{"file": file},
	}
	e.Actor, _, _ = get("actor")
	e.Actor = importers.NormalizeText(e.Actor)
	e.ThreadID, _, _ = get("thread")
	e.ThreadID = strings.TrimSpace(e.ThreadID)
	if k, name, _ := get("kind"); strings.TrimSpace(k) != "" {
		e.Kind = incident.EventKind(strings.ToLower(strings.TrimSpace(k)))
		if !e.Kind.Valid() {
			return reject(name, fmt.Sprintf("kind %q is not one of chat, alert, ticket, status, call, note, change", k))
		}
	}
	if l, name, _ := get("link"); strings.TrimSpace(l) != "" {
		e.Link = strings.TrimSpace(l)
		if !strings.HasPrefix(e.Link, "https://") && !strings.HasPrefix(e.Link, "http://") {
			return reject(name, "link must be an http(s) URL")
		}
	}
	if s, name, _ := get("source"); strings.TrimSpace(s) != "" {
		e.Source = strings.ToLower(strings.TrimSpace(s))
		if !sourceRe.MatchString(e.Source) {
			return reject(name, fmt.Sprintf("source %q must be a lower-case name such as pagerduty", s))
		}
	}
	if id, _, _ := get("id"); strings.TrimSpace(id) != "" {
		e.ExternalID = strings.TrimSpace(id)
	} else {
		e.ExternalID = contentID(at, e.Actor, text)
	}
	return e, nil
}

// contentID names a row without an id by what it says, so importing the
// same rows again finds them as duplicates.
func contentID(at time.Time, actor, text string) string {
	sum := sha256.Sum256([]byte(at.UTC().Format(time.RFC3339Nano) + "\x00" + actor + "\x00" + text))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// eachFile calls fn for the single file of in, or for every file of the
// folder whose extension is one of exts, in name order.
func eachFile(source string, in importers.Input, exts []string, fn func(name string, r io.Reader) error) error {
	if in.FS == nil {
		if in.Open == nil {
			return fmt.Errorf("%s: %s: nothing to read", source, in.Name)
		}
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("%s: open %s: %w", source, in.Name, err)
		}
		defer rc.Close()
		return fn(path.Base(in.Name), rc)
	}
	var files []string
	err := fs.WalkDir(in.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		for _, ext := range exts {
			if !d.IsDir() && strings.EqualFold(path.Ext(name), ext) {
				files = append(files, name)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: read %s: %w", source, in.Name, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: %s: no %s files", source, in.Name, strings.Join(exts, " or "))
	}
	sort.Strings(files)
	for _, name := range files {
		f, err := in.FS.Open(name)
		if err != nil {
			return fmt.Errorf("%s: open %s: %w", source, name, err)
		}
		err = fn(name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// parseTime reads a row's time with the mapping's layout when one is given
// (in loc, UTC by default), else with the formats ParseTime knows.
func parseTime(text string, loc *time.Location, layout string) (time.Time, error) {
	if layout == "" {
		return importers.ParseTime(text, loc)
	}
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(layout, text, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q does not match %s %q", text, TimeFormat, layout)
	}
	return t.UTC(), nil
}
