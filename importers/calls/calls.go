// Package calls reads the transcripts of a bridge call, WebVTT (.vtt) and
// SubRip (.srt), into call events dated from the call's start, and builds
// manual "who called whom" events.
package calls

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// ErrNoCallStart is returned when Options.CallStart is missing: cue times are
// offsets and mean nothing without it.
var ErrNoCallStart = errors.New("calls: call_start is required: cue times in a transcript are offsets from when the call began")

// maxLine caps one transcript line.
const maxLine = 1 << 20

// Importer reads WebVTT and SRT transcripts. The zero value is ready to use.
type Importer struct{}

// New returns a call transcript importer.
func New() *Importer { return &Importer{} }

// Source implements importers.Importer.
func (*Importer) Source() string { return "call" }

// Parse implements importers.Importer. The format is told by the "WEBVTT"
// header; anything else is read as SRT. A folder or zip is read file by file
// (.vtt and .srt only). One event per cue: speaker from a <v Name> voice tag
// or a "Name: " prefix, OccurredAt = CallStart + cue start.
func (im *Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	if opts.CallStart == nil || opts.CallStart.IsZero() {
		return ErrNoCallStart
	}
	start := *opts.CallStart
	if in.FS == nil {
		if in.Open == nil {
			return fmt.Errorf("calls: %s: nothing to read", in.Name)
		}
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("calls: open %s: %w", in.Name, err)
		}
		defer rc.Close()
		return parseFile(ctx, path.Base(in.Name), rc, start, sink)
	}
	var files []string
	err := fs.WalkDir(in.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := strings.ToLower(path.Ext(name)); !d.IsDir() && (ext == ".vtt" || ext == ".srt") {
			files = append(files, name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("calls: read %s: %w", in.Name, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("calls: %s: no .vtt or .srt transcript", in.Name)
	}
	sort.Strings(files)
	for _, name := range files {
		f, err := in.FS.Open(name)
		if err != nil {
			return fmt.Errorf("calls: open %s: %w", name, err)
		}
		err = parseFile(ctx, name, f, start, sink)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// block is a run of non-blank lines; line is the 1-based line of its first.
type block struct {
	line  int
	lines []string
}

// parseFile reads one transcript.
func parseFile(ctx context.Context, name string, r io.Reader, start time.Time, sink importers.Sink) error {
	blocks, err := readBlocks(r)
	if err != nil {
		return fmt.Errorf("calls: %s: %w", name, err)
	}
	if len(blocks) == 0 {
		return fmt.Errorf("calls: %s: empty transcript", name)
	}
	format := "srt"
	if first := blocks[0].lines[0]; first == "WEBVTT" || strings.HasPrefix(first, "WEBVTT ") || strings.HasPrefix(first, "WEBVTT\t") {
		format = "webvtt"
		blocks = blocks[1:]
	}
	index := 0
	for _, b := range blocks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if format == "webvtt" && isMeta(b.lines[0]) {
			continue
		}
		index++
		c, rej := parseCue(b)
		if rej != nil {
			rej.File = name
			sink.Reject(*rej)
			continue
		}
		if c.text == "" {
			continue // an empty cue clears the screen; it says nothing
		}
		id := c.id
		if id == "" || len(id) > 200 {
			id = fmt.Sprint(index)
		}
		e := incident.TimelineEvent{
			OccurredAt:     start.Add(c.start).UTC(),
			OccurredAtText: c.startText,
			Source:         "call",
			Kind:           incident.KindCall,
			Actor:          c.speaker,
			Body:           c.text,
			ExternalID:     name + "#" + id,
			Metadata: map[string]any{
				"format": format,
				"file":   name,
				"start":  c.startText,
				"end":    c.endText,
			},
		}
		if err := sink.Event(e); err != nil {
			return err
		}
	}
	return nil
}

// isMeta tells the WebVTT blocks that are not cues.
func isMeta(first string) bool {
	for _, kw := range []string{"NOTE", "STYLE", "REGION"} {
		if first == kw || strings.HasPrefix(first, kw+" ") || strings.HasPrefix(first, kw+"\t") {
			return true
		}
	}
	return false
}

// readBlocks splits the input at blank lines, accepting LF, CRLF and CR line
// ends and a leading BOM.
func readBlocks(r io.Reader) ([]block, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	sc.Split(scanLines)
	var (
		out []block
		cur *block
		n   int
	)
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if strings.TrimSpace(line) == "" {
			cur = nil
			continue
		}
		if cur == nil {
			out = append(out, block{line: n})
			cur = &out[len(out)-1]
		}
		cur.lines = append(cur.lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return out, nil
}

// scanLines is bufio.ScanLines that also ends a line at a lone CR.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	for i, c := range data {
		switch c {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // need more data to see if LF follows
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
