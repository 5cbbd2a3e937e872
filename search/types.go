package search

import "time"

// Field names of the index. Text fields use the hindsight analyzer (English
// prose that keeps identifiers whole and by parts); keyword fields hold
// lower-cased exact values.
const (
	FieldKey          = "key"          // keyword: "inc-42"
	FieldTitle        = "title"        // text
	FieldSummary      = "summary"      // text: summary and customer impact
	FieldRCA          = "rca"          // text array: one element per section
	FieldRootCauses   = "root_causes"  // text array: one element per root cause
	FieldActions      = "actions"      // text array: one element per action
	FieldTimeline     = "timeline"     // text: the events' texts, separated by eventSep
	FieldEventIDs     = "event_ids"    // stored only: the events' ids, comma-separated, same order as timeline
	FieldServices     = "service"      // keyword array
	FieldTeams        = "team"         // keyword array
	FieldTags         = "tag"          // keyword array
	FieldServiceWords = "service_word" // keyword array: each word of the services ("s3" of "Amazon S3")
	FieldTagWords     = "tag_word"     // keyword array: each word of the tags
	FieldCategories   = "category"     // keyword array: root-cause categories
	FieldSeverity     = "severity"     // keyword: "sev1"
	FieldStatus       = "status"       // keyword
	FieldWhen         = "when"         // datetime: started, else created
	FieldPublished    = "published"    // keyword: "t" or "f"
	FieldAccess       = "access"       // keyword array: "*" for internal, else the allowed principals
	FieldRestricted   = "restricted"   // keyword: "t" on restricted incidents only
	FieldFacets       = "facets"       // keyword array with doc values: "s:edge", "v:sev1", "t:bgp", "c:network", "y:2021"
)

// Facet names in Result.Facets.
const (
	FacetService  = "service"
	FacetSeverity = "severity"
	FacetTag      = "tag"
	FacetCategory = "category"
	FacetYear     = "year"
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortOldest    = "oldest"
)

// Limits on a page of results.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// Request is one search.
type Request struct {
	// Q is the query text: words, "quoted phrases", -excluded words, OR,
	// field:value (service, tag, severity, status, team, category, key) and
	// after:/before: dates. Empty Q lists every incident the filters keep.
	Q string
	// Filters narrow the results; they combine with those written in Q.
	Filters Filters
	// Sort is SortRelevance (default; SortNewest when Q has no words),
	// SortNewest or SortOldest.
	Sort string
	// Limit is the page size (DefaultLimit when 0, at most MaxLimit).
	Limit int
	// Cursor continues after the last hit of an earlier page (NextCursor).
	Cursor string
	// NoFacets skips counting facets.
	NoFacets bool
	// Viewer is who asks; see Viewer.
	Viewer Viewer
}

// Filters are exact filters on keyword fields and dates. Values within one
// field are alternatives (OR); fields combine with AND.
type Filters struct {
	Services   []string
	Severities []string
	Statuses   []string
	Tags       []string
	Teams      []string
	Categories []string
	// After and Before bound the incident's date (When) — After inclusive,
	// Before exclusive.
	After  *time.Time
	Before *time.Time
	// Published keeps only incidents whose RCA is (or is not) published.
	Published *bool
}

// Result is one page of search results.
type Result struct {
	Items []Hit `json:"items"`
	// Total counts every matching incident the viewer may see.
	Total  uint64             `json:"total"`
	Facets map[string][]Count `json:"facets"`
	// NextCursor continues the list; empty on the last page.
	NextCursor string `json:"next_cursor"`
	// Fuzzy says exact matching found too little and the words were
	// matched with typos allowed.
	Fuzzy bool `json:"fuzzy"`
	// AnyWord says no incident had every word, and these have some of
	// them (most first).
	AnyWord bool `json:"any_word"`
	// Query says how the text was read (for "showing results for …").
	Query string `json:"query"`
	// Notices say what of the text was left out, and why, in words for
	// the person who typed it (a date bound that is no date).
	Notices []string      `json:"notices,omitempty"`
	TookMS  float64       `json:"took_ms"`
	Took    time.Duration `json:"-"`

	// after[i] continues the list after Items[i] (CursorAfter).
	after []cursor
}

// Count is one facet value and how many matching incidents have it.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Hit is one matching incident.
type Hit struct {
	ID        int64      `json:"id"`
	Key       string     `json:"key"`
	Title     string     `json:"title"`
	Score     float64    `json:"score"`
	Severity  string     `json:"severity"`
	Status    string     `json:"status"`
	Services  []string   `json:"services"`
	Tags      []string   `json:"tags"`
	StartedAt *time.Time `json:"started_at"`
	Published bool       `json:"published"`
	// Highlights maps a field (title, summary, rca, root_causes, actions,
	// timeline) to fragments of its text, HTML-escaped, with the matched
	// words in <mark>…</mark>.
	Highlights map[string][]string `json:"highlights"`
	// Events are the timeline events that matched, with their fragment.
	Events []EventMatch `json:"events,omitempty"`
}

// EventMatch points at a timeline event that matched.
type EventMatch struct {
	ID       int64  `json:"id"`
	Fragment string `json:"fragment"`
}

// SimilarRequest asks for incidents like one incident (ID, whose indexed
// document is used) or like a piece of text (Text, e.g. a pasted alert).
type SimilarRequest struct {
	ID int64
	// Doc, when set, is the incident's current document (fresher than the
	// index while a write is being applied); its ID is still excluded.
	Doc    *Doc
	Text   string
	Limit  int
	Viewer Viewer
}

// Similar is one similar incident and why.
type Similar struct {
	ID        int64      `json:"id"`
	Key       string     `json:"key"`
	Title     string     `json:"title"`
	Score     float64    `json:"score"`
	Status    string     `json:"status"`
	Severity  string     `json:"severity"`
	StartedAt *time.Time `json:"started_at"`
	Published bool       `json:"published"`
	// Relative is how much of the source incident's distinctive words
	// (weighted by tf·idf, each counted up to the source's own weight)
	// and labels this one holds: 1 = all of them, as the incident itself
	// would; 0 for text.
	Relative float64  `json:"relative"`
	Reasons  []Reason `json:"reasons"`
}

// Reason kinds.
const (
	ReasonTerms    = "terms"    // distinctive words both share
	ReasonService  = "service"  // same service
	ReasonTag      = "tag"      // same tag
	ReasonCategory = "category" // same root-cause category
	ReasonTeam     = "team"     // same team
)

// Reason is one reason two incidents are alike: a kind, the shared values
// and a sentence saying it.
type Reason struct {
	Kind   string   `json:"kind"`
	Values []string `json:"values"`
	Text   string   `json:"text"`
}

// Suggestion is one autocomplete entry.
type Suggestion struct {
	Kind  string `json:"kind"` // "title", "service", "tag", "key"
	Value string `json:"value"`
	// Key is the incident a title suggestion opens.
	Key   string `json:"key,omitempty"`
	ID    int64  `json:"id,omitempty"`
	Count int    `json:"count,omitempty"`
}
