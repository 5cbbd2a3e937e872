package store

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// timeLayout is how times are written to the database: UTC, microseconds,
// fixed width. SQLite keeps this text, whose order is time order; PostgreSQL
// parses it into TIMESTAMPTZ. The same text is used in query arguments.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// dbTime is a time column. Nullable columns are *dbTime.
type dbTime time.Time

// Value implements driver.Valuer.
func (t dbTime) Value() (driver.Value, error) { return formatTime(time.Time(t)), nil }

// TimestamptzValue lets pgx send the time to PostgreSQL in binary, instead
// of failing over from the text of Value, which costs more than the insert.
func (t dbTime) TimestamptzValue() (pgtype.Timestamptz, error) {
	return pgtype.Timestamptz{Time: incident.UTC(time.Time(t)), Valid: true}, nil
}

// Scan implements sql.Scanner for TIMESTAMPTZ (time.Time) and TEXT.
func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*t = dbTime(incident.UTC(v))
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T into a time", src)
	}
}

func (t *dbTime) parse(s string) error {
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// What SQLite's own datetime functions write.
		if p, err = time.Parse("2006-01-02 15:04:05.999999999-07:00", s); err != nil {
			return fmt.Errorf("store: bad time %q in database", s)
		}
	}
	*t = dbTime(incident.UTC(p))
	return nil
}

func formatTime(t time.Time) string { return incident.UTC(t).Format(timeLayout) }

func toDB(t time.Time) dbTime { return dbTime(incident.UTC(t)) }

func toDBPtr(t *time.Time) *dbTime {
	if t == nil {
		return nil
	}
	v := toDB(*t)
	return &v
}

func fromDBPtr(t *dbTime) *time.Time {
	if t == nil {
		return nil
	}
	v := time.Time(*t)
	return &v
}

// dbDate is a calendar day: DATE in PostgreSQL, TEXT "YYYY-MM-DD" in SQLite.
type dbDate incident.Date

// Value implements driver.Valuer.
func (d dbDate) Value() (driver.Value, error) { return incident.Date(d).String(), nil }

// DateValue lets pgx send the date to PostgreSQL in binary.
func (d dbDate) DateValue() (pgtype.Date, error) {
	return pgtype.Date{Time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), Valid: true}, nil
}

// Scan implements sql.Scanner for DATE (time.Time) and TEXT.
func (d *dbDate) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = dbDate(incident.DateOf(v.UTC()))
		return nil
	case string, []byte:
		s, _ := v.(string)
		if b, ok := v.([]byte); ok {
			s = string(b)
		}
		p, err := incident.ParseDate(s)
		if err != nil {
			return fmt.Errorf("store: bad date %q in database", s)
		}
		*d = dbDate(p)
		return nil
	default:
		return fmt.Errorf("store: cannot scan %T into a date", src)
	}
}

func toDBDate(d *incident.Date) *dbDate {
	if d == nil {
		return nil
	}
	v := dbDate(*d)
	return &v
}

func fromDBDate(d *dbDate) *incident.Date {
	if d == nil {
		return nil
	}
	v := incident.Date(*d)
	return &v
}

// jsonStrings is a label array stored as JSON text (JSONB in PostgreSQL).
// It is never written as null.
type jsonStrings []string

// Value implements driver.Valuer.
func (j jsonStrings) Value() (driver.Value, error) {
	if j == nil {
		return "[]", nil
	}
	return marshalJSON([]string(j))
}

// Scan implements sql.Scanner.
func (j *jsonStrings) Scan(src any) error {
	out := []string{}
	if err := scanJSON(src, &out); err != nil {
		return err
	}
	*j = out
	return nil
}

// jsonObject is a free-form JSON object stored as TEXT.
type jsonObject map[string]any

// Value implements driver.Valuer.
func (j jsonObject) Value() (driver.Value, error) {
	if j == nil {
		return "{}", nil
	}
	return marshalJSON(map[string]any(j))
}

// Scan implements sql.Scanner.
func (j *jsonObject) Scan(src any) error {
	var out map[string]any
	if err := scanJSON(src, &out); err != nil {
		return err
	}
	*j = out
	return nil
}

// marshalJSON encodes v without HTML escaping, so that stored text is the
// plain JSON of the value.
func marshalJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimRight(b.Bytes(), "\n")), nil
}

func scanJSON(src, dst any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("store: cannot scan %T as JSON", src)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, dst)
}

// labels returns l, or an empty slice for nil.
func labels(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func ref(id int64) string { return strconv.FormatInt(id, 10) }

func isForeignKeyViolation(err error) bool { return errors.Is(err, gorm.ErrForeignKeyViolated) }

// pageLimit returns the number of rows to fetch for a page: one more than
// the page size (incident.DefaultLimit when limit <= 0), so the caller can
// tell whether another page follows. Capping the size is the caller's job.
func pageLimit(limit int) int {
	if limit <= 0 {
		limit = incident.DefaultLimit
	}
	return limit + 1
}

// cursorTime parses a time cursor value.
func cursorTime(v string) (dbTime, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || !incident.TimeInRange(t) {
		return dbTime{}, incident.Invalid("cursor", "is not a cursor this server gave out")
	}
	return toDB(t), nil
}
