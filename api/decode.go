package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// decodeJSON reads the request body into dst, strictly: the whole body must
// be one JSON value of dst's shape with no unknown fields. Problems come back
// as errors renderError understands:
//
//   - 413 body_too_large when the body is over the limit;
//   - 400 malformed_json for an empty body, bad syntax or trailing data;
//   - 422 validation_failed naming the field for unknown fields and values
//     of the wrong type.
func decodeJSON(c *gin.Context, dst any) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	b, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeBytes(b, dst, "")
}

// requireJSON refuses a body that does not say it is JSON when the
// request is authenticated by the session cookie (415). A cross-site form
// can post text/plain, form or multipart bodies with the victim's cookie and
// no preflight; refusing them keeps a JSON route out of its reach even if
// the cross-origin check missed one. Bearer-token clients, which a browser
// cannot forge, may leave the type out.
func requireJSON(c *gin.Context) error {
	if c.GetHeader("Authorization") != "" {
		return nil
	}
	if _, err := c.Request.Cookie(sessionCookie); err != nil {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return &httpError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
		Message: "send the body as JSON with Content-Type: application/json"}
}

// readBody reads the whole (size-limited) body and refuses an empty one.
func readBody(c *gin.Context) ([]byte, error) {
	if c.Request.Body == nil {
		return nil, malformed("request body is empty")
	}
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &httpError{Status: http.StatusBadRequest, Code: "malformed_json", Message: "could not read the request body", Cause: err}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, malformed("request body is empty")
	}
	return b, nil
}

// decodeBytes is decodeJSON on bytes already read; field names in errors get
// prefix ("events[2].").
func decodeBytes(b []byte, dst any, prefix string) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if rest := bytes.TrimSpace(b[dec.InputOffset():]); len(rest) > 0 {
			line, col := position(b, int(dec.InputOffset())+bytes.Index(b[dec.InputOffset():], rest[:1]))
			return malformed("unexpected data after the JSON value at line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col))
		}
		return nil
	}

	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		line, col := position(b, int(syn.Offset)-1) // Offset is just past the bad byte
		return malformed("invalid JSON at line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) + ": " + strings.TrimPrefix(syn.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return malformed("the JSON ends too early")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = strings.TrimSuffix(prefix, ".")
			if field == "" {
				return incident.Invalid("request_body", typeMessage(typ.Type))
			}
			return incident.Invalid(field, typeMessage(typ.Type))
		}
		return incident.Invalid(prefix+field, typeMessage(typ.Type))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return incident.Invalid(prefix+name, "unknown field")
	}
	return malformed("invalid JSON: " + strings.TrimPrefix(err.Error(), "json: "))
}

func malformed(msg string) error {
	return &httpError{Status: http.StatusBadRequest, Code: "malformed_json", Message: msg}
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, offset int) (line, col int) {
	offset = min(max(offset, 0), len(b))
	before := b[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = offset - bytes.LastIndexByte(before, '\n')
	return line, col
}

var (
	timeValueType = reflect.TypeFor[timeValue]()
	dateValueType = reflect.TypeFor[dateValue]()
)

// typeMessage says what a field must be, from the Go type it decodes into.
func typeMessage(t reflect.Type) string {
	if t == nil {
		return "has the wrong type"
	}
	switch t {
	case timeValueType:
		return "must be an RFC 3339 time such as 2026-01-02T15:04:05Z"
	case dateValueType:
		return "must be a date YYYY-MM-DD"
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "must be an integer"
	case reflect.Float32, reflect.Float64:
		return "must be a number"
	case reflect.Slice, reflect.Array:
		return "must be an array"
	case reflect.Map, reflect.Struct:
		return "must be an object"
	case reflect.Pointer:
		return typeMessage(t.Elem())
	}
	return "has the wrong type"
}

// ignored is a read-only field that clients may echo back from a GET; it is
// accepted and thrown away.
type ignored = json.RawMessage

// timeValue is a time in a request: RFC 3339 with an offset. A bad value is
// reported as a type error so the decoder names the field.
type timeValue time.Time

// UnmarshalJSON implements json.Unmarshaler.
func (t *timeValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string", Type: timeValueType}
	}
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: timeValueType}
	}
	*t = timeValue(p)
	return nil
}

// ptr converts an optional request time to the domain's optional time.
func (t *timeValue) ptr() *time.Time {
	if t == nil {
		return nil
	}
	u := time.Time(*t)
	return &u
}

// dateValue is a calendar day in a request, YYYY-MM-DD.
type dateValue incident.Date

// UnmarshalJSON implements json.Unmarshaler.
func (d *dateValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string", Type: dateValueType}
	}
	p, err := incident.ParseDate(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: dateValueType}
	}
	*d = dateValue(p)
	return nil
}

// ptr converts an optional request date to the domain's optional date.
func (d *dateValue) ptr() *incident.Date {
	if d == nil {
		return nil
	}
	u := incident.Date(*d)
	return &u
}

// optTime converts an optional-and-nullable request time.
func optTime(o incident.Opt[*timeValue]) incident.Opt[*time.Time] {
	return incident.Opt[*time.Time]{Set: o.Set, Value: o.Value.ptr()}
}

// versioned is a write request that may carry the version it expects.
type versioned interface{ bodyVersion() *int }

func (r *actionPatchRequest) bodyVersion() *int    { return r.Version }
func (r *incidentPatchRequest) bodyVersion() *int  { return r.Version }
func (r *rootCausePatchRequest) bodyVersion() *int { return r.Version }
func (r *eventPatchRequest) bodyVersion() *int     { return r.Version }

// decodeVersioned decodes a write request into req and returns the version
// the client expects (see expectedVersion).
func decodeVersioned(c *gin.Context, req versioned) (*int, error) {
	if err := decodeJSON(c, req); err != nil {
		return nil, err
	}
	return expectedVersion(c, req.bodyVersion())
}

// expectedVersion is the version a write expects: the body's "version" when
// given, else an If-Match header ("3", "\"3\"" or W/"3"), else nil.
func expectedVersion(c *gin.Context, body *int) (*int, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" || h == "*" {
		return body, nil
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 0 {
		return nil, incident.Invalid("If-Match", `must be a version such as "3"`)
	}
	if body != nil && *body != v {
		return nil, incident.Invalid("version", "differs from the If-Match header")
	}
	return &v, nil
}

// etag sets the ETag header to the object's version (If-Match takes it back).
func etag(c *gin.Context, version int) {
	c.Header("ETag", `"`+strconv.Itoa(version)+`"`)
}
