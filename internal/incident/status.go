package incident

import (
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PublicImpact is how badly an incident hurt customers, as the public
// status page says it.
type PublicImpact string

// Public impacts, mildest first.
const (
	ImpactDegraded      PublicImpact = "degraded"
	ImpactPartialOutage PublicImpact = "partial_outage"
	ImpactMajorOutage   PublicImpact = "major_outage"
)

// PublicImpacts lists every valid public impact, mildest first.
var PublicImpacts = []PublicImpact{ImpactDegraded, ImpactPartialOutage, ImpactMajorOutage}

// Valid reports whether p is a known public impact.
func (p PublicImpact) Valid() bool { return oneOf(p, PublicImpacts) }

// Rank orders impacts: 0 for none, 1 degraded, 2 partial, 3 major outage.
func (p PublicImpact) Rank() int {
	for i, v := range PublicImpacts {
		if v == p {
			return i + 1
		}
	}
	return 0
}

// Weight is the share of an impact window counted as downtime in the
// availability figures. Like Atlassian Statuspage's uptime bars, a major
// outage counts in full, a partial outage at 30% and degraded performance
// not at all (the service answered, slowly).
func (p PublicImpact) Weight() float64 {
	switch p {
	case ImpactMajorOutage:
		return 1
	case ImpactPartialOutage:
		return 0.3
	}
	return 0
}

// Worse returns the worse of p and q.
func (p PublicImpact) Worse(q PublicImpact) PublicImpact {
	if q.Rank() > p.Rank() {
		return q
	}
	return p
}

// MaxPublicSummary is the longest public summary, in characters.
const MaxPublicSummary = 5000

// normalizePublic trims the status-page fields of an incident.
func (i *Incident) normalizePublic() {
	i.PublicTitle = strings.TrimSpace(CleanText(i.PublicTitle))
	i.PublicSummary = strings.TrimSpace(CleanText(i.PublicSummary))
	i.PublicImpact = PublicImpact(strings.ToLower(strings.TrimSpace(CleanText(string(i.PublicImpact)))))
	i.ImpactStartedAt = UTCPtr(i.ImpactStartedAt)
	i.ImpactEndedAt = UTCPtr(i.ImpactEndedAt)
}

// validatePublic checks the status-page fields. Only an internal incident
// can be public: a restricted one is hidden from most of the company, so it
// is never shown to the world. To restrict a public incident, unpublish it
// in the same request (public: false).
func (i *Incident) validatePublic(v *ValidationError) {
	if i.Public && i.Visibility == VisibilityRestricted {
		v.Add("public", "a restricted incident cannot be public")
	}
	switch {
	case i.Public && i.PublicTitle == "":
		v.Add("public_title", "is required when the incident is public")
	case utf8.RuneCountInString(i.PublicTitle) > MaxTitle:
		v.Add("public_title", "must be at most "+strconv.Itoa(MaxTitle)+" characters")
	}
	if utf8.RuneCountInString(i.PublicSummary) > MaxPublicSummary {
		v.Add("public_summary", "must be at most "+strconv.Itoa(MaxPublicSummary)+" characters")
	}
	switch {
	case i.PublicImpact == "" && i.Public:
		v.Add("public_impact", "is required when the incident is public (degraded, partial_outage or major_outage)")
	case i.PublicImpact != "" && !i.PublicImpact.Valid():
		v.Add("public_impact", "must be one of degraded, partial_outage, major_outage")
	}
	for _, t := range []Lifecycle{{"impact_started_at", i.ImpactStartedAt}, {"impact_ended_at", i.ImpactEndedAt}} {
		if t.At != nil && !TimeInRange(*t.At) {
			v.Add(t.Field, outOfRange)
		}
	}
	if i.ImpactStartedAt != nil && i.ImpactEndedAt != nil && i.ImpactEndedAt.Before(*i.ImpactStartedAt) {
		v.Add("impact_ended_at", "must not be before impact_started_at ("+i.ImpactStartedAt.Format(time.RFC3339)+")")
	}
	// A typo in a year would turn into months of outage on the public page.
	for _, t := range []Lifecycle{{"impact_started_at", i.ImpactStartedAt}, {"impact_ended_at", i.ImpactEndedAt}} {
		if t.At != nil && t.At.Before(minImpactTime) {
			v.Add(t.Field, "must not be before 1970")
		}
	}
	if first := firstKnown(i.StartedAt, i.DetectedAt); i.ImpactStartedAt != nil && first != nil &&
		i.ImpactStartedAt.Before(first.Add(-maxImpactLead)) {
		v.Add("impact_started_at", "must not be more than a year before the incident started ("+first.Format(time.RFC3339)+")")
	}
	if i.ImpactEndedAt != nil && i.ResolvedAt != nil && i.ImpactEndedAt.After(*i.ResolvedAt) {
		v.Add("impact_ended_at", "must not be after resolved_at ("+i.ResolvedAt.Format(time.RFC3339)+")")
	}
	if i.Public && i.Status != StatusOpen && i.ImpactEndedAt == nil && i.MitigatedAt == nil && i.ResolvedAt == nil {
		v.Add("impact_ended_at", "is required for a public incident that is "+string(i.Status)+" without mitigated_at or resolved_at")
	}
}

// minImpactTime and maxImpactLead bound an impact window.
var minImpactTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

const maxImpactLead = 366 * 24 * time.Hour

// firstKnown returns the first non-nil time.
func firstKnown(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil {
			return t
		}
	}
	return nil
}

// ImpactTimes are the times an impact window is derived from.
type ImpactTimes struct {
	ImpactStartedAt, ImpactEndedAt                 *time.Time
	StartedAt, DetectedAt, MitigatedAt, ResolvedAt *time.Time
	CreatedAt                                      time.Time
	Status                                         Status
}

// Window is when customers were hurt: from impact_started_at, else the
// first known of started, detected and created; to impact_ended_at, else
// mitigated (customers stop being hurt when the incident is mitigated,
// even if the fix comes later), else resolved. An open incident without
// an end is still hurting: its window ends at now. A closed one without
// any end time (validation refuses to publish one) counts as an empty
// window: never its last change, which every later edit would move. The
// end never precedes the start.
func (t ImpactTimes) Window(now time.Time) (from, to time.Time) {
	from = t.CreatedAt
	for _, p := range []*time.Time{t.ImpactStartedAt, t.StartedAt, t.DetectedAt} {
		if p != nil {
			from = *p
			break
		}
	}
	switch {
	case t.ImpactEndedAt != nil:
		to = *t.ImpactEndedAt
	case t.MitigatedAt != nil:
		to = *t.MitigatedAt
	case t.ResolvedAt != nil:
		to = *t.ResolvedAt
	case t.Status == StatusOpen:
		to = now
	default:
		to = from
	}
	if to.Before(from) {
		to = from
	}
	return from, to
}

// Ongoing reports whether the impact has not ended by now. A resolved
// incident hurts nobody any more, whatever its times say.
func (t ImpactTimes) Ongoing(now time.Time) bool {
	if t.Status == StatusResolved {
		return false
	}
	if t.ImpactEndedAt != nil {
		return t.ImpactEndedAt.After(now)
	}
	return t.Status == StatusOpen && t.MitigatedAt == nil && t.ResolvedAt == nil
}

// ImpactWindow is a span of customer impact on one service.
type ImpactWindow struct {
	From, To time.Time
	Impact   PublicImpact
}

// Availability is the share of [from, to) the windows leave up: 1 minus
// the weighted downtime divided by the length of the range. Overlapping
// windows are not counted twice: at each instant the worst impact
// counts (see PublicImpact.Weight). Windows are clipped to the range. An
// empty range is fully available.
func Availability(windows []ImpactWindow, from, to time.Time) float64 {
	total := to.Sub(from)
	if total <= 0 {
		return 1
	}
	down := weightedDowntime(windows, from, to)
	a := 1 - down/total.Seconds()
	if a < 0 {
		return 0
	}
	return a
}

// weightedDowntime sums, over [from, to), the seconds of each instant
// weighted by the worst impact of the windows covering it.
func weightedDowntime(windows []ImpactWindow, from, to time.Time) float64 {
	// Boundaries of the clipped windows split the range into segments in
	// which the covering set does not change.
	type edge struct {
		at    time.Time
		rank  int
		delta int
	}
	var edges []edge
	for _, w := range windows {
		r := w.Impact.Rank()
		if r == 0 {
			continue
		}
		s, e := maxTime(w.From, from), minTime(w.To, to)
		if !s.Before(e) {
			continue
		}
		edges = append(edges, edge{s, r, +1}, edge{e, r, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	var counts [4]int
	var down float64
	for i, e := range edges {
		counts[e.rank] += e.delta
		if i+1 == len(edges) {
			break
		}
		span := edges[i+1].at.Sub(e.at).Seconds()
		if span <= 0 {
			continue
		}
		for r := len(PublicImpacts); r >= 1; r-- {
			if counts[r] > 0 {
				down += span * PublicImpacts[r-1].Weight()
				break
			}
		}
	}
	return down
}

// DayStatus is one day of a service's history bar.
type DayStatus struct {
	Day          time.Time // midnight UTC
	Worst        PublicImpact
	Availability float64
}

// History returns one DayStatus per UTC day of the days ending with the day
// of now (oldest first); today counts up to now.
func History(windows []ImpactWindow, days int, now time.Time) []DayStatus {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	out := make([]DayStatus, 0, days)
	for d := days - 1; d >= 0; d-- {
		start := today.AddDate(0, 0, -d)
		end := minTime(start.AddDate(0, 0, 1), now)
		ds := DayStatus{Day: start, Availability: Availability(windows, start, end)}
		for _, w := range windows {
			if w.From.Before(end) && w.To.After(start) || (w.From.Equal(w.To) && !w.From.Before(start) && w.From.Before(end)) {
				ds.Worst = ds.Worst.Worse(w.Impact)
			}
		}
		out = append(out, ds)
	}
	return out
}

// UpdateStatus is the stage an incident is in, as a customer update says.
type UpdateStatus string

// Update statuses, in the order incidents usually go through them.
const (
	UpdateInvestigating UpdateStatus = "investigating"
	UpdateIdentified    UpdateStatus = "identified"
	UpdateMonitoring    UpdateStatus = "monitoring"
	UpdateResolved      UpdateStatus = "resolved"
)

// UpdateStatuses lists every valid update status.
var UpdateStatuses = []UpdateStatus{UpdateInvestigating, UpdateIdentified, UpdateMonitoring, UpdateResolved}

// Valid reports whether s is a known update status.
func (s UpdateStatus) Valid() bool { return oneOf(s, UpdateStatuses) }

// MaxUpdateBody is the longest customer update, in characters.
const MaxUpdateBody = 5000

// ObjectIncidentUpdate names customer updates in changes and audit entries.
const ObjectIncidentUpdate = "incident_update"

// IncidentUpdate is one message to customers about an incident: where it
// stands and, optionally, when the next step is expected. It is shown on
// the status page while the incident is public.
type IncidentUpdate struct {
	ID         int64
	IncidentID int64
	Status     UpdateStatus
	Body       string // Markdown
	ETA        *time.Time
	PostedAt   time.Time
	Author     string
	CreatedAt  time.Time
}

// Normalize trims the text and brings times to UTC.
func (u *IncidentUpdate) Normalize() {
	u.Status = UpdateStatus(strings.ToLower(strings.TrimSpace(CleanText(string(u.Status)))))
	u.Body = strings.TrimSpace(CleanText(u.Body))
	u.ETA = UTCPtr(u.ETA)
	if !u.PostedAt.IsZero() {
		u.PostedAt = UTC(u.PostedAt)
	}
}

// Validate checks every field.
func (u *IncidentUpdate) Validate() error {
	v := &ValidationError{}
	if !u.Status.Valid() {
		v.Add("status", "must be one of investigating, identified, monitoring, resolved")
	}
	switch {
	case u.Body == "":
		v.Add("body", "is required")
	case utf8.RuneCountInString(u.Body) > MaxUpdateBody:
		v.Add("body", "must be at most "+strconv.Itoa(MaxUpdateBody)+" characters")
	}
	if u.ETA != nil && !TimeInRange(*u.ETA) {
		v.Add("eta", outOfRange)
	}
	if !u.PostedAt.IsZero() && !TimeInRange(u.PostedAt) {
		v.Add("posted_at", outOfRange)
	}
	return v.Err()
}

// ObjectStatusService names the status page's service list in audit entries.
const ObjectStatusService = "status_service"

// MaxStatusServices bounds the services one status page lists.
const MaxStatusServices = 100

// StatusService is a service the public status page shows. Name is the
// service label incidents carry (matched without regard to case);
// DisplayName is what customers read.
type StatusService struct {
	ID          int64
	Name        string
	DisplayName string
	Description string
	Position    int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NormalizeStatusServices trims the list, defaults display names to the
// service name and numbers the positions in list order.
func NormalizeStatusServices(in []StatusService) []StatusService {
	out := make([]StatusService, len(in))
	for n, s := range in {
		s.Name = strings.TrimSpace(CleanText(s.Name))
		s.DisplayName = strings.TrimSpace(CleanText(s.DisplayName))
		s.Description = strings.TrimSpace(CleanText(s.Description))
		if s.DisplayName == "" {
			s.DisplayName = s.Name
		}
		s.Position = n
		out[n] = s
	}
	return out
}

// ValidateStatusServices checks a whole list: names are service labels,
// unique without regard to case.
func ValidateStatusServices(list []StatusService) error {
	v := &ValidationError{}
	if len(list) > MaxStatusServices {
		v.Add("services", "must have at most "+strconv.Itoa(MaxStatusServices)+" entries")
		return v.Err()
	}
	seen := map[string]int{}
	for n, s := range list {
		at := "services[" + strconv.Itoa(n) + "]."
		switch {
		case s.Name == "":
			v.Add(at+"name", "is required")
		case utf8.RuneCountInString(s.Name) > MaxLabel:
			v.Add(at+"name", "must be at most "+strconv.Itoa(MaxLabel)+" characters")
		case !labelRe.MatchString(s.Name):
			v.Add(at+"name", "must not contain commas or control characters")
		}
		if prev, dup := seen[strings.ToLower(s.Name)]; dup && s.Name != "" {
			v.Add(at+"name", "repeats services["+strconv.Itoa(prev)+"].name")
		} else {
			seen[strings.ToLower(s.Name)] = n
		}
		if utf8.RuneCountInString(s.DisplayName) > MaxName {
			v.Add(at+"display_name", "must be at most "+strconv.Itoa(MaxName)+" characters")
		}
		if utf8.RuneCountInString(s.Description) > 500 {
			v.Add(at+"description", "must be at most 500 characters")
		}
	}
	return v.Err()
}

// PublicIncident is what the status page may know of an incident: the
// fields an editor wrote for customers, its status and its times. It has
// no internal title, summary, people or labels other than services, so a
// page built from it cannot show them. It has no key either: the page
// names it by Slug, so the sequential keys (INC-42) do not tell the world
// how many incidents there were.
type PublicIncident struct {
	ID       int64
	Slug     string // see PublicSlug
	Title    string // the public title
	Summary  string // the public summary (Markdown)
	Impact   PublicImpact
	Services []string
	// ReportPublishedAt is when the RCA was (last) published; nil when it
	// never was.
	ReportPublishedAt *time.Time
	ImpactTimes       // with the incident's status
}

// PublicSlug is the opaque name of an incident on the status page: a hash
// of its id and creation time (to the microsecond, as stored), stable for
// the incident's life and telling nothing of how many incidents exist.
func PublicSlug(id int64, createdAt time.Time) string {
	sum := sha256.Sum256([]byte("hindsight-status-page:" + strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(UTC(createdAt).UnixMicro(), 10)))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// PublicPath is where the status page shows an incident.
func PublicPath(slug string) string { return "/status/incidents/" + slug }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
