package search

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// MappingVersion names the shape of the index: the fields, their analysis
// and what is stored. Bump it whenever any of that changes; an index of
// another version is rebuilt from the database (the old one answers until
// the new one is ready).
// Version 2 keeps restricted incidents in a shard of their own (shards.go).
// Version 3 indexes and stores the timeline as one value per incident, its
// events separated by eventSep, and the events' ids as one value.
// Version 4 adds FieldSignature, the signature similar incidents read
// (similar_signature.go), and fieldAll, the text fields' (and the
// services' and tags') weighted terms in one field, and indexes the long
// text fields without their pairs, which fieldAll holds tagged with their
// field.
const MappingVersion = 4

// Field boosts of the text fields in searches: what a title or a root cause
// says weighs more than a line of chat.
var textBoosts = map[string]float64{
	FieldTitle:      5,
	FieldRootCauses: 3,
	FieldSummary:    2.5,
	FieldRCA:        1.5,
	FieldActions:    1.5,
	FieldTimeline:   0.6,
}

// textFields lists the text fields in a stable order.
var textFields = []string{FieldTitle, FieldRootCauses, FieldSummary, FieldRCA, FieldActions, FieldTimeline}

// keywordFields lists the keyword fields.
var keywordFields = []string{FieldKey, FieldServices, FieldTeams, FieldTags, FieldCategories, FieldSeverity,
	FieldStatus, FieldPublished, FieldAccess, FieldServiceWords, FieldTagWords,
	FieldRestricted, FieldFacets, FieldSignature}

// storedFields are what a hit needs to be shown without the database.
var storedFields = []string{FieldKey, FieldTitle, FieldSummary, FieldRCA, FieldRootCauses, FieldActions,
	FieldTimeline, FieldEventIDs, FieldServices, FieldTeams, FieldTags, FieldCategories, FieldSeverity,
	FieldStatus, FieldWhen, FieldPublished}

// Bounds of the timeline text indexed for one incident: 20,000 events of
// a hundred bytes. An analysed document takes about fifty times its text
// while a rebuild's builder holds a chunk of them (a 2 MB timeline about
// 100 MB), so the bound also bounds what an alert storm or a year of chat
// costs a rebuild.
const (
	maxTimelineEvents = 20_000
	maxTimelineBytes  = 2 << 20
)

// accessAll is the access value of incidents every viewer may see.
const accessAll = "*"

// newMapping is the index mapping of MappingVersion. Documents are built
// field by field (buildDocument) rather than from structs, so the mapping
// serves queries: it names each field's analyzer.
func newMapping() *mapping.IndexMappingImpl {
	im := bleve.NewIndexMapping()
	im.DefaultAnalyzer = AnalyzerText
	im.ScoringModel = index.BM25Scoring
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range textFields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = AnalyzerTextIndex
		fm.Store = true
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = false
		dm.AddFieldMappingsAt(f, fm)
	}
	for _, f := range keywordFields {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = AnalyzerKeyword
		fm.Store = true
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = f == FieldFacets || f == FieldSignature
		fm.Store = !fm.DocValues
		dm.AddFieldMappingsAt(f, fm)
	}
	all := bleve.NewTextFieldMapping()
	all.Analyzer = AnalyzerTextIndex
	all.Store = false
	all.IncludeTermVectors = false
	all.IncludeInAll = false
	all.DocValues = false
	dm.AddFieldMappingsAt(fieldAll, all)
	when := bleve.NewDateTimeFieldMapping()
	when.Store = true
	when.IncludeInAll = false
	when.DocValues = true // sorts by date
	dm.AddFieldMappingsAt(FieldWhen, when)
	ids := bleve.NewTextFieldMapping()
	ids.Index = false
	ids.Store = true
	ids.IncludeInAll = false
	ids.DocValues = false
	dm.AddFieldMappingsAt(FieldEventIDs, ids)
	im.DefaultMapping = dm
	return im
}

// Indexing options of the field kinds.
const (
	textOptions    = index.IndexField | index.StoreField
	keywordOptions = index.IndexField | index.StoreField
	facetOptions   = index.IndexField | index.DocValues
	dateOptions    = index.IndexField | index.StoreField | index.DocValues
)

// docBuilder turns Docs into bleve documents with the mapping's analyzers.
type docBuilder struct {
	text, keyword analysis.Analyzer
	// similar is the analyzer of similar incidents' words (the query's).
	similar analysis.Analyzer
	// legacy writes a document of the shape before fieldAll (see
	// legacyShape), into a generation of that shape.
	legacy bool
}

// legacyShape reports whether a generation of mapping version v has the
// shape before version 4: no fieldAll, and every text field indexed with
// its pairs. Such a generation answers (and takes changes) in its own
// shape while a rebuild makes the new one.
func legacyShape(v int) bool { return v < 4 }

// docsFor is the document builder for a generation, in its shape.
func (ix *Index) docsFor(idx *shardIndex) docBuilder {
	b := ix.docs
	b.legacy = legacyShape(idx.version)
	return b
}

func newDocBuilder(im *mapping.IndexMappingImpl) docBuilder {
	return docBuilder{text: im.AnalyzerNamed(AnalyzerTextIndex), keyword: im.AnalyzerNamed(AnalyzerKeyword),
		similar: im.AnalyzerNamed(AnalyzerText)}
}

// docID is the index id of an incident.
func docID(id int64) string { return strconv.FormatInt(id, 10) }

// build is d as a bleve document.
func (b docBuilder) build(d *Doc) *document.Document {
	doc := document.NewDocument(docID(d.ID))
	all := &combinedField{an: b.text}
	if b.legacy {
		all = nil
	}
	// The text fields other than the timeline hold no event separator:
	// one typed in them is a space, as in an event.
	var written []document.Field // the written fields, which signatures count (sigField)
	addText := func(name string, pos []uint64, s string) {
		f := b.textField(doc, name, pos, appendEventText(nil, s))
		all.add(f)
		written = append(written, f)
	}
	addKeyword := func(name string, pos []uint64, s string) {
		doc.AddField(document.NewTextFieldCustom(name, pos, []byte(s), keywordOptions, b.keyword))
	}
	addKeywords := func(name string, vals []string) {
		n := 0
		for _, v := range vals {
			if normalizeKeyword(v) != "" {
				addKeyword(name, []uint64{uint64(n)}, strings.Join(strings.Fields(v), " "))
				n++
			}
		}
	}
	// addArray adds the non-empty texts as one array field.
	addArray := func(name string, texts []string) {
		n := 0
		for _, s := range texts {
			if strings.TrimSpace(s) != "" {
				addText(name, []uint64{uint64(n)}, s)
				n++
			}
		}
	}

	addKeyword(FieldKey, nil, normalizeKeyword(d.Key))
	if strings.TrimSpace(d.Title) != "" {
		addText(FieldTitle, nil, d.Title)
	}
	addArray(FieldSummary, []string{d.Summary, d.CustomerImpact})
	secs := make([]string, 0, len(d.Sections))
	for _, s := range d.Sections {
		secs = append(secs, joinNonEmpty("\n\n", s.Title, s.Body))
	}
	addArray(FieldRCA, secs)
	rcs := make([]string, 0, len(d.RootCauses))
	for _, rc := range d.RootCauses {
		rcs = append(rcs, rc.Description)
	}
	addArray(FieldRootCauses, rcs)
	acts := make([]string, 0, len(d.Actions))
	for _, a := range d.Actions {
		acts = append(acts, joinNonEmpty("\n", a.Title, a.Description))
	}
	addArray(FieldActions, acts)
	// The timeline is one value: fifty values of one field cost zap far
	// more (in analysis, in the segment being built and in stored fields)
	// than one value of the same text. The pair analyzer makes no pair
	// across eventSep, and highlights cut the stored value back into events.
	var tl, ids []byte
	n, size := 0, 0
	for _, e := range d.Events {
		if strings.TrimSpace(e.Body) == "" {
			continue
		}
		// A timeline of an alert storm or a year of chat is indexed up to a
		// bound, so one incident cannot make every update of it slow; the
		// event that crosses it is indexed up to it.
		if n >= maxTimelineEvents || size >= maxTimelineBytes {
			break
		}
		body := cutUTF8(e.Body, maxTimelineBytes-size)
		size += len(body)
		if n > 0 {
			tl = append(tl, eventSep)
			ids = append(ids, ',')
		}
		tl = appendEventText(tl, body)
		ids = strconv.AppendInt(ids, e.ID, 10)
		n++
	}
	if n > 0 {
		all.add(b.textField(doc, FieldTimeline, nil, tl))
		doc.AddField(document.NewTextFieldWithIndexingOptions(FieldEventIDs, nil, ids, index.StoreField))
	}
	for _, v := range d.Services {
		all.addLabel(FieldServices, v)
	}
	addKeywords(FieldServices, d.Services)
	addKeywords(FieldServiceWords, labelWords(d.Services))
	addKeywords(FieldTeams, d.Teams)
	tags := withoutCategoryTags(d.Tags) // category: tags count as categories
	for _, v := range tags {
		all.addLabel(FieldTags, v)
	}
	addKeywords(FieldTags, tags)
	addKeywords(FieldTagWords, labelWords(tags))
	addKeywords(FieldCategories, d.Categories())
	addKeyword(FieldSeverity, nil, normalizeKeyword(d.Severity))
	addKeyword(FieldStatus, nil, normalizeKeyword(d.Status))
	when, dated := d.When()
	addKeyword(FieldPublished, nil, boolKeyword(d.Published))
	if strings.EqualFold(d.Visibility, "restricted") {
		addKeyword(FieldRestricted, nil, boolKeyword(true))
		addKeywords(FieldAccess, d.RestrictedTo)
	} else {
		addKeyword(FieldAccess, nil, accessAll)
	}
	// The facets, in one doc-values field (see facets in exec.go).
	facetVals := map[string]bool{}
	addFacet := func(prefix, v string) {
		if v = normalizeKeyword(v); v != "" && !facetVals[prefix+v] {
			facetVals[prefix+v] = true
			doc.AddField(document.NewTextFieldCustom(FieldFacets, []uint64{uint64(len(facetVals) - 1)},
				[]byte(prefix+v), facetOptions, b.keyword))
		}
	}
	for _, v := range d.Services {
		addFacet("s:", v)
	}
	addFacet("v:", d.Severity)
	for _, v := range tags {
		addFacet("t:", v)
	}
	for _, v := range d.Categories() {
		addFacet("c:", v)
	}
	if dated {
		addFacet("y:", strconv.Itoa(when.Year()))
		if f, err := document.NewDateTimeFieldWithIndexingOptions(FieldWhen, nil, when, time.RFC3339Nano, dateOptions); err == nil {
			doc.AddField(f)
		}
	}
	// A generation of the shape before version 4 has no signatures
	// (similar incidents answer ErrNotReady there until its rebuild ends).
	if !b.legacy {
		b.addSignature(doc, d, written)
	}
	// Last, so its parts are analysed before it.
	if all != nil && (len(all.parts) > 0 || len(all.labels) > 0) {
		doc.AddField(all)
	}
	return doc
}

// textField adds a text field to doc and returns it.
func (b docBuilder) textField(doc *document.Document, name string, pos []uint64, text []byte) document.Field {
	var f document.Field = document.NewTextFieldCustom(name, pos, text, textOptions, b.text)
	if _, ok := pairlessFields[name]; ok && !b.legacy {
		f = &pairlessField{TextField: f.(*document.TextField)}
	}
	doc.AddField(f)
	return f
}

// eventSep separates the events of the timeline's one value. It is a
// control character no event keeps (appendEventText) and no token holds.
const eventSep = '\x1e'

// appendEventText appends an event's text to b with eventSep made a space.
func appendEventText(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, eventSep)
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		b = append(b, ' ')
		s = s[i+1:]
	}
}

// cutUTF8 is s cut to at most n bytes, at a character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// timelineEvents cuts a stored timeline back into its events' texts and
// ids (an index of mapping version 2 stores them as arrays; the values are
// cut all the same).
func timelineEvents(fields map[string]any) (texts, ids []string) {
	stored := fieldStrings(fields, FieldTimeline)
	// Version 3 stores one value, cut here; version 2 stored one value per
	// event, whose text was not cleaned of the separator: kept whole.
	if _, arrays := fields[FieldEventIDs].([]any); arrays {
		texts = stored
	} else {
		for _, v := range stored {
			texts = append(texts, strings.Split(v, string(eventSep))...)
		}
	}
	for _, v := range fieldStrings(fields, FieldEventIDs) {
		ids = append(ids, strings.Split(v, ",")...)
	}
	return texts, ids
}

// labelWords are the words of labels, each once: "Amazon S3" gives
// "amazon" and "s3", so service:s3 finds it.
func labelWords(labels []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range labels {
		for _, w := range strings.FieldsFunc(strings.ToLower(l), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

func boolKeyword(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

// normalizeKeyword is a keyword value as the keyword analyzer keeps it:
// lower case, trimmed, inner spaces collapsed.
func normalizeKeyword(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

func joinNonEmpty(sep string, parts ...string) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
