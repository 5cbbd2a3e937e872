package search

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
)

// analyzedTok is the part of a token the tests check.
type analyzedTok struct {
	term       string
	pos        int
	start, end int
}

func testAnalyzer(t testing.TB, name string) analysis.Analyzer {
	t.Helper()
	a, err := registry.NewCache().AnalyzerNamed(name)
	if err != nil {
		t.Fatalf("analyzer %s: %v", name, err)
	}
	return a
}

func analyzedToks(ts analysis.TokenStream) []analyzedTok {
	out := make([]analyzedTok, len(ts))
	for i, t := range ts {
		out[i] = analyzedTok{string(t.Term), t.Position, t.Start, t.End}
	}
	return out
}

func TestAnalyzerText_Tokens(t *testing.T) {
	a := testAnalyzer(t, AnalyzerText)
	tests := []struct {
		name string
		in   string
		want []analyzedTok
	}{
		{"empty", "", []analyzedTok{}},
		{"only punctuation", " -- ... :// ", []analyzedTok{}},
		{"snake case error code", "ERR_CONN_RESET", []analyzedTok{
			{"err_conn_reset", 1, 0, 14}, {"err", 1, 0, 3}, {"conn", 2, 4, 8}, {"reset", 3, 9, 14},
		}},
		{"hostname", "db-primary-1.prod.example.com", []analyzedTok{
			{"db-primary-1.prod.example.com", 1, 0, 29}, {"db", 1, 0, 2}, {"primari", 2, 3, 10},
			{"1", 3, 11, 12}, {"prod", 4, 13, 17}, {"exampl", 5, 18, 25}, {"com", 6, 26, 29},
		}},
		{"ip address", "10.0.0.12", []analyzedTok{
			{"10.0.0.12", 1, 0, 9}, {"10", 1, 0, 2}, {"0", 2, 3, 4}, {"0", 3, 5, 6}, {"12", 4, 7, 9},
		}},
		{"camel case", "connectionTimeoutException", []analyzedTok{
			{"connectiontimeoutexception", 1, 0, 26}, {"connect", 1, 0, 10}, {"timeout", 2, 10, 17}, {"except", 3, 17, 26},
		}},
		{"acronym then word", "HTTPServer", []analyzedTok{
			{"httpserver", 1, 0, 10}, {"http", 1, 0, 4}, {"server", 2, 4, 10},
		}},
		{"region", "us-east-1", []analyzedTok{
			{"us-east-1", 1, 0, 9}, {"us", 1, 0, 2}, {"east", 2, 3, 7}, {"1", 3, 8, 9},
		}},
		{"host and port", "api.example.com:8443", []analyzedTok{
			{"api.example.com:8443", 1, 0, 20}, {"api", 1, 0, 3}, {"exampl", 2, 4, 11}, {"com", 3, 12, 15}, {"8443", 4, 16, 20},
		}},
		// Parts push later tokens along; the stop word keeps its (empty) place.
		{"identifier in a sentence", "Got ERR_CONN_RESET from db.", []analyzedTok{
			{"got", 1, 0, 3}, {"err_conn_reset", 2, 4, 18}, {"err", 2, 4, 7}, {"conn", 3, 8, 12}, {"reset", 4, 13, 18},
			{"db", 6, 24, 26},
		}},
		{"sentence end dots", "Restarted db-1. Then it worked.", []analyzedTok{
			{"restart", 1, 0, 9}, {"db-1", 2, 10, 14}, {"db", 2, 10, 12}, {"1", 3, 13, 14}, {"work", 6, 24, 30},
		}},
		{"qualified class name", "java.net.ConnectionTimeoutException thrown", []analyzedTok{
			{"java.net.connectiontimeoutexception", 1, 0, 35}, {"java", 1, 0, 4}, {"net", 2, 5, 8},
			{"connectiontimeoutexception", 3, 9, 35}, {"connect", 3, 9, 19}, {"timeout", 4, 19, 26}, {"except", 5, 26, 35},
			{"thrown", 6, 36, 42},
		}},
		{"url splits at scheme", "https://x.io/status", []analyzedTok{
			{"https", 1, 0, 5}, {"x.io/status", 2, 8, 19}, {"x", 2, 8, 9}, {"io", 3, 10, 12}, {"status", 4, 13, 19},
		}},
		{"email", "mail oncall@example.com", []analyzedTok{
			{"mail", 1, 0, 4}, {"oncall@example.com", 2, 5, 23}, {"oncal", 2, 5, 11}, {"exampl", 3, 12, 19}, {"com", 4, 20, 23},
		}},
		{"protocol version", "HTTP/1.1", []analyzedTok{
			{"http/1.1", 1, 0, 8}, {"http", 1, 0, 4}, {"1", 2, 5, 6}, {"1", 3, 7, 8},
		}},
		{"letters and digits stay together", "s3 ipv6 ec2 sev1", []analyzedTok{
			{"s3", 1, 0, 2}, {"ipv6", 2, 3, 7}, {"ec2", 3, 8, 11}, {"sev1", 4, 12, 16},
		}},
		{"plural acronyms are words", "IDs URLs IPv6 s3Bucket", []analyzedTok{
			{"id", 1, 0, 3}, {"url", 2, 4, 8}, {"ipv6", 3, 9, 13}, {"s3bucket", 4, 14, 22}, {"s3", 4, 14, 16}, {"bucket", 5, 16, 22},
		}},
		{"possessive and contraction", "The service's queue don’t", []analyzedTok{
			{"servic", 2, 4, 13}, {"queue", 3, 14, 19},
		}},
		{"doubled joiners split", "a--b c__d", []analyzedTok{
			{"b", 2, 3, 4}, {"c", 3, 5, 6}, {"d", 4, 8, 9},
		}},
		{"cjk one token per rune", "数据库 サーバー 서버", []analyzedTok{
			{"数", 1, 0, 3}, {"据", 2, 3, 6}, {"库", 3, 6, 9},
			{"サ", 4, 10, 13}, {"ー", 5, 13, 16}, {"バ", 6, 16, 19}, {"ー", 7, 19, 22},
			{"서", 8, 23, 26}, {"버", 9, 26, 29},
		}},
		{"emoji and invalid utf-8", "🔥 fire\xff\xfeBad", []analyzedTok{
			{"fire", 1, 5, 9}, {"bad", 2, 11, 14},
		}},
		{"accented words", "Déploiement échoué", []analyzedTok{
			{"déploiement", 1, 0, 12}, {"échoué", 2, 13, 21},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analyzedToks(a.Analyze([]byte(tt.in)))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Analyze(%q)\n got %v\nwant %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestAnalyzerText_Stemming(t *testing.T) {
	tests := []struct {
		name      string
		word, kin string
	}{
		{"plural noun", "failures", "failure"},
		{"past tense", "failed", "fail"},
		{"gerund", "failing", "fail"},
		{"capitalised", "Timeouts", "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := AnalyzeTerms(tt.word), AnalyzeTerms(tt.kin)
			if len(a) != 1 || len(b) != 1 || a[0] != b[0] {
				t.Errorf("AnalyzeTerms(%q) = %q, AnalyzeTerms(%q) = %q; want one shared term", tt.word, a, tt.kin, b)
			}
		})
	}
}

func TestAnalyzerText_StopWordsOnlyOutsideIdentifiers(t *testing.T) {
	got := AnalyzeTerms("the and of to is-it")
	want := []string{"is-it"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("AnalyzeTerms = %q, want %q (stop words dropped, the whole identifier kept)", got, want)
	}
}

func TestAnalyzerText_InputUnchanged(t *testing.T) {
	// The whole identifier and its parts share the input's bytes; lower-casing
	// must not rewrite them (İ lower-cases to a shorter encoding).
	in := []byte("İSTANBUL_Gateway Kelvin\u212A_Probe")
	orig := string(in)
	ts := testAnalyzer(t, AnalyzerText).Analyze(in)
	if string(in) != orig {
		t.Fatalf("input rewritten: %q, was %q", in, orig)
	}
	for _, tk := range ts {
		if !utf8.Valid(tk.Term) {
			t.Errorf("term %q is not valid UTF-8", tk.Term)
		}
	}
	// Go lower-cases İ to i and the Kelvin sign to k; "KelvinK" has a case
	// hump, so it is indexed whole and as "kelvin" and "k".
	want := []string{"istanbul_gateway", "istanbul", "gateway", "kelvink_probe", "kelvink", "kelvin", "k", "probe"}
	if got := AnalyzeTerms(orig); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("AnalyzeTerms = %q, want %q", got, want)
	}
}

func TestAnalyzerKeyword(t *testing.T) {
	a := testAnalyzer(t, AnalyzerKeyword)
	tests := []struct {
		name string
		in   string
		want []analyzedTok
	}{
		{"plain", "payments", []analyzedTok{{"payments", 1, 0, 8}}},
		{"trimmed and collapsed", "  Payments \t API\n", []analyzedTok{{"payments api", 1, 2, 16}}},
		{"unicode lower case", "ÉQUIPE Données", []analyzedTok{{"équipe données", 1, 0, 16}}},
		{"identifier kept whole", "db-primary-1.prod", []analyzedTok{{"db-primary-1.prod", 1, 0, 17}}},
		{"blank", " \t\n", []analyzedTok{}},
		{"empty", "", []analyzedTok{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analyzedToks(a.Analyze([]byte(tt.in)))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Analyze(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestAnalyzerText_Index(t *testing.T) {
	im := bleve.NewIndexMapping()
	dm := bleve.NewDocumentStaticMapping()
	fm := bleve.NewTextFieldMapping()
	fm.Analyzer = AnalyzerText
	dm.AddFieldMappingsAt("body", fm)
	im.DefaultMapping = dm
	idx, err := bleve.NewMemOnly(im)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	docs := map[string]string{
		"reset":   "Clients saw ERR_CONN_RESET from db-primary-1.prod.example.com after the deploy.",
		"timeout": "The worker threw connectionTimeoutException while draining the queue.",
		"failure": "Disk failures on the build hosts; writes failed.",
		"other":   "Connection pool sized too small; timeout raised to 30s.",
	}
	for id, body := range docs {
		if err := idx.Index(id, map[string]any{"body": body}); err != nil {
			t.Fatal(err)
		}
	}
	// anyOf matches any term of s (bleve's default); allOf every one.
	anyOf := func(s string) query.Query {
		q := bleve.NewMatchQuery(s)
		q.SetField("body")
		return q
	}
	allOf := func(s string) query.Query {
		q := bleve.NewMatchQuery(s)
		q.SetField("body")
		q.SetOperator(query.MatchQueryOperatorAnd)
		return q
	}
	phrase := func(s string) query.Query {
		q := bleve.NewMatchPhraseQuery(s)
		q.SetField("body")
		return q
	}
	tests := []struct {
		name string
		q    query.Query
		want []string
	}{
		{"parts of the code", anyOf("conn_reset"), []string{"reset"}},
		// A part of an identifier is a phrase of its parts: the query's
		// whole "conn_reset" shares a position with "conn", so either matches.
		{"parts of the code as phrase", phrase("conn_reset"), []string{"reset"}},
		{"whole code", allOf("ERR_CONN_RESET"), []string{"reset"}},
		{"whole code lower case", phrase("err_conn_reset"), []string{"reset"}},
		{"host part", anyOf("example.com"), []string{"reset"}},
		{"whole host", phrase("db-primary-1.prod.example.com"), []string{"reset"}},
		{"phrase against camel case", phrase("connection timeout"), []string{"timeout"}},
		{"whole camel case", allOf("connectionTimeoutException"), []string{"timeout"}},
		{"phrase across identifier", phrase("threw connectionTimeoutException while"), []string{"timeout"}},
		{"stemmed past tense", anyOf("fails"), []string{"failure"}},
		{"stemmed plural", anyOf("failure"), []string{"failure"}},
		{"parts out of order", phrase("reset conn"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := idx.Search(bleve.NewSearchRequest(tt.q))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("hits = %v, want %v", got, tt.want)
			}
		})
	}
}

// checkAnalyzedTokens fails t when a token's offsets do not address a non-empty
// part of in or positions go backwards.
func checkAnalyzedTokens(t testing.TB, in []byte, ts analysis.TokenStream) {
	t.Helper()
	last := 0
	for _, tk := range ts {
		if tk.Start < 0 || tk.Start >= tk.End || tk.End > len(in) {
			t.Fatalf("token %q has offsets [%d,%d) outside %d bytes", tk.Term, tk.Start, tk.End, len(in))
		}
		if tk.Position < last || tk.Position < 1 {
			t.Fatalf("token %q at position %d after %d", tk.Term, tk.Position, last)
		}
		if len(tk.Term) == 0 {
			t.Fatalf("empty term at [%d,%d)", tk.Start, tk.End)
		}
		last = tk.Position
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "ERR_CONN_RESET at 10.0.0.12:5432", "HTTPServer's", "数据库", "a.b.", "\xff'x'\xe2\x80\x99s",
		"İSTANBUL_x", "x-\u0301y", "s3Bucket IPv6 URLs"} {
		f.Add(s)
	}
	text := testAnalyzer(f, AnalyzerText)
	keyword := testAnalyzer(f, AnalyzerKeyword)
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		checkAnalyzedTokens(t, in, text.Analyze(in))
		if string(in) != s {
			t.Fatalf("input rewritten to %q", in)
		}
		checkAnalyzedTokens(t, []byte(s), keyword.Analyze([]byte(s)))
	})
}

// analysisBenchText is about 1 MB of what incidents hold: prose, log lines, hosts.
func analysisBenchText() []byte {
	para := `The checkout service started returning 502s at 01:32 UTC after the deploy of payments-api v2.14.3.
Root cause: the connection pool on db-primary-1.prod.example.com was exhausted because the new
retry policy in PaymentClient.submitOrder() retried on ERR_CONN_RESET without backoff. We rolled back,
drained the queue, and raised max_connections from 200 to 400. Customers saw failed payments for 23 minutes.
2024-03-05T01:32:07.123Z ERROR [payments-api-7f9c] connectionTimeoutException: timed out after 30000ms
	dialing tcp 10.0.12.34:5432 (pool=primary, in_use=200/200) trace_id=4bf92f3577b34da6a3ce929d0e0e4736
[alertmanager] FIRING: HighErrorRate{service="checkout", severity="sev1", region="us-east-1"} 12.5% > 5%
@oncall-payments can you check https://grafana.example.com/d/abc123/checkout?orgId=1 — looks like the
HTTPServer in edge-lb-03 is marking backends unhealthy; S3Bucket access for s3://logs-prod/edge/ is fine.
Le déploiement a échoué; 数据库连接超时。サーバーが応答しません。
`
	var b strings.Builder
	for b.Len() < 1<<20 {
		b.WriteString(para)
	}
	return []byte(b.String())
}

func BenchmarkAnalyzeText(b *testing.B) {
	a := testAnalyzer(b, AnalyzerText)
	text := analysisBenchText()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		_ = a.Analyze(text) // the analyzer never writes its input
	}
}

// TestAnalyzerText_Concurrent checks that goroutines sharing the analyzer
// (as bleve's batch indexing does) get what one alone gets: the stem cache
// is per goroutine and its stems are never written.
func TestAnalyzerText_Concurrent(t *testing.T) {
	a := testAnalyzer(t, AnalyzerText)
	text := analysisBenchText()[:64<<10]
	want := fmt.Sprint(analyzedToks(a.Analyze(text)))
	errs := make(chan string, 8)
	for range 8 {
		go func() {
			got := ""
			for range 5 {
				if got = fmt.Sprint(analyzedToks(a.Analyze(text))); got != want {
					break
				}
			}
			errs <- got
		}()
	}
	for range 8 {
		if got := <-errs; got != want {
			t.Fatal("concurrent analysis differs from a single one")
		}
	}
}
