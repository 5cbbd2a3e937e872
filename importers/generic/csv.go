package generic

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// CSV reads comma-, semicolon- or tab-separated files with a header row
// (RFC 4180 quoting, a leading BOM tolerated). The zero value is ready.
type CSV struct{}

// NewCSV returns the CSV importer.
func NewCSV() *CSV { return &CSV{} }

// Source implements importers.Importer.
func (*CSV) Source() string { return "csv" }

// Parse implements importers.Importer. A mapped column missing from the
// header, or no column for time or text, stops the import with an error
// that lists the columns; a bad row is rejected with its line and column.
func (*CSV) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	if err := checkMapping(opts.Mapping); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return eachFile("csv", in, []string{".csv", ".tsv"}, func(name string, r io.Reader) error {
		return parseCSV(ctx, name, r, opts, sink)
	})
}

func parseCSV(ctx context.Context, name string, r io.Reader, opts importers.Options, sink importers.Sink) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\uFEFF")) {
		br.Discard(3)
	}
	head, _ := br.Peek(64 << 10)
	cr := csv.NewReader(br)
	cr.Comma = delimiter(head)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("csv: %s: empty file: a header row is required", name)
	}
	if err != nil {
		return fmt.Errorf("csv: %s: header: %w", name, err)
	}
	cols, err := columns(header, opts.Mapping)
	if err != nil {
		return fmt.Errorf("csv: %s: %w", name, err)
	}
	var row []string
	get := func(field string) (string, string, bool) {
		i, ok := cols[field]
		if !ok {
			return "", field, false
		}
		if i >= len(row) {
			return "", header[i], false
		}
		return row[i], header[i], true
	}
	lastOff := int64(-1)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err = cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			if cr.InputOffset() == lastOff {
				return fmt.Errorf("csv: %s: line %d: %w", name, perr.StartLine, perr.Err)
			}
			lastOff = cr.InputOffset()
			sink.Reject(importers.Rejection{File: name, Line: perr.StartLine, Reason: perr.Err.Error()})
			continue
		}
		if err != nil {
			return fmt.Errorf("csv: %s: %w", name, err)
		}
		lastOff = cr.InputOffset()
		line, _ := cr.FieldPos(0)
		e, rej := build("csv", name, line, get, opts.Location, opts.Mapping[TimeFormat])
		if rej != nil {
			sink.Reject(*rej)
			continue
		}
		if err := sink.Event(e); err != nil {
			return err
		}
	}
}

// columns finds the column of each field: the mapped name (exact, then
// ignoring case), else the first default name present.
func columns(header []string, mapping map[string]string) (map[string]int, error) {
	find := func(name string) (int, bool) {
		for i, h := range header {
			if h == name {
				return i, true
			}
		}
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(name)) {
				return i, true
			}
		}
		return 0, false
	}
	cols := map[string]int{}
	for _, f := range Fields {
		if want, ok := mapping[f]; ok {
			i, found := find(want)
			if !found {
				return nil, fmt.Errorf("mapping %s=%s: no column %q in the header (columns: %s)", f, want, want, strings.Join(header, ", "))
			}
			cols[f] = i
			continue
		}
		for _, d := range defaults[f] {
			if i, found := find(d); found {
				cols[f] = i
				break
			}
		}
	}
	for _, f := range []string{"time", "text"} {
		if _, ok := cols[f]; !ok {
			return nil, fmt.Errorf("no %s column: name one with --map %s=<column> (tried %s; columns: %s)",
				f, f, strings.Join(defaults[f], ", "), strings.Join(header, ", "))
		}
	}
	return cols, nil
}

// delimiter picks ',', ';' or tab by counting them outside quotes on the
// first line.
func delimiter(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (c == '\n' || c == '\r') {
			break
		}
		if !quoted && (c == ',' || c == ';' || c == '\t') {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}
