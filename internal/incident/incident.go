package incident

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Severity ranks an incident, SEV1 being the worst.
type Severity string

// Severities, worst first.
const (
	SEV1 Severity = "SEV1"
	SEV2 Severity = "SEV2"
	SEV3 Severity = "SEV3"
	SEV4 Severity = "SEV4"
	SEV5 Severity = "SEV5"
)

// Severities lists every valid severity, worst first.
var Severities = []Severity{SEV1, SEV2, SEV3, SEV4, SEV5}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return oneOf(s, Severities) }

// Status is where an incident is in its life.
type Status string

// Incident statuses, in order.
const (
	StatusOpen      Status = "open"
	StatusMitigated Status = "mitigated"
	StatusResolved  Status = "resolved"
)

// Statuses lists every valid incident status.
var Statuses = []Status{StatusOpen, StatusMitigated, StatusResolved}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return oneOf(s, Statuses) }

// Visibility says who may see an incident.
type Visibility string

// Visibilities.
const (
	VisibilityInternal   Visibility = "internal"
	VisibilityRestricted Visibility = "restricted"
)

// Visibilities lists every valid visibility.
var Visibilities = []Visibility{VisibilityInternal, VisibilityRestricted}

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return oneOf(v, Visibilities) }

// KeyPrefix starts every incident key ("INC-42").
const KeyPrefix = "INC-"

// Limits on free text, in characters.
const (
	MaxTitle   = 300
	MaxSummary = 20000
	MaxLabel   = 100
	MaxLabels  = 50
	MaxName    = 200
	MaxBody    = 200000
)

// Incident is one thing that went wrong, from first signal to resolution.
type Incident struct {
	ID             int64
	Key            string
	Title          string
	Summary        string
	Severity       Severity
	Status         Status
	Services       []string
	Teams          []string
	Tags           []string
	Commander      string
	Visibility     Visibility
	RestrictedTo   []string // users and groups allowed to see a restricted incident
	CustomerImpact string

	// The public status page (see status.go): nothing shows there unless
	// Public; then only the public title, summary and impact.
	Public          bool
	PublicTitle     string
	PublicSummary   string
	PublicImpact    PublicImpact
	ImpactStartedAt *time.Time
	ImpactEndedAt   *time.Time

	StartedAt      *time.Time
	DetectedAt     *time.Time
	AcknowledgedAt *time.Time
	MitigatedAt    *time.Time
	ResolvedAt     *time.Time

	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Lifecycle is one of an incident's lifecycle moments, named by its JSON field.
type Lifecycle struct {
	Field string
	At    *time.Time
}

// Lifecycle returns the lifecycle times in the order they must happen.
func (i *Incident) Lifecycle() []Lifecycle {
	return []Lifecycle{
		{"started_at", i.StartedAt},
		{"detected_at", i.DetectedAt},
		{"acknowledged_at", i.AcknowledgedAt},
		{"mitigated_at", i.MitigatedAt},
		{"resolved_at", i.ResolvedAt},
	}
}

// Normalize trims text, drops empty and repeated labels, defaults the enums
// and brings times to UTC with microsecond precision (what both databases keep).
func (i *Incident) Normalize() {
	i.Title = strings.TrimSpace(CleanText(i.Title))
	i.Summary = strings.TrimSpace(CleanText(i.Summary))
	i.Commander = strings.TrimSpace(CleanText(i.Commander))
	i.CustomerImpact = CleanText(i.CustomerImpact)
	i.Severity = Severity(CleanText(string(i.Severity)))
	i.Status = Status(CleanText(string(i.Status)))
	i.Visibility = Visibility(CleanText(string(i.Visibility)))
	i.Services = NormalizeLabels(i.Services)
	i.Teams = NormalizeLabels(i.Teams)
	i.Tags = NormalizeLabels(i.Tags)
	i.RestrictedTo = NormalizeLabels(i.RestrictedTo)
	if i.Severity == "" {
		i.Severity = SEV3
	}
	i.Severity = Severity(strings.ToUpper(string(i.Severity)))
	if i.Status == "" {
		i.Status = StatusOpen
	}
	if i.Visibility == "" {
		i.Visibility = VisibilityInternal
	}
	for _, t := range []**time.Time{&i.StartedAt, &i.DetectedAt, &i.AcknowledgedAt, &i.MitigatedAt, &i.ResolvedAt} {
		*t = UTCPtr(*t)
	}
	i.normalizePublic()
}

// Validate checks every field and the order of the lifecycle times.
func (i *Incident) Validate() error {
	v := &ValidationError{}
	switch {
	case i.Title == "":
		v.Add("title", "is required")
	case utf8.RuneCountInString(i.Title) > MaxTitle:
		v.Add("title", "must be at most "+strconv.Itoa(MaxTitle)+" characters")
	}
	if utf8.RuneCountInString(i.Summary) > MaxSummary {
		v.Add("summary", "must be at most "+strconv.Itoa(MaxSummary)+" characters")
	}
	if utf8.RuneCountInString(i.CustomerImpact) > MaxSummary {
		v.Add("customer_impact", "must be at most "+strconv.Itoa(MaxSummary)+" characters")
	}
	if utf8.RuneCountInString(i.Commander) > MaxName {
		v.Add("commander", "must be at most "+strconv.Itoa(MaxName)+" characters")
	}
	if !i.Severity.Valid() {
		v.Add("severity", "must be one of SEV1, SEV2, SEV3, SEV4, SEV5")
	}
	if !i.Status.Valid() {
		v.Add("status", "must be one of open, mitigated, resolved")
	}
	if !i.Visibility.Valid() {
		v.Add("visibility", "must be one of internal, restricted")
	}
	validateLabels(v, "services", i.Services)
	validateLabels(v, "teams", i.Teams)
	validateLabels(v, "tags", i.Tags)
	validateLabels(v, "restricted_to", i.RestrictedTo)
	if i.Visibility == VisibilityRestricted && len(i.RestrictedTo) == 0 {
		v.Add("restricted_to", "must name at least one user or group when visibility is restricted")
	}
	for _, l := range i.Lifecycle() {
		if l.At != nil && !TimeInRange(*l.At) {
			v.Add(l.Field, outOfRange)
		}
	}
	ValidateLifecycle(v, i.Lifecycle())
	i.validatePublic(v)
	return v.Err()
}

// ValidateLifecycle checks that every known time comes no earlier than every
// known time listed before it (resolved cannot precede started, and so on).
func ValidateLifecycle(v *ValidationError, times []Lifecycle) {
	for j, later := range times {
		if later.At == nil {
			continue
		}
		for _, earlier := range times[:j] {
			if earlier.At != nil && later.At.Before(*earlier.At) {
				v.Add(later.Field, "must not be before "+earlier.Field+" ("+earlier.At.UTC().Format(time.RFC3339)+")")
				break
			}
		}
	}
}

var labelRe = regexp.MustCompile(`^[^\x00-\x1f,]+$`)

func validateLabels(v *ValidationError, field string, labels []string) {
	if len(labels) > MaxLabels {
		v.Add(field, "must have at most "+strconv.Itoa(MaxLabels)+" entries")
		return
	}
	for n, l := range labels {
		if utf8.RuneCountInString(l) > MaxLabel {
			v.Add(field+"["+strconv.Itoa(n)+"]", "must be at most "+strconv.Itoa(MaxLabel)+" characters")
		} else if !labelRe.MatchString(l) {
			v.Add(field+"["+strconv.Itoa(n)+"]", "must not contain commas or control characters")
		}
	}
}

// NormalizeLabels trims labels and drops empty and repeated ones, keeping order.
// It never returns nil, so JSON shows [] rather than null.
func NormalizeLabels(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, l := range in {
		l = strings.TrimSpace(CleanText(l))
		if l == "" || seen[strings.ToLower(l)] {
			continue
		}
		seen[strings.ToLower(l)] = true
		out = append(out, l)
	}
	return out
}

// ParseKey returns n for a key "INC-n" (case-insensitive), or false.
func ParseKey(s string) (int64, bool) {
	if len(s) <= len(KeyPrefix) || !strings.EqualFold(s[:len(KeyPrefix)], KeyPrefix) {
		return 0, false
	}
	n, err := strconv.ParseInt(s[len(KeyPrefix):], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// FormatKey returns the key for incident number n.
func FormatKey(n int64) string { return KeyPrefix + strconv.FormatInt(n, 10) }

// MinTime and MaxTime bound the times Hindsight stores: years 1 to 9999 in
// UTC, what RFC 3339, JSON and both databases can all represent.
var (
	MinTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// TimeInRange reports whether t lies between MinTime and MaxTime.
func TimeInRange(t time.Time) bool { return !t.Before(MinTime) && !t.After(MaxTime) }

// outOfRange is the message for a time outside MinTime..MaxTime.
const outOfRange = "must be between years 0001 and 9999 (UTC)"

// UTC brings t to UTC with the microsecond precision both databases keep.
func UTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// UTCPtr is UTC for optional times.
func UTCPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := UTC(*t)
	return &u
}

func oneOf[T comparable](v T, all []T) bool {
	for _, a := range all {
		if v == a {
			return true
		}
	}
	return false
}

// Durations are the intervals between lifecycle moments; nil when an end is unknown.
type Durations struct {
	// ToDetect is detected − started.
	ToDetect *time.Duration
	// ToAcknowledge is acknowledged − detected (the usual MTTA: from the
	// alert to a human), or − started when the detection time is unknown.
	ToAcknowledge *time.Duration
	// ToMitigate is mitigated − started.
	ToMitigate *time.Duration
	// ToResolve is resolved − started.
	ToResolve *time.Duration
}

// Durations derives the lifecycle intervals; reports and the API share them.
func (i *Incident) Durations() Durations {
	ackFrom := i.DetectedAt
	if ackFrom == nil {
		ackFrom = i.StartedAt
	}
	return Durations{
		ToDetect:      between(i.StartedAt, i.DetectedAt),
		ToAcknowledge: between(ackFrom, i.AcknowledgedAt),
		ToMitigate:    between(i.StartedAt, i.MitigatedAt),
		ToResolve:     between(i.StartedAt, i.ResolvedAt),
	}
}

func between(from, to *time.Time) *time.Duration {
	if from == nil || to == nil {
		return nil
	}
	d := to.Sub(*from)
	return &d
}
