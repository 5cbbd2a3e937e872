package alertjson

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/importers/importertest"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Record
		wantErr string
	}{
		{name: "one object", in: "\ufeff {\n \"a\": 1\n}\n", want: []Record{{Index: 1, Whole: true, Data: json.RawMessage("{\n \"a\": 1\n}")}}},
		{name: "array", in: `[{"a":1}, {"b":2}]`, want: []Record{{Index: 1, Data: json.RawMessage(`{"a":1}`)}, {Index: 2, Data: json.RawMessage(`{"b":2}`)}}},
		{name: "JSON Lines with a blank and a bad line", in: "{\"a\":1}\n\n{\"b\":\n{\"c\":3}\r\n",
			want: []Record{{Index: 1, Data: json.RawMessage(`{"a":1}`)}, {Index: 3, Err: "not JSON: unexpected end of JSON input"}, {Index: 4, Data: json.RawMessage(`{"c":3}`)}}},
		{name: "broken pretty object", in: "{\n  \"a\": 1,\n  \"b\": ]\n}", wantErr: `v: f: not a JSON object: line 3: invalid character ']' looking for beginning of value; want w`},
		{name: "broken array", in: "[\n{},\n{,}]", wantErr: "v: f: not a JSON array: line 3:"},
		{name: "text", in: "hello", wantErr: `v: f: not JSON (it starts with "h"); want w`},
		{name: "empty", in: "\n", wantErr: "v: f: the file is empty; want w"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Split([]byte(tt.in), "f", "v", "w")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadValues(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Record
		wantErr string
	}{
		{name: "array kept whole", in: `[{"a":1}, {"b":2}]`, want: []Record{{Index: 1, Whole: true, Data: json.RawMessage(`[{"a":1}, {"b":2}]`)}}},
		{name: "scalar", in: ` "x" `, want: []Record{{Index: 1, Whole: true, Data: json.RawMessage(`"x"`)}}},
		{name: "JSON Lines of arrays", in: "[1]\n[2\n[3]", want: []Record{{Index: 1, Data: json.RawMessage(`[1]`)}, {Index: 2, Err: "not JSON: unexpected end of JSON input"}, {Index: 3, Data: json.RawMessage(`[3]`)}}},
		{name: "broken array", in: "[\n{},\n{,}]", wantErr: "v: f.json: not a JSON array: line 3:"},
		{name: "text", in: "hello\n{}", wantErr: `v: f.json: not JSON (it starts with "h"); want w`},
		{name: "empty", in: " \n", wantErr: "v: f.json: the file is empty; want w"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadValues(importertest.StringInput("f.json", tt.in), "v", "w")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestText(t *testing.T) {
	var v struct {
		A, B, C, D, E Text
	}
	if err := json.Unmarshal([]byte(`{"A":"x","B":42.5,"C":true,"D":null,"E":{"k": [1, 2]}}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "x" || v.B != "42.5" || v.C != "true" || v.D != "" || v.E != `{"k":[1,2]}` {
		t.Errorf("got %+v", v)
	}
}

func TestIncidentRef(t *testing.T) {
	tests := []struct {
		name string
		ms   []map[string]string
		want string
	}{
		{name: "incident label", ms: []map[string]string{{"Incident": " INC-7 "}}, want: "INC-7"},
		{name: "hindsight_incident wins over incident", ms: []map[string]string{{"incident": "INC-1", "hindsight_incident": "INC-2"}}, want: "INC-2"},
		{name: "earlier map wins", ms: []map[string]string{{"x": "y"}, {"incident": "INC-3"}}, want: "INC-3"},
		{name: "tag value", ms: []map[string]string{{"tag": "hindsight:INC-4"}}, want: "INC-4"},
		{name: "tag key", ms: []map[string]string{{"hindsight:INC-5": ""}}, want: "INC-5"},
		{name: "key/value tag", ms: []map[string]string{{"hindsight": "INC-6"}}, want: "INC-6"},
		{name: "none", ms: []map[string]string{{"incident_url": "x"}}, want: ""},
	}
	for _, tt := range tests {
		if got := IncidentRef(tt.ms...); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPlainAndLink(t *testing.T) {
	if got := Plain("load <b>high</b> on <i>db</i>"); got != "load **high** on _db_" {
		t.Errorf("Plain html = %q", got)
	}
	if got := Plain("latency < 5ms and x > y"); got != "latency < 5ms and x > y" {
		t.Errorf("Plain text = %q", got)
	}
	for in, want := range map[string]string{"https://x/y": "https://x/y", "HTTP://X": "", "javascript:alert(1)": "", "https://x y": "", "https://" + strings.Repeat("a", 2000): ""} {
		if got := Link(in); got != want {
			t.Errorf("Link(%.30q) = %q, want %q", in, got, want)
		}
	}
	if got := ID(strings.Repeat("x", 300)); len(got) != 32 {
		t.Errorf("ID of a long id = %q", got)
	}
}

func TestPlain_NoDangerousTagSurvives(t *testing.T) {
	for _, in := range []string{
		"a <script>alert(1)</script> b",
		`<iframe src="javascript:alert(1)"></iframe>x`,
		`<svg onload=alert(1)>x`,
		`<img src=x onerror=alert(1)>x`,
		`<object data="x.swf"></object>x`,
	} {
		out := Plain(in)
		for _, bad := range []string{"<script", "<iframe", "<svg", "<img", "<object", "onerror=", "onload="} {
			if strings.Contains(strings.ToLower(out), bad) {
				t.Errorf("Plain(%q) = %q keeps %s", in, out, bad)
			}
		}
	}
	if got := Plain("mail <ana@example.com> about a < b"); got != "mail <ana@example.com> about a < b" {
		t.Errorf("plain text changed: %q", got)
	}
}
