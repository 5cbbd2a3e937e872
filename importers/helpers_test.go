package importers

import (
	"maps"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      string
		loc     *time.Location
		want    time.Time
		wantErr string
	}{
		{name: "rfc3339 zulu", in: "2026-11-20T10:00:00Z", want: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
		{name: "rfc3339 fraction offset", in: "2026-11-20T11:00:00.250+01:00", want: time.Date(2026, 11, 20, 10, 0, 0, 250e6, time.UTC)},
		{name: "rfc3339 without zone uses loc", in: "2026-11-20T11:00:00", loc: berlin, want: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
		{name: "space separated utc default", in: "2026-11-20 10:00:05", want: time.Date(2026, 11, 20, 10, 0, 5, 0, time.UTC)},
		{name: "space separated with offset", in: "2026-11-20 12:00:05 +0200", want: time.Date(2026, 11, 20, 10, 0, 5, 0, time.UTC)},
		{name: "minutes only", in: "2026-11-20 10:07", want: time.Date(2026, 11, 20, 10, 7, 0, 0, time.UTC)},
		{name: "surrounding space", in: "  2026-11-20T10:00:00Z\n", want: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
		{name: "unix seconds", in: "1732096700", want: time.Unix(1732096700, 0).UTC()},
		{name: "slack ts", in: "1732096700.000100", want: time.Unix(1732096700, 100000).UTC()},
		{name: "float seconds short fraction", in: "1732096700.5", want: time.Unix(1732096700, 5e8).UTC()},
		{name: "unix millis", in: "1732096700123", want: time.Unix(1732096700, 123e6).UTC()},
		{name: "unix micros", in: "1732096700123456", want: time.Unix(1732096700, 123456e3).UTC()},
		{name: "unix nanos", in: "1732096700123456789", want: time.Unix(1732096700, 123456789).UTC()},
		{name: "empty", in: " ", wantErr: "empty"},
		{name: "ambiguous day month", in: "02/01/2006 15:04", wantErr: "no known format"},
		{name: "garbage", in: "yesterday", wantErr: "no known format"},
		{name: "day first with points", in: "20.11.2024", wantErr: "not a Unix time"},
		{name: "two points", in: "1732096700.1.2", wantErr: "not a Unix time"},
		{name: "too many digits", in: "17320967001234567890", wantErr: "not a Unix time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTime(tt.in, tt.loc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseTime(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, want %v (UTC)", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "crlf", in: "a\r\nb\r\n", want: "a\nb"},
		{name: "lone cr", in: "a\rb", want: "a\nb"},
		{name: "trim", in: "  hi  \n", want: "hi"},
		{name: "nul and invalid utf8", in: "a\x00b\xff", want: "ab\uFFFD"},
		{name: "unicode kept", in: "Grüße 👋", want: "Grüße 👋"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeText(tt.in); got != tt.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUsers_Name(t *testing.T) {
	u := Users{"U1": "Ada Lovelace", "U2": "  "}
	tests := []struct{ name, id, want string }{
		{name: "known", id: "U1", want: "Ada Lovelace"},
		{name: "unknown", id: "U9", want: "unknown user U9"},
		{name: "blank name", id: "U2", want: "unknown user U2"},
		{name: "no id", id: "", want: "unknown user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := u.Name(tt.id); got != tt.want {
				t.Errorf("Name(%q) = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
	if got := Users(nil).Name("U1"); got != "unknown user U1" {
		t.Errorf("nil Users: %q", got)
	}
}

func TestParseMapping(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr string
	}{
		{name: "three fields", in: "time=ts, actor=user,text=message", want: map[string]string{"time": "ts", "actor": "user", "text": "message"}},
		{name: "empty", in: "", want: map[string]string{}},
		{name: "column with spaces kept", in: "TEXT=Message Body", want: map[string]string{"text": "Message Body"}},
		{name: "unknown field", in: "when=ts", wantErr: `mapping field "when"`},
		{name: "no equals", in: "time", wantErr: `mapping "time": want field=column`},
		{name: "empty column", in: "time=", wantErr: "want field=column"},
		{name: "twice", in: "time=a,time=b", wantErr: "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMapping(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !maps.Equal(got, tt.want) {
				t.Errorf("ParseMapping(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}
