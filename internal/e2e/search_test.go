package e2e

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The post-mortems the search test seeds, read in place from the shared
// corpus (never copied into the repository): three about leap seconds,
// two about DNS, two about BGP.
var seedPostmortems = []string{
	"5cbc4e4d-d491-4576-a9fe-6f60ca05c9d8.md", // Leap second affected Cloudflare DNS
	"5bce5ed8-a675-4b38-8825-5ec0e41e0d1b.md", // Linux kernel leap second futex timer issue
	"f4d13c23-5dca-4deb-8ddb-c4bdfc4fea4c.md", // Linux kernel leap second deadlock crash on New Year's 2008-2009
	"65c669af-6430-4bea-90e0-16d536798892.md", // GitHub DNS Outage on January 8, 2014
	"e9248be4-2e55-481e-bde1-f53f60667e21.md", // Amazon EC2 DNS Resolution Issues in AP-NORTHEAST-2
	"a54b2ace-5fdf-452e-bdb2-cd8a48a94e56.md", // Facebook global backbone network outage of October 2021
	"e16b28f3-b6d4-449b-ae93-cc8a4d074163.md", // Cloudflare outage on July 17, 2020
}

// seed imports the post-mortems through POST /incidents/import and waits
// until the search index has them all. It returns the incidents in order.
func (s *server) seed(t *testing.T) []incident {
	t.Helper()
	dir := corpusDir(t)
	var out []incident
	for _, f := range seedPostmortems {
		out = append(out, s.importPostmortem(filepath.Join(dir, f)))
	}
	s.waitIndexed(t, "", len(out))
	return out
}

// waitIndexed polls the search API until q finds at least n incidents (the
// index follows the database a moment later).
func (s *server) waitIndexed(t *testing.T, q string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var res struct {
			Total int `json:"total"`
		}
		r := s.api(s.AdminToken, "GET", "/search?facets=false&q="+url.QueryEscape(q), nil, "", 0)
		if r.Status == 200 {
			r.JSON(t, &res)
		} else if r.Status != 503 { // 503 search_not_ready while the index is built
			t.Fatalf("search: %d %s", r.Status, r.Body)
		}
		if res.Total >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search index has %d incidents for %q after 20 s, want %d", res.Total, q, n)
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
}

// TestSearchAndOpenSimilar searches the incidents list, opens a result,
// and from its page opens a similar incident.
func TestSearchAndOpenSimilar(t *testing.T) {
	s := startSQLite(t)
	incs := s.seed(t)
	leapDNS, leapFutex, leapDeadlock := incs[0], incs[1], incs[2]

	b := s.newBrowser(t)
	b.signedIn(editorEmail, editorPassword)
	b.waitPath("/")
	b.waitVisible(dt("home-recent"))
	b.screenshot("home")
	b.open("/incidents")
	b.waitVisible(dt("search-result"))
	b.screenshot("incidents-list")

	b.typeInto(dt("search-input"), "leap second\r")
	hit := fmt.Sprintf(`%s[data-key="%s"]`, dt("search-result"), leapDNS.Key)
	b.waitVisible(hit)
	b.waitGone(fmt.Sprintf(`%s[data-key="%s"]`, dt("search-result"), incs[5].Key)) // the BGP one is not a leap second
	b.screenshot("incidents-search")
	// The list updates as one types; open the hit once the URL holds the
	// whole query (a click in the middle of an update could hit a row that moved).
	b.waitJS("the query in the URL", `new URLSearchParams(location.search).get('q') === 'leap second'`)
	b.clickJS(hit + " a.result-title")
	b.waitPath("/incidents/" + leapDNS.Key)

	// A date that is no date is left out, and the list says so — with
	// results, and in the empty state; typed text stays text.
	for _, q := range []string{"leap second after:2015-13-01", "zzyzx before:2024-02-30"} {
		b.open("/incidents?q=" + url.QueryEscape(q))
		b.waitVisible(dt("search-notice"))
		b.waitJS("the notice names the bad date", fmt.Sprintf(
			`document.querySelector('[data-test=search-notice]').innerText.includes(%q)`, strings.Fields(q)[len(strings.Fields(q))-1]+" is not a date"))
	}
	b.open("/incidents/" + leapDNS.Key)
	b.waitPath("/incidents/" + leapDNS.Key)

	// The incident's similar incidents include the other leap-second ones.
	similar := fmt.Sprintf(`%s[data-key="%s"], %s[data-key="%s"]`,
		dt("similar-result"), leapFutex.Key, dt("similar-result"), leapDeadlock.Key)
	b.waitVisible(similar)
	var key string
	b.eval(fmt.Sprintf(`document.querySelector(%q).dataset.key`, similar), &key)
	b.click(fmt.Sprintf(`%s[data-key="%s"] a`, dt("similar-result"), key))
	b.waitPath("/incidents/" + key)
}
