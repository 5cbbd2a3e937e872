package pmcorpus

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/search"
)

// Shape of a generated incident.
const (
	// EventsMin and EventsMax bound the timeline's length.
	EventsMin, EventsMax = 45, 55
	// maxParagraph caps a paragraph taken from a post-mortem, so that one
	// long post-mortem does not dominate the corpus's size.
	maxParagraph = 700
	// restrictedPercent of the incidents are restricted to a group.
	restrictedPercent = 3
)

// epoch and span bound the incidents' start times: 2015 to 2026.
var (
	epoch = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	span  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Sub(epoch)
)

// Generator makes synthetic incidents from real post-mortems. It is
// read-only once built, so Doc may be called from several goroutines.
type Generator struct {
	seed   uint64
	bases  []base
	hosts  []string
	ips    []string
	hashes []string
}

// base is a post-mortem prepared for recombination.
type base struct {
	title      string
	summary    string
	paras      []string // body paragraphs, capped
	sentences  []string // of the summary and body
	causal     []string // sentences saying why
	categories []string // taxonomy
	keywords   []string
	tags       []string // keywords as tags
	service    string   // the product as a service name, or ""
	peers      []int    // post-mortems sharing a category
}

// ErrNoPostMortems says there is nothing to recombine.
var ErrNoPostMortems = errors.New("pmcorpus: no post-mortems to generate from")

// NewGenerator prepares pms for Doc; seed picks the corpus.
func NewGenerator(pms []PostMortem, seed int64) (*Generator, error) {
	if len(pms) == 0 {
		return nil, ErrNoPostMortems
	}
	g := &Generator{seed: uint64(seed), bases: make([]base, len(pms))}
	byCat := map[string][]int{}
	for i := range pms {
		for _, c := range pms[i].Categories {
			byCat[c] = append(byCat[c], i)
		}
	}
	for i := range pms {
		g.bases[i] = prepare(&pms[i])
		seen := map[int]bool{i: true}
		for _, c := range pms[i].Categories {
			for _, j := range byCat[c] {
				if !seen[j] {
					seen[j] = true
					g.bases[i].peers = append(g.bases[i].peers, j)
				}
			}
		}
	}
	for _, role := range hostRoles {
		for n := 1; n <= 12; n++ {
			for _, env := range hostEnvs {
				g.hosts = append(g.hosts, role+"-"+strconv.Itoa(n)+"."+env+".example.com")
			}
		}
	}
	r := rand.New(rand.NewPCG(g.seed, 0x1d5))
	for range 256 {
		g.ips = append(g.ips, "10."+strconv.Itoa(r.IntN(8))+"."+strconv.Itoa(r.IntN(32))+"."+strconv.Itoa(1+r.IntN(254)))
	}
	for range 64 {
		g.hashes = append(g.hashes, strconv.FormatUint(r.Uint64()&0xfffffff, 16))
	}
	return g, nil
}

// IPs are the internal addresses the timelines mention.
func (g *Generator) IPs() []string { return g.ips }

// Generate returns a function giving the i-th of n synthetic incidents
// (0 <= i < n; ID i+1, key INC-<i+1>). The same pms, seed and i always give
// the same incident. An i out of range, or no post-mortems, gives a zero Doc.
func Generate(pms []PostMortem, n int, seed int64) func(i int) search.Doc {
	g, err := NewGenerator(pms, seed)
	return func(i int) search.Doc {
		if err != nil || i < 0 || i >= n {
			return search.Doc{}
		}
		return g.Doc(i)
	}
}

// prepare splits a post-mortem into the pieces incidents are made of.
func prepare(pm *PostMortem) base {
	b := base{title: pm.Title, summary: pm.Summary, categories: Categories(pm), keywords: pm.Keywords}
	for _, p := range Paragraphs(pm.Body) {
		b.paras = append(b.paras, capText(p, maxParagraph))
	}
	if b.summary == "" && len(b.paras) > 0 {
		b.summary = capText(b.paras[0], 400)
	}
	b.sentences = Sentences(b.summary)
	for _, p := range b.paras {
		b.sentences = append(b.sentences, Sentences(p)...)
	}
	if len(b.sentences) == 0 {
		b.sentences = []string{b.title}
	}
	for _, s := range b.sentences {
		l := strings.ToLower(s)
		if strings.Contains(l, "caus") || strings.Contains(l, "because") || strings.Contains(l, "due to") ||
			strings.Contains(l, "triggered") || strings.Contains(l, "root") {
			b.causal = append(b.causal, s)
		}
	}
	if len(b.causal) == 0 {
		b.causal = b.sentences[:min(3, len(b.sentences))]
	}
	for _, k := range pm.Keywords {
		b.tags = append(b.tags, strings.ReplaceAll(strings.ToLower(k), " ", "-"))
	}
	if p := strings.ToLower(strings.TrimSpace(pm.Product)); p != "" {
		b.service = strings.Join(strings.Fields(p), "-")
	}
	return b
}

// capText cuts s to at most n bytes, at a sentence end when one is in the
// second half, else at a space.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	if i := strings.LastIndex(cut, ". "); i > n/2 {
		return cut[:i+1]
	}
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		return cut[:i]
	}
	return cut
}

// Doc returns the i-th incident (ID i+1). It depends only on the
// generator's post-mortems and seed and on i.
func (g *Generator) Doc(i int) search.Doc {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)+1))
	bi := r.IntN(len(g.bases))
	b := &g.bases[bi]
	w := writer{r: r, g: g, buf: make([]byte, 0, 6<<10)}
	w.pickContext(b)

	id := int64(i) + 1
	d := search.Doc{
		ID:        id,
		Key:       "INC-" + strconv.FormatInt(id, 10),
		Summary:   b.summary,
		Severity:  weighted(r, severities),
		Status:    weighted(r, statuses),
		Commander: people[r.IntN(len(people))],
		Teams:     []string{w.team},
	}
	started := epoch.Add(time.Duration(r.Int64N(int64(span/time.Second))) * time.Second)
	d.StartedAt = &started
	d.CreatedAt = started.Add(time.Duration(1+r.IntN(20)) * time.Minute)
	d.UpdatedAt = d.CreatedAt.Add(time.Duration(1+r.IntN(30*24)) * time.Hour)
	if d.Status != "open" {
		resolved := started.Add(time.Duration(10+r.IntN(600)) * time.Minute)
		d.ResolvedAt = &resolved
		d.Published = d.Status == "resolved" && r.IntN(10) < 7
	}
	d.Visibility = "internal"
	if r.IntN(100) < restrictedPercent {
		d.Visibility = "restricted"
		d.RestrictedTo = []string{groups[r.IntN(len(groups))]}
	}

	// Text made here goes into w.buf and is cut out of one string at the
	// end; the pieces remember where each one is.
	title := w.title(b)
	var impact piece
	if r.IntN(2) == 0 {
		impact = w.expand("Customers saw %c from %s in %r for %n minutes.")
	}
	actions := w.actions(b)
	events := w.events(b, started)
	text := string(w.buf)
	at := func(s piece) string { return text[s.from:s.to] }

	d.Title = at(title)
	d.CustomerImpact = at(impact)
	d.Sections = g.sections(r, b)
	d.RootCauses = rootCauses(r, b)
	if len(actions) > 0 {
		d.Actions = make([]search.Action, len(actions))
		for j, a := range actions {
			d.Actions[j] = search.Action{Title: at(a.title), Description: a.description, Status: a.status}
		}
	}
	d.Events = make([]search.Event, len(events))
	for j, e := range events {
		d.Events[j] = search.Event{ID: id*100 + int64(j), At: e.at, Source: e.source, Kind: e.kind, Actor: e.actor, Body: at(e.body)}
	}
	d.Services = w.servicesOf(b)
	d.Tags = tagsOf(r, b)
	return d
}

// sections are the RCA: paragraphs of the base in order from a random
// start, and in the root-cause section one paragraph borrowed from a
// post-mortem of a shared category (so that similar incidents share text
// the way real ones do).
func (g *Generator) sections(r *rand.Rand, b *base) []search.Section {
	paras := b.paras
	if len(paras) == 0 {
		paras = []string{b.summary}
	}
	// No paragraph is used twice: a short post-mortem makes a short RCA.
	n := max(min(2+r.IntN(3), len(paras)), 2)
	out := make([]search.Section, 0, n)
	p := r.IntN(len(paras))
	for k := 0; k < n; k++ {
		s := sectionKeys[k%len(sectionKeys)]
		body := ""
		if k < len(paras) {
			body = paras[(p+k)%len(paras)]
		}
		if s.key == "root_cause" {
			if borrowed := g.borrow(r, b); borrowed != "" && body != "" {
				body = body + "\n\n" + borrowed
			} else if body == "" {
				body = borrowed
			}
		}
		out = append(out, search.Section{Key: s.key, Title: s.title, Body: body, Audience: "internal"})
	}
	return out
}

// borrow returns a paragraph of another post-mortem sharing a category
// with b (any post-mortem when b has no category).
func (g *Generator) borrow(r *rand.Rand, b *base) string {
	var o *base
	if len(b.peers) > 0 {
		o = &g.bases[b.peers[r.IntN(len(b.peers))]]
	} else {
		o = &g.bases[r.IntN(len(g.bases))]
	}
	if len(o.paras) == 0 {
		return o.summary
	}
	return o.paras[r.IntN(len(o.paras))]
}

// rootCauses are 1–3 causes in the base's categories, described by its
// sentences that say why.
func rootCauses(r *rand.Rand, b *base) []search.RootCause {
	n := 1 + r.IntN(3)
	n = min(n, max(len(b.categories), 1))
	out := make([]search.RootCause, n)
	c := r.IntN(len(b.categories))
	s := r.IntN(len(b.causal))
	for k := range out {
		out[k] = search.RootCause{
			Category:    b.categories[(c+k)%len(b.categories)],
			Description: b.causal[(s+k)%len(b.causal)],
		}
	}
	return out
}

// tagsOf picks 1–4 of the base's keywords as tags.
func tagsOf(r *rand.Rand, b *base) []string {
	if len(b.tags) == 0 {
		return nil
	}
	n := min(1+r.IntN(4), len(b.tags))
	out := make([]string, 0, n)
	k := r.IntN(len(b.tags))
	for j := range n {
		out = append(out, b.tags[(k+j)%len(b.tags)])
	}
	return out
}

// weighted picks a value with the given weights (out of their sum).
func weighted(r *rand.Rand, opts []choice) string {
	total := 0
	for _, o := range opts {
		total += o.weight
	}
	n := r.IntN(total)
	for _, o := range opts {
		if n < o.weight {
			return o.value
		}
		n -= o.weight
	}
	return opts[len(opts)-1].value
}
