package slack

import (
	"slices"
	"strings"
	"testing"
)

func TestEachElement(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []string
		wantOK bool
	}{
		{name: "empty array", in: " [ ] \n", want: nil, wantOK: true},
		{name: "objects and scalars", in: `[{"a":1}, 2 ,"x",[3,{}],null]`, want: []string{`{"a":1}`, `2`, `"x"`, `[3,{}]`, `null`}, wantOK: true},
		{name: "brackets, commas and escaped quotes in strings", in: `[{"t":"a], \"b\", {c"},{"t":"\\"}]`, want: []string{`{"t":"a], \"b\", {c"}`, `{"t":"\\"}`}, wantOK: true},
		{name: "indented like an export", in: "[\n    {\n        \"ts\": \"1.0\"\n    },\n    {\n        \"ts\": \"2.0\"\n    }\n]\n", want: []string{`{"ts":"1.0"}`, `{"ts":"2.0"}`}, wantOK: true},
		{name: "not an array", in: `{"a":1}`, wantOK: false},
		{name: "truncated", in: `[{"a":1},{"b":`, want: []string{`{"a":1}`}, wantOK: false},
		{name: "unbalanced close", in: `[{"a":1}}]`, wantOK: false},
		{name: "empty element", in: `[1,,2]`, want: []string{`1`}, wantOK: false},
		{name: "text after the array", in: `[1] x`, want: []string{`1`}, wantOK: false},
	}
	squash := strings.NewReplacer("\n", "", " ", "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			ok := eachElement([]byte(tt.in), func(raw []byte) bool {
				got = append(got, squash.Replace(string(raw)))
				return true
			})
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = squash.Replace(w)
			}
			if ok != tt.wantOK || !slices.Equal(got, want) {
				t.Errorf("eachElement(%q) = %q, %v; want %q, %v", tt.in, got, ok, want, tt.wantOK)
			}
		})
	}
}

func TestEachElementStops(t *testing.T) {
	calls := 0
	ok := eachElement([]byte(`[1,2,3]`), func([]byte) bool { calls++; return calls < 2 })
	if ok || calls != 2 {
		t.Errorf("eachElement after fn returned false: ok %v after %d calls, want false after 2", ok, calls)
	}
}
