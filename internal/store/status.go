package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// statusPageColumns are the incident columns of the public status page,
// embedded in incidentRecord.
type statusPageColumns struct {
	Public          bool    `gorm:"column:public"`
	PublicTitle     string  `gorm:"column:public_title"`
	PublicSummary   string  `gorm:"column:public_summary"`
	PublicImpact    string  `gorm:"column:public_impact"`
	ImpactStartedAt *dbTime `gorm:"column:impact_started_at"`
	ImpactEndedAt   *dbTime `gorm:"column:impact_ended_at"`
}

func toStatusPageColumns(i incident.Incident) statusPageColumns {
	return statusPageColumns{
		Public: i.Public, PublicTitle: i.PublicTitle, PublicSummary: i.PublicSummary,
		PublicImpact: string(i.PublicImpact), ImpactStartedAt: toDBPtr(i.ImpactStartedAt),
		ImpactEndedAt: toDBPtr(i.ImpactEndedAt),
	}
}

func (c statusPageColumns) into(i *incident.Incident) {
	i.Public, i.PublicTitle, i.PublicSummary = c.Public, c.PublicTitle, c.PublicSummary
	i.PublicImpact = incident.PublicImpact(c.PublicImpact)
	i.ImpactStartedAt, i.ImpactEndedAt = fromDBPtr(c.ImpactStartedAt), fromDBPtr(c.ImpactEndedAt)
}

// publicIncidentRecord is what the status page reads of an incident: the
// columns listed in publicIncidentColumns and nothing else, so no internal
// text is ever loaded for a public page.
type publicIncidentRecord struct {
	ID              int64       `gorm:"column:id"`
	PublicTitle     string      `gorm:"column:public_title"`
	PublicSummary   string      `gorm:"column:public_summary"`
	PublicImpact    string      `gorm:"column:public_impact"`
	Status          string      `gorm:"column:status"`
	Services        jsonStrings `gorm:"column:services"`
	ImpactStartedAt *dbTime     `gorm:"column:impact_started_at"`
	ImpactEndedAt   *dbTime     `gorm:"column:impact_ended_at"`
	StartedAt       *dbTime     `gorm:"column:started_at"`
	DetectedAt      *dbTime     `gorm:"column:detected_at"`
	MitigatedAt     *dbTime     `gorm:"column:mitigated_at"`
	ResolvedAt      *dbTime     `gorm:"column:resolved_at"`
	CreatedAt       dbTime      `gorm:"column:created_at"`
	ReportAt        *dbTime     `gorm:"column:report_published_at"`
}

// publicIncidentColumns selects publicIncidentRecord from incidents i left
// joined to their RCA r (published_at only).
const publicIncidentColumns = `i.id, i.public_title, i.public_summary, i.public_impact, i.status,
i.services, i.impact_started_at, i.impact_ended_at, i.started_at, i.detected_at, i.mitigated_at,
i.resolved_at, i.created_at, r.published_at AS report_published_at`

// publicWhere is the one condition that makes an incident public: marked
// so, and not restricted (the domain refuses both at once; this holds even
// for rows written around it).
const publicWhere = "i.public = ? AND i.visibility = 'internal'"

// impactStartSQL and impactEndSQL order and bound incidents by their
// impact window (see incident.ImpactTimes.Window), in both dialects.
const (
	impactStartSQL = "COALESCE(i.impact_started_at, i.started_at, i.detected_at, i.created_at)"
	impactEndSQL   = "COALESCE(i.impact_ended_at, i.mitigated_at, i.resolved_at, i.impact_started_at, i.started_at, i.detected_at, i.created_at)"
)

func (r publicIncidentRecord) domain() incident.PublicIncident {
	p := incident.PublicIncident{
		ID: r.ID, Slug: incident.PublicSlug(r.ID, time.Time(r.CreatedAt)), Title: r.PublicTitle, Summary: r.PublicSummary,
		Impact: incident.PublicImpact(r.PublicImpact), Services: labels(r.Services),
		ReportPublishedAt: fromDBPtr(r.ReportAt),
		ImpactTimes: incident.ImpactTimes{
			ImpactStartedAt: fromDBPtr(r.ImpactStartedAt), ImpactEndedAt: fromDBPtr(r.ImpactEndedAt),
			StartedAt: fromDBPtr(r.StartedAt), DetectedAt: fromDBPtr(r.DetectedAt),
			MitigatedAt: fromDBPtr(r.MitigatedAt), ResolvedAt: fromDBPtr(r.ResolvedAt),
			CreatedAt: time.Time(r.CreatedAt),
			Status:    incident.Status(r.Status),
		},
	}
	return p
}

// publicIncidents starts a query over public incidents.
func (s *Store) publicIncidents(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("incidents i").Select(publicIncidentColumns).
		Joins("LEFT JOIN rcas r ON r.incident_id = i.id").Where(publicWhere, true)
}

// PublicIncidentsSince returns the public incidents that are not resolved
// or whose impact window may reach since or later: those the status page's
// current state and availability figures (which look back from now to
// since) need. Newest impact first.
func (s *Store) PublicIncidentsSince(ctx context.Context, since time.Time) ([]incident.PublicIncident, error) {
	var recs []publicIncidentRecord
	err := s.publicIncidents(ctx).
		Where("(i.status <> 'resolved' OR "+impactEndSQL+" >= ?)", toDB(since)).
		Order(impactStartSQL + " DESC, i.id DESC").Limit(maxPublicIncidents).Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: public incidents: %w", err)
	}
	return publicDomain(recs), nil
}

// maxPublicIncidents bounds the incidents one status page query reads.
const maxPublicIncidents = 1000

// PublicIncidentHistory returns one page of public incidents, newest
// impact first, skipping offset of them, with the total count.
func (s *Store) PublicIncidentHistory(ctx context.Context, offset, limit int) ([]incident.PublicIncident, int64, error) {
	var total int64
	if err := s.conn(ctx).Table("incidents i").Where(publicWhere, true).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count public incidents: %w", err)
	}
	var recs []publicIncidentRecord
	err := s.publicIncidents(ctx).Order(impactStartSQL + " DESC, i.id DESC").
		Offset(offset).Limit(limit).Find(&recs).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: public incident history: %w", err)
	}
	return publicDomain(recs), total, nil
}

// PublicIncidentBySlug returns the public incident whose
// incident.PublicSlug is slug; one that is missing, not public or
// restricted is equally not found. Slugs are hashes, so it reads the ids
// and creation times of the public incidents (few, on an index) and
// hashes them.
func (s *Store) PublicIncidentBySlug(ctx context.Context, slug string) (incident.PublicIncident, error) {
	if len(slug) != publicSlugLen {
		return incident.PublicIncident{}, incident.NotFound("incident", slug)
	}
	var rows []struct {
		ID        int64  `gorm:"column:id"`
		CreatedAt dbTime `gorm:"column:created_at"`
	}
	err := s.conn(ctx).Table("incidents i").Select("i.id, i.created_at").Where(publicWhere, true).Find(&rows).Error
	if err != nil {
		return incident.PublicIncident{}, fmt.Errorf("store: public incident slugs: %w", err)
	}
	for _, r := range rows {
		if incident.PublicSlug(r.ID, time.Time(r.CreatedAt)) == slug {
			return s.PublicIncidentByID(ctx, r.ID)
		}
	}
	return incident.PublicIncident{}, incident.NotFound("incident", slug)
}

// publicSlugLen is the length of every incident.PublicSlug.
var publicSlugLen = len(incident.PublicSlug(1, time.Time{}))

// PublicIncidentByID is PublicIncidentByKey by id.
func (s *Store) PublicIncidentByID(ctx context.Context, id int64) (incident.PublicIncident, error) {
	var recs []publicIncidentRecord
	err := s.publicIncidents(ctx).Where("i.id = ?", id).Limit(1).Find(&recs).Error
	if err != nil {
		return incident.PublicIncident{}, fmt.Errorf("store: public incident: %w", err)
	}
	if len(recs) == 0 {
		return incident.PublicIncident{}, incident.NotFound("incident", ref(id))
	}
	return recs[0].domain(), nil
}

// PublicReports returns the public incidents whose RCA was published,
// latest publication first, at most limit (the feed's entries).
func (s *Store) PublicReports(ctx context.Context, limit int) ([]incident.PublicIncident, error) {
	var recs []publicIncidentRecord
	err := s.publicIncidents(ctx).Where("r.published_at IS NOT NULL").
		Order("r.published_at DESC, i.id DESC").Limit(limit).Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: public reports: %w", err)
	}
	return publicDomain(recs), nil
}

func publicDomain(recs []publicIncidentRecord) []incident.PublicIncident {
	out := make([]incident.PublicIncident, len(recs))
	for n, r := range recs {
		out[n] = r.domain()
	}
	return out
}
