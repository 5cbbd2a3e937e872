package pmcorpus

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// corpusDir finds the real post-mortems, skipping when this checkout has
// none beside it.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := FindDir()
	if err != nil {
		t.Skipf("no post-mortem corpus: %v", err)
	}
	return dir
}

func TestParse_RealFiles(t *testing.T) {
	dir := corpusDir(t)
	tests := []struct {
		name         string
		file         string
		title        string
		categories   []string
		keywords     []string
		company      string
		product      string
		summaryStart string
		bodyStart    string
		keywordsHave string
	}{
		{
			name:         "full header",
			file:         "00b7f759-21f8-4767-8803-f09d863005cd.md",
			title:        "Amazon SimpleDB US East Region Disruption on June 13",
			categories:   []string{"cloud"},
			keywords:     []string{"simpledb", "us east", "power loss", "lock service", "handshake timeout", "data center", "api errors"},
			company:      "Amazon",
			product:      "SimpleDB",
			summaryStart: "Multiple SimpleDB storage nodes lost power",
			bodyStart:    "On June 13, the Amazon SimpleDB service",
		},
		{
			name:      "no title, empty categories and product",
			file:      "8d9c6ffe-67d1-4a6b-8363-7c69182b4199.md",
			title:     "Facebook outage",
			company:   "Facebook",
			bodyStart: "A bad config took down both Facebook and Instagram.",
		},
		{
			name:         "extra header fields, several categories",
			file:         "0b9c79f2-c9f6-4b88-a5b7-400973716d9a.md",
			title:        "India NEW grid blackouts",
			categories:   []string{"cascading-failure", "hardware"},
			keywordsHave: "under-frequency relay",
			company:      "Indian Electricity Grid (POSOCO / CERC)",
			product:      "Northern, Eastern, North-Eastern Grids",
			summaryStart: "One night in July 2012, a skewed electricity supply-demand",
			bodyStart:    "On July 30 and 31, 2012, the synchronously-connected NEW",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pm, err := ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if pm.Path != filepath.Join(dir, tt.file) {
				t.Errorf("Path = %q", pm.Path)
			}
			if strings.HasPrefix(pm.Body, "uuid:") || strings.Contains(pm.Body, "\ncategories:") {
				t.Errorf("header not separated from the body: %.80q", pm.Body)
			}
			if pm.Title != tt.title || pm.Company != tt.company || pm.Product != tt.product {
				t.Errorf("got title %q company %q product %q", pm.Title, pm.Company, pm.Product)
			}
			if !reflect.DeepEqual(pm.Categories, tt.categories) {
				t.Errorf("Categories = %q, want %q", pm.Categories, tt.categories)
			}
			if tt.keywordsHave != "" {
				if !slices.Contains(pm.Keywords, tt.keywordsHave) {
					t.Errorf("Keywords = %q, want %q among them", pm.Keywords, tt.keywordsHave)
				}
			} else if !reflect.DeepEqual(pm.Keywords, tt.keywords) {
				t.Errorf("Keywords = %q, want %q", pm.Keywords, tt.keywords)
			}
			if !strings.HasPrefix(pm.Summary, tt.summaryStart) {
				t.Errorf("Summary = %.60q, want it to start %q", pm.Summary, tt.summaryStart)
			}
			if !strings.HasPrefix(pm.Body, tt.bodyStart) {
				t.Errorf("Body = %.60q, want it to start %q", pm.Body, tt.bodyStart)
			}
		})
	}
}

func TestParse_Malformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"no header", "just text\n"},
		{"unclosed header", "---\ntitle: x\n"},
		{"bad yaml", "---\ntitle: [unclosed\n---\nbody\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.in)); err == nil {
				t.Error("Parse accepted malformed input")
			}
		})
	}
	pm, err := Parse([]byte("---\r\ntitle: T\r\nkeywords: [a, ' ', b]\r\n---\r\n# Head\r\n\r\nOne. Two.\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if pm.Title != "T" || !reflect.DeepEqual(pm.Keywords, []string{"a", "b"}) || pm.Body != "# Head\n\nOne. Two." {
		t.Errorf("CRLF file: %+v", pm)
	}
	if got := Paragraphs(pm.Body); !reflect.DeepEqual(got, []string{"One. Two."}) {
		t.Errorf("Paragraphs = %q", got)
	}
	if got := Sentences("One. Two! 3 three? End. e.g. this"); !reflect.DeepEqual(got, []string{"One.", "Two!", "3 three?", "End. e.g. this"}) {
		t.Errorf("Sentences = %q", got)
	}
}

func TestLoad_All(t *testing.T) {
	pms, err := Load(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(pms) < 200 {
		t.Fatalf("loaded %d post-mortems, want the whole corpus (242)", len(pms))
	}
	for _, pm := range pms {
		if pm.Title == "" {
			t.Errorf("%s: no title", pm.Path)
		}
	}
}

func TestGenerate_DeterministicAndShaped(t *testing.T) {
	pms, err := Load(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	a, b, other := Generate(pms, n, 7), Generate(pms, n, 7), Generate(pms, n, 8)
	restricted, differ := 0, 0
	taxonomy := map[string]bool{}
	for _, c := range Taxonomy {
		taxonomy[c] = true
	}
	for i := range n {
		da, db := a(i), b(i)
		if !reflect.DeepEqual(da, db) {
			t.Fatalf("doc %d differs between two generators with the same seed", i)
		}
		if !reflect.DeepEqual(da, other(i)) {
			differ++
		}
		if da.ID != int64(i+1) || da.Key == "" || da.Title == "" || da.Summary == "" {
			t.Fatalf("doc %d: id %d key %q title %q", i, da.ID, da.Key, da.Title)
		}
		if len(da.Events) < EventsMin || len(da.Events) > EventsMax {
			t.Fatalf("doc %d has %d events", i, len(da.Events))
		}
		if len(da.RootCauses) < 1 || len(da.RootCauses) > 3 || len(da.Actions) > 5 || len(da.Sections) < 2 {
			t.Fatalf("doc %d: %d causes, %d actions, %d sections", i, len(da.RootCauses), len(da.Actions), len(da.Sections))
		}
		for _, rc := range da.RootCauses {
			if !taxonomy[rc.Category] {
				t.Fatalf("doc %d: category %q is not in the taxonomy", i, rc.Category)
			}
		}
		y := da.StartedAt.Year()
		if y < 2015 || y > 2026 {
			t.Fatalf("doc %d started in %d", i, y)
		}
		if da.Visibility == "restricted" {
			restricted++
			if len(da.RestrictedTo) == 0 {
				t.Fatalf("doc %d is restricted to nobody", i)
			}
		}
	}
	if restricted < n/100 || restricted > n*5/100 {
		t.Errorf("%d of %d restricted, want 1–5%%", restricted, n)
	}
	if differ < n*9/10 {
		t.Errorf("only %d of %d docs differ with another seed", differ, n)
	}
	if d := a(n); d.ID != 0 {
		t.Errorf("out of range doc = %+v, want zero", d.ID)
	}
	if d := Generate(nil, 1, 1)(0); d.ID != 0 {
		t.Errorf("doc without post-mortems = %+v, want zero", d.ID)
	}
}

// BenchmarkGenerate reports the generator's rate (the benchmarks need
// >= 20,000 incidents/s so that generating is a small part of a rebuild).
func BenchmarkGenerate(b *testing.B) {
	dir, err := FindDir()
	if err != nil {
		b.Skipf("no post-mortem corpus: %v", err)
	}
	pms, err := Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	g, err := NewGenerator(pms, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = g.Doc(i)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
