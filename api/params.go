package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// query reads and checks query parameters, collecting every problem into one
// ValidationError named after the parameters.
type query struct {
	c    *gin.Context
	verr incident.ValidationError
}

func newQuery(c *gin.Context) *query { return &query{c: c} }

// err returns the collected problems, or nil.
func (q *query) err() error { return q.verr.Err() }

// str returns a trimmed single-valued parameter.
func (q *query) str(name string) string { return strings.TrimSpace(q.c.Query(name)) }

// list returns a parameter given repeatedly and/or comma-separated.
func (q *query) list(name string) []string {
	var out []string
	for _, v := range q.c.QueryArray(name) {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// enums returns list(name) checked against all.
func enums[T ~string](q *query, name string, all []T, norm func(string) string) []T {
	var out []T
	for _, v := range q.list(name) {
		if norm != nil {
			v = norm(v)
		}
		if !contains(all, T(v)) {
			q.verr.Add(name, "must be one of "+join(all))
			continue
		}
		out = append(out, T(v))
	}
	return out
}

// enum is enums for a single value ("" when absent).
func enum[T ~string](q *query, name string, all []T) T {
	v := q.str(name)
	if v == "" {
		return ""
	}
	if !contains(all, T(v)) {
		q.verr.Add(name, "must be one of "+join(all))
		return ""
	}
	return T(v)
}

// boolean reads true/false (also 1/0); absent is false.
func (q *query) boolean(name string) bool {
	v := q.str(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		q.verr.Add(name, "must be true or false")
	}
	return b
}

// time reads an RFC 3339 time or a YYYY-MM-DD day (midnight UTC).
func (q *query) time(name string) *time.Time {
	v := q.str(name)
	if v == "" {
		return nil
	}
	// An offset typed into a URL unencoded ("+01:00") arrives as a space.
	v = strings.ReplaceAll(v, " ", "+")
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t, err = time.Parse(time.DateOnly, v)
	}
	switch {
	case err != nil:
		q.verr.Add(name, "must be an RFC 3339 time or a date YYYY-MM-DD")
	case !incident.TimeInRange(t):
		q.verr.Add(name, "must be between years 0001 and 9999 (UTC)")
	default:
		return &t
	}
	return nil
}

// date reads a YYYY-MM-DD day.
func (q *query) date(name string) *incident.Date {
	v := q.str(name)
	if v == "" {
		return nil
	}
	d, err := incident.ParseDate(v)
	if err != nil {
		q.verr.Add(name, "must be a date YYYY-MM-DD")
		return nil
	}
	return &d
}

// limit reads the page size, 1..MaxLimit, default DefaultLimit.
func (q *query) limit() int {
	v := q.str("limit")
	if v == "" {
		return incident.DefaultLimit
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > incident.MaxLimit {
		q.verr.Add("limit", "must be an integer from 1 to "+strconv.Itoa(incident.MaxLimit))
		return incident.DefaultLimit
	}
	return n
}

// cursor decodes the opaque page token.
func (q *query) cursor() *incident.Cursor {
	cur, err := incident.DecodeCursor(q.str("cursor"))
	if err != nil {
		q.verr.Add("cursor", "is not a cursor this server gave out")
		return nil
	}
	return cur
}

// sort reads "field" or "-field" (descending) from the allowed fields.
func (q *query) sort(allowed []string, def incident.SortOrder) incident.SortOrder {
	v := q.str("sort")
	if v == "" {
		return def
	}
	field, desc := strings.CutPrefix(v, "-")
	if !contains(allowed, field) {
		q.verr.Add("sort", "must be one of "+strings.Join(allowed, ", ")+" (prefix - for descending)")
		return def
	}
	return incident.SortOrder{Field: field, Desc: desc}
}

// idParam reads a numeric path id; anything else is the object's 404, since
// no such object can exist.
func idParam(c *gin.Context, name, object string) (int64, error) {
	raw := c.Param(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, incident.NotFound(object, raw)
	}
	return id, nil
}

func contains[T comparable](all []T, v T) bool {
	for _, a := range all {
		if a == v {
			return true
		}
	}
	return false
}

func join[T ~string](all []T) string {
	s := make([]string, len(all))
	for i, a := range all {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// created answers 201 with a Location header.
func created(c *gin.Context, location string, body any) {
	c.Header("Location", location)
	c.JSON(http.StatusCreated, body)
}
