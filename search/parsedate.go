package search

import (
	"strconv"
	"strings"
	"time"
)

// The dates of a query: after:/before: (and their aliases) read as days,
// months, years or spans before now, and what a bound that is no date
// becomes (parse.go reads the rest of the query).

// clipNotice is v as a notice quotes it: its spaces and line breaks one
// space each, and at most 60 characters.
func clipNotice(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if r := []rune(v); len(r) > 60 {
		v = string(r[:59]) + "…"
	}
	return v
}

// dateShaped reports whether v was meant as a date, though it may not be
// one: a year of four digits, alone or followed by "-" (2024-13, 2024-02-30,
// 2024-06-01T25:00), or a number of days, weeks, months or years (99999d).
// An address, a port or a time (10.0.3.17, 8080, 17:00) is not.
func dateShaped(v string) bool {
	digits := 0
	for digits < len(v) && v[digits] >= '0' && v[digits] <= '9' {
		digits++
	}
	switch {
	case digits == 4 && (len(v) == 4 || v[4] == '-'):
		return true
	case digits > 0 && digits == len(v)-1:
		return strings.IndexByte("dwmyDWMY", v[digits]) >= 0
	}
	return false
}

// dateBoundNamed reports whether name is a date bound and whether it is the
// lower one.
func dateBoundNamed(name string) (after, ok bool) {
	switch name {
	case "after", "since", "from":
		return true, true
	case "before", "until", "to":
		return false, true
	}
	return false, false
}

// relativeUnit returns how many days or months one unit of a relative date
// ("30d", "2w", "6m", "1y") spans, and the most units allowed: about a
// century, so that whether "Ny" is a date does not depend on now (see
// readsAs).
func relativeUnit(c byte) (days, months, most int) {
	switch c {
	case 'd':
		return 1, 0, 36600
	case 'w':
		return 7, 0, 5200
	case 'm':
		return 0, 1, 1200
	case 'y':
		return 0, 12, 100
	}
	return 0, 0, 0
}

// parseQueryDate reads an after:/before: value as a time in UTC.
func parseQueryDate(v string, now time.Time) (time.Time, bool) {
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var d time.Time
	switch lv := strings.ToLower(v); {
	case lv == "today":
		d = midnight
	case lv == "yesterday":
		d = midnight.AddDate(0, 0, -1)
	case len(lv) > 1 && strings.IndexByte("dwmy", lv[len(lv)-1]) >= 0:
		days, months, most := relativeUnit(lv[len(lv)-1])
		n, err := strconv.Atoi(lv[:len(lv)-1])
		if err != nil || lv[0] < '0' || lv[0] > '9' || n > most {
			return time.Time{}, false
		}
		d = now.AddDate(0, -n*months, -n*days)
	default:
		ok := false
		uv := strings.ToUpper(v)
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
			if t, err := time.Parse(layout, uv); err == nil {
				d, ok = t.UTC(), true
				break
			}
		}
		if !ok {
			return time.Time{}, false
		}
	}
	d = d.UTC()
	if d.Year() < 1 || d.Year() > 9999 {
		return time.Time{}, false
	}
	return d, true
}
