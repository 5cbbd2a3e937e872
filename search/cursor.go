package search

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Pages continue after a sort position, not at an offset (search_after):
// a next_cursor carries the last hit's place in the sort — its score or
// its date, and its id — and the next page asks for the hits strictly
// after it. Every order ends with the incident id (page.go), so it is
// total and a page boundary inside a run of equal scores or dates is
// exact, on every page and across shards.
//
// An offset moved whenever anything before it did: a write or a merge
// between two requests that added, removed or re-scored a hit ahead of
// the offset made the next page repeat or skip one. A position does not
// move with the hits around it. A score does move, though: bleve ranks
// with word statistics that every write and merge changes, so one
// score's number means something else a moment later. The next page
// therefore scores the last hit again, in the index as it is then
// (anchorScore), and continues after that — unless the hit's shards have
// not changed since, when its score is still the one the cursor carries
// (snapmark.go). A hit whose place relative to
// the last hit did not change is then neither repeated nor skipped; one
// that crossed it — edited, or re-ranked by the new statistics past it —
// may be missed or shown twice, as with any cursor over a changing index.

// ErrBadCursor says a cursor was not made by this search (or this sort).
// The errors Search returns for a cursor are *CursorError, which match it.
var ErrBadCursor = errors.New("search: the cursor does not belong to this search")

// CursorError says why a cursor was refused. It matches ErrBadCursor.
type CursorError struct {
	// Reason completes "the cursor …" ("is not a cursor this server gave
	// out").
	Reason string
}

// Error implements error.
func (e *CursorError) Error() string { return "search: the cursor " + e.Reason }

// Is makes a CursorError match ErrBadCursor.
func (e *CursorError) Is(target error) bool { return target == ErrBadCursor }

// Reasons a cursor is refused.
const (
	reasonMalformed = "is not a cursor this server gave out"
	reasonOld       = "was made by an earlier version of the server (pages now continue after a position, not at an offset)"
	reasonOther     = "belongs to another search (give the same q, filters and sort as the page it came with)"
)

// The errors of a refused cursor, a new value each time: a caller may
// change the one it gets (Reason is a plain field) without changing what
// the next caller is told.
func errCursorMalformed() error { return &CursorError{Reason: reasonMalformed} }
func errCursorOld() error       { return &CursorError{Reason: reasonOld} }
func errCursorOther() error     { return &CursorError{Reason: reasonOther} }

// cursorVersion is the shape of the cursors made now. Version 1 (no "v"
// field) carried an offset; such cursors are refused with errCursorOld,
// as a client starting the list again loses nothing but its place.
const cursorVersion = 2

// cursor is what a next_cursor carries, as base64 of this JSON.
type cursor struct {
	V    int    `json:"v"`
	Mode string `json:"m"`
	// Of identifies the search (query, filters, sort, viewer) the cursor
	// continues, and how its words are matched (Fuzzy, Any), so one cannot
	// be used with another, nor edited to match the words otherwise (see
	// searchHash). (It is no secret: a cursor only says where a list is,
	// and every page applies the viewer's visibility itself.)
	Of string `json:"q"`
	// Fuzzy remembers that the first page fell back to typo matching, so
	// the next pages do too.
	Fuzzy bool `json:"f,omitempty"`
	// Any remembers that the first page fell back to any of the words.
	Any bool `json:"y,omitempty"`
	// Literal remembers that the first page read the exclusions as text
	// (Query.exclusionsAsText).
	Literal bool `json:"l,omitempty"`
	// ID is the last hit's incident id.
	ID int64 `json:"i"`
	// Score is the last hit's score (relevance only) when it is finite.
	Score *float64 `json:"s,omitempty"`
	// Inf is the last hit's score when it is not (relevance only): 1 for
	// +Inf, -1 for -Inf and NaN, which a page orders as -Inf (pageOrder).
	// JSON has no number for them.
	Inf int `json:"n,omitempty"`
	// Snap marks the snapshot the last hit's score is of (relevance only;
	// snapmark.go): when it still is the index's, the score stands and
	// the hit is not scored again. Empty when not known.
	Snap string `json:"e,omitempty"`
	// When is the last hit's date in Unix nanoseconds (date sorts only);
	// nil when it is undated (undated incidents come last).
	When *int64 `json:"w,omitempty"`
	// Offset is only read, to recognise a cursor of version 1.
	Offset int `json:"o,omitempty"`
}

func encodeCursor(c cursor) (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("search: make a cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeCursor reads a cursor and checks it is whole for its mode (not
// that it belongs to the search: see Search).
func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !plainCursor(b) {
		return c, errCursorMalformed()
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, errCursorMalformed()
	}
	if c.V == 0 && c.Offset > 0 {
		return c, errCursorOld()
	}
	if c.V != cursorVersion || c.Offset != 0 || c.ID <= 0 || len(c.Snap) > maxSnapMark {
		return c, errCursorMalformed()
	}
	switch c.Mode {
	case SortRelevance:
		// A finite score, or else which infinity.
		finite := c.Score != nil && !math.IsNaN(*c.Score) && !math.IsInf(*c.Score, 0) && c.Inf == 0
		infinite := c.Score == nil && (c.Inf == 1 || c.Inf == -1)
		if !finite && !infinite || c.When != nil {
			return c, errCursorMalformed()
		}
	case SortNewest, SortOldest:
		if c.Score != nil || c.Inf != 0 || c.Snap != "" {
			return c, errCursorMalformed()
		}
	default:
		return c, errCursorMalformed()
	}
	return c, nil
}

// cursorKeys are the JSON keys of a cursor, as its fields' tags spell
// them.
var cursorKeys = func() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeFor[cursor]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		keys[name] = true
	}
	return keys
}()

// plainCursor reports whether b is one JSON object of a cursor's keys
// spelt as encodeCursor spells them, each at most once, with a plain value
// each (no object or array), and nothing after it. (encoding/json alone
// takes a key in any case, the last of a repeated one, and stops reading
// at the end of the first value.)
func plainCursor(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		key, ok := t.(string)
		if err != nil || !ok || !cursorKeys[key] || seen[key] {
			return false
		}
		seen[key] = true
		t, err = dec.Token()
		if _, nested := t.(json.Delim); err != nil || nested {
			return false
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return false
	}
	_, err := dec.Token()
	return err == io.EOF
}

// requestHash is a short hash of what makes a search the same search,
// its words matched as typed (searchHash).
func requestHash(req Request) string { return searchHash(req, false, false, false) }

// searchHash is a short hash of what makes a search the same search: the
// request but its page (cursor, size, facets), and whether its words are
// matched with typos (fuzzy) or any of them (anyWord), or its exclusions
// read as text (literal). The first page chooses those, so the cursor
// carries them (cursor.Fuzzy, Any, Literal); the hash covering them keeps
// a cursor edited by hand from turning one on (or off) for the pages
// after one that matched the words otherwise. (A search matched as typed
// hashes as it did before they were covered, so its cursors given out
// then still hold.)
func searchHash(req Request, fuzzy, anyWord, literal bool) string {
	r := req
	r.Cursor, r.Limit, r.NoFacets = "", 0, false
	b, _ := json.Marshal(r)
	h := fnv.New64a()
	h.Write(b)
	if fuzzy {
		h.Write([]byte("\x00fuzzy"))
	}
	if anyWord {
		h.Write([]byte("\x00any"))
	}
	if literal {
		h.Write([]byte("\x00literal"))
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// sortOrder is the bleve sort of a mode: the score, or the date (bleve
// puts an incident without one last). The page's order adds the incident
// id (pageOrder); bleve only scores or reads the date of each match.
func sortOrder(mode string) bsearch.SortOrder {
	switch mode {
	case SortNewest, SortOldest:
		return bsearch.SortOrder{&bsearch.SortField{Field: FieldWhen, Type: bsearch.SortFieldAsDate, Desc: mode == SortNewest}}
	}
	return bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
}

// nextCursor is c (its search) continuing after h, the last hit of a
// page sorted by c.Mode (h.Sort holds the sort's values). mark, when set,
// is the snapshot mark of an incident's score (by relevance; snapmark.go).
func nextCursor(h *bsearch.DocumentMatch, c cursor, mark func(id int64) string) (string, error) {
	c, err := cursorAfter(h, c, mark)
	if err != nil {
		return "", err
	}
	return encodeCursor(c)
}

// cursorAfter is c (its search) continuing after h (see nextCursor).
func cursorAfter(h *bsearch.DocumentMatch, c cursor, mark func(id int64) string) (cursor, error) {
	c.V = cursorVersion
	id, err := strconv.ParseInt(h.ID, 10, 64)
	if err != nil || id <= 0 {
		return c, fmt.Errorf("search: a hit with id %q cannot be paged past", h.ID)
	}
	c.ID = id
	switch c.Mode {
	case SortRelevance:
		// (A score that is not finite — bleve can leave a NaN — is paged
		// past like any other, never failing the search.)
		switch s := orderScore(h.Score); {
		case math.IsInf(s, 1):
			c.Inf = 1
		case math.IsInf(s, -1):
			c.Inf = -1
		default:
			c.Score = &s
		}
		if mark != nil {
			c.Snap = mark(id)
		}
	default:
		if len(h.Sort) == 0 {
			return c, fmt.Errorf("search: incident %s has no date sort value", h.ID)
		}
		if v := h.Sort[0]; v != bsearch.LowTerm && v != bsearch.HighTerm {
			n, err := numeric.PrefixCoded(v).Int64()
			if err != nil {
				return c, fmt.Errorf("search: incident %s: date sort value: %w", h.ID, err)
			}
			c.When = &n
		}
	}
	return c, nil
}

// score is the score of the last hit of a cursor by relevance, as a page
// orders it (NaN is -Inf).
func (c cursor) score() float64 {
	if c.Inf != 0 {
		return math.Inf(c.Inf)
	}
	if c.Score == nil {
		return math.Inf(-1) // (decodeCursor refuses such a cursor by relevance)
	}
	return *c.Score
}

// CursorAfter is a cursor continuing r's list after r.Items[i], for a
// caller that leaves out the items after it. The database has the last
// word on who may see an incident (the index may not have taken in a
// restriction yet); when the caller leaves out the page's last items,
// NextCursor — which names the last one, its score or date — must not
// reach the viewer, and the list continues after the last item shown.
func (r Result) CursorAfter(i int) (string, error) {
	if i < 0 || i >= len(r.after) || r.after[i].V != cursorVersion {
		return "", fmt.Errorf("search: the list cannot be continued after item %d", i)
	}
	return encodeCursor(r.after[i])
}

// afterHit is the position of c in the search full of idx: by
// relevance, the last hit with the score it has now — the one c carries
// when it stands (snapmark.go), else scored again (anchorScore).
func afterHit(ctx context.Context, idx *shardIndex, full query.Query, c cursor, stands bool) (*pageHit, error) {
	h := &pageHit{id: strconv.FormatInt(c.ID, 10)}
	switch c.Mode {
	case SortRelevance:
		if stands {
			h.score = c.score()
			break
		}
		score, err := anchorScore(ctx, idx, full, c)
		if err != nil {
			return nil, err
		}
		h.score = score
	case SortNewest:
		h.when = bsearch.LowTerm // undated: bleve's value for a missing date, last
	default:
		h.when = bsearch.HighTerm
	}
	if c.When != nil {
		h.when = string(numeric.MustNewPrefixCodedInt64(*c.When, 0))
	}
	return h, nil
}
