package incident

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RCAStatus is where an RCA is in review.
type RCAStatus string

// RCA statuses.
const (
	RCADraft     RCAStatus = "draft"
	RCAInReview  RCAStatus = "in_review"
	RCAPublished RCAStatus = "published"
)

// RCAStatuses lists every valid RCA status.
var RCAStatuses = []RCAStatus{RCADraft, RCAInReview, RCAPublished}

// Valid reports whether s is a known RCA status.
func (s RCAStatus) Valid() bool { return oneOf(s, RCAStatuses) }

// Audience says who may read a section.
type Audience string

// Audiences, from widest to narrowest.
const (
	AudiencePublic          Audience = "public"
	AudienceCustomerSuccess Audience = "customer_success"
	AudienceInternal        Audience = "internal"
)

// Audiences lists every valid audience.
var Audiences = []Audience{AudiencePublic, AudienceCustomerSuccess, AudienceInternal}

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool { return oneOf(a, Audiences) }

// MaxSections bounds the sections of one RCA.
const MaxSections = 100

// RCA is the root-cause analysis document of one incident.
type RCA struct {
	ID         int64
	IncidentID int64
	Template   string
	Status     RCAStatus
	Sections   []Section
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	UpdatedBy  string

	// The review state, changed only through the review workflow (see
	// review.go). ReviewRound counts the submissions for review; Reviewers
	// are those of the latest round (nil before the first).
	ReviewRound int
	Reviewers   []Review
	// PublishedAt and PublishedBy are of the latest publication; they stay
	// when the RCA is amended, with AmendReason saying why.
	PublishedAt *time.Time
	PublishedBy string
	AmendReason string
}

// Section is one titled part of an RCA, in markdown.
type Section struct {
	Key      string
	Title    string
	Body     string
	Audience Audience
	// Help tells the writer what belongs in the section (from the template).
	Help string
	// Required sections must be filled before the RCA can be published.
	Required bool
	// Block, when set, makes the section show structured records after its
	// text (the key events, root causes or corrective actions), so the
	// document and the tracker never drift.
	Block Block
}

// Block names the structured records a section shows.
type Block string

// Blocks.
const (
	BlockNone       Block = ""
	BlockTimeline   Block = "timeline"
	BlockRootCauses Block = "root_causes"
	BlockActions    Block = "corrective_actions"
)

// Blocks lists every valid block, the empty one included.
var Blocks = []Block{BlockNone, BlockTimeline, BlockRootCauses, BlockActions}

// Valid reports whether b is a known block.
func (b Block) Valid() bool { return oneOf(b, Blocks) }

// RCARevision is the RCA as it was after one save.
type RCARevision struct {
	ID        int64
	RCAID     int64
	Version   int
	Status    RCAStatus
	Sections  []Section
	Author    string
	CreatedAt time.Time
	// Reason says why the save happened when it was more than an edit
	// ("published", "restored from version 3", "amended: …").
	Reason string
}

var sectionKeyRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Normalize defaults the status, section audiences and keys.
func (r *RCA) Normalize() {
	if r.Status == "" {
		r.Status = RCADraft
	}
	r.Template = strings.TrimSpace(CleanText(r.Template))
	for i := range r.Sections {
		s := &r.Sections[i]
		s.Title = strings.TrimSpace(CleanText(s.Title))
		s.Body = CleanText(s.Body)
		s.Help = CleanText(s.Help)
		s.Key = strings.TrimSpace(CleanText(s.Key))
		if s.Key == "" {
			s.Key = Slug(s.Title)
		}
		if s.Audience == "" {
			s.Audience = AudienceInternal
		}
	}
	if r.Sections == nil {
		r.Sections = []Section{}
	}
}

// Validate checks the status and every section; section keys are unique.
func (r *RCA) Validate() error {
	v := &ValidationError{}
	if !r.Status.Valid() {
		v.Add("status", "must be one of draft, in_review, published")
	}
	if len(r.Sections) > MaxSections {
		v.Add("sections", "must have at most "+strconv.Itoa(MaxSections)+" entries")
	}
	seen := map[string]bool{}
	for i, s := range r.Sections {
		p := "sections[" + strconv.Itoa(i) + "]."
		switch {
		case s.Title == "":
			v.Add(p+"title", "is required")
		case utf8.RuneCountInString(s.Title) > MaxTitle:
			v.Add(p+"title", "must be at most "+strconv.Itoa(MaxTitle)+" characters")
		}
		if !sectionKeyRe.MatchString(s.Key) {
			v.Add(p+"key", "must be lower-case letters, digits, - or _ (at most 64)")
		} else if seen[s.Key] {
			v.Add(p+"key", "duplicates the key of an earlier section")
		}
		seen[s.Key] = true
		if !s.Audience.Valid() {
			v.Add(p+"audience", "must be one of public, customer_success, internal")
		}
		if !s.Block.Valid() {
			v.Add(p+"block", "must be one of timeline, root_causes, corrective_actions (or empty)")
		}
		if utf8.RuneCountInString(s.Help) > MaxSummary {
			v.Add(p+"help", "must be at most "+strconv.Itoa(MaxSummary)+" characters")
		}
		if utf8.RuneCountInString(s.Body) > MaxBody {
			v.Add(p+"body", "must be at most "+strconv.Itoa(MaxBody)+" characters")
		}
	}
	return v.Err()
}

// Slug turns a title into a section key ("Root causes" → "root-causes").
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}
