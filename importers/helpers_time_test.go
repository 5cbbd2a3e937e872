package importers

import (
	"testing"
	"time"
)

func TestParseTime_Flavours(t *testing.T) {
	want := time.Date(2024, 1, 15, 11, 30, 45, 0, time.UTC)
	for _, s := range []string{
		"2024-01-15T11:30:45Z",
		"2024-01-15T12:30:45+01:00",
		"2024-01-15T12:30:45+0100",
		"2024-01-15T12:30:45+01",
		"2024-01-15 12:30:45+0100",
		"2024-01-15 12:30:45+01:00",
		"2024-01-15 12:30:45 +01:00",
		"2024-01-15 12:30:45 +0100",
		"1705318245",
		"1705318245000",
		"1705318245000000",
		"1705318245000000000",
		"1705318245.0",
		"1.705318245e+09",
		"Mon Jan 15 12:30:45 CET 2024",
		"Mon Jan 15 06:30:45 EST 2024",
		"Mon, 15 Jan 2024 12:30:45 +0100 (CET)",
		"Mon, 15 Jan 2024 12:30:45 CET",
	} {
		got, err := ParseTime(s, nil)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone database")
	}
	if got, err := ParseTime("2024.01.15 12:30:45", berlin); err != nil || !got.Equal(want) {
		t.Errorf("local Zabbix date: %v %v", got, err)
	}
	for _, s := range []string{"0", "0001-01-01T00:00:00Z", "0000-01-10 00:00", "Mon Jan 15 12:30:45 XYZ 2024", "Mon Jan 15 12:30:45 IST 2024", "soon", "1e400"} {
		if got, err := ParseTime(s, nil); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", s, got)
		}
	}
}
