package slack

import (
	"context"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
)

func TestConverter_Markup(t *testing.T) {
	c := &converter{
		user:    func(id string) (string, error) { return importers.Users{"U1": "Ann Example"}.Name(id), nil },
		channel: func(id string) string { return map[string]string{"C1": "general"}[id] },
	}
	tests := []struct {
		name, in, want string
	}{
		{name: "user", in: "hi <@U1>", want: "hi @Ann Example"},
		{name: "unknown user with label", in: "<@U9|zed>", want: "@zed"},
		{name: "unknown user", in: "<@U9>", want: "@unknown user U9"},
		{name: "channel with label", in: "<#C7|ops>", want: "#ops"},
		{name: "channel by lookup", in: "<#C1>", want: "#general"},
		{name: "unknown channel", in: "<#C9>", want: "#C9"},
		{name: "link with text", in: "<https://x.example/a?b=1&amp;c=2|the doc>", want: "[the doc](https://x.example/a?b=1&c=2)"},
		{name: "bare link", in: "<https://x.example/>", want: "https://x.example/"},
		{name: "link text that could break out", in: "<https://x.example/a b)|[x](javascript:y)>", want: `[\[x\](javascript:y)](https://x.example/a%20b%29)`},
		{name: "mailto", in: "<mailto:a@b.example|a@b.example>", want: "[a@b.example](mailto:a@b.example)"},
		{name: "here channel everyone", in: "<!here> <!channel> <!everyone>", want: "@here @channel @everyone"},
		{name: "user group", in: "<!subteam^S1|@oncall> help", want: "@oncall help"},
		{name: "date with fallback", in: "<!date^1392734382^{date}|Feb 18th>", want: "Feb 18th"},
		{name: "entities", in: "a &lt;b&gt; &amp;amp; c", want: "a <b> &amp; c"},
		{name: "unclosed bracket kept", in: "x &lt; y <oops", want: "x < y <oops"},
		{name: "emoji and RTL untouched", in: "שלום 👋 :tada:", want: "שלום 👋 :tada:"},
		{name: "CRLF and spaces", in: "  a\r\nb  ", want: "a\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.markup(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("markup(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParse feeds arbitrary day files to the parser: it must never panic,
// and every event it emits must be a valid timeline event.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`[{"type":"message","user":"U1","text":"hi <@U1> <#C1|x> <http://a|b>","ts":"1732111200.000200"}]`,
		`[{"subtype":"message_changed","ts":"2.0","message":{"ts":"1.0","text":"new"}},{"ts":"1.0","text":"old"}]`,
		`[{"subtype":"message_deleted","ts":"3.0","previous_message":{"ts":"1.0","thread_ts":"0.5"}}]`,
		`[{"ts":"1.5","files":[{"mode":"tombstone"}],"file":{"name":"a","url_private":"https://x"}}]`,
		`[{"ts":1}, {"ts":"x"}, {`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, day []byte) {
		fsys := memFS(map[string]string{
			"users.json":              `[{"id":"U1","name":"ann"}]`,
			"channels.json":           `[{"id":"C1","name":"general"}]`,
			"general/2024-01-01.json": string(day),
			"general/2024-01-02.json": `[{"subtype":"message_changed","ts":"9.0","message":{"ts":"1.0","text":"later edit"}}]`,
		})
		rec := &recorder{}
		if err := NewImporter().Parse(context.Background(), importers.Input{Name: "fuzz", FS: fsys}, importers.Options{}, rec); err != nil {
			t.Fatalf("Parse: %v", err)
		}
		for _, e := range rec.Events {
			if e.ExternalID == "" || e.Source != Source {
				t.Errorf("event without id or source: %+v", e)
			}
			e.Normalize()
			if err := e.Validate(); err != nil {
				t.Errorf("invalid event %+v: %v", e, err)
			}
		}
	})
}
