package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/markdown"
	"github.com/hindsightrca/hindsight/internal/report"
)

// The public status page reads only what an editor marked public: the
// store's public queries select the public columns of incidents that are
// public and not restricted, into incident.PublicIncident, which has no
// internal field. These use cases ignore the caller (there is none: the
// page needs no sign-in).

// Status page windows and sizes.
const (
	// StatusHistoryDays is how many days the uptime bars show.
	StatusHistoryDays = 90
	// statusRecent is how many past incidents the front page lists.
	statusRecent = 10
	// StatusHistoryPageSize is how many incidents one history page lists.
	StatusHistoryPageSize = 25
	// statusFeedEntries bounds each kind of feed entry.
	statusFeedEntries = 50
)

// ServiceStatus is one public service on the status page.
type ServiceStatus struct {
	incident.StatusService
	// Current is the worst impact of the public incidents hurting it now
	// ("" when it is operational).
	Current incident.PublicImpact
	// Availability30 and Availability90 are the shares (0..1) of the last
	// 30 and 90 days it was up (see incident.Availability).
	Availability30, Availability90 float64
	// Days are the last StatusHistoryDays UTC days, oldest first.
	Days []incident.DayStatus
}

// PublicIncidentView is a public incident with the public services it
// touched and its latest customer update.
type PublicIncidentView struct {
	incident.PublicIncident
	// Affected are the public services among its services.
	Affected []incident.StatusService
	// Latest is its newest customer update, if any.
	Latest *incident.IncidentUpdate
	// From and To are its impact window (To is now while it lasts).
	From, To time.Time
	// Ongoing says the impact has not ended.
	Ongoing bool
}

// StatusPage is what /status shows.
type StatusPage struct {
	Now time.Time
	// Overall is the worst impact of any public incident hurting now.
	Overall  incident.PublicImpact
	Services []ServiceStatus
	// Active are the public incidents not resolved, newest first.
	Active []PublicIncidentView
	// Recent are the latest resolved public incidents.
	Recent []PublicIncidentView
}

// PublicSection is one public section of a published RCA, as sanitized HTML.
type PublicSection struct {
	Key, Title, HTML string
}

// PublicIncidentPage is what /status/incidents/:key shows.
type PublicIncidentPage struct {
	Incident PublicIncidentView
	// Updates are its customer updates, newest first.
	Updates []incident.IncidentUpdate
	// Report are the public sections of its published RCA (none while
	// the RCA was never published).
	Report []PublicSection
}

// StatusHistory is one page of past public incidents.
type StatusHistory struct {
	Items []PublicIncidentView
	Page  int
	Pages int
	Total int64
}

// FeedUpdate is a customer update with the public incident it belongs to.
type FeedUpdate struct {
	Update   incident.IncidentUpdate
	Incident incident.PublicIncident
}

// StatusFeed is what the Atom feed lists.
type StatusFeed struct {
	Updates []FeedUpdate
	// Reports are the public incidents whose RCA was published, latest first.
	Reports []incident.PublicIncident
}

// StatusPage composes the front page of the public status page.
func (a *App) StatusPage(ctx context.Context) (StatusPage, error) {
	now := a.Now()
	services, err := a.store.StatusServices(ctx)
	if err != nil {
		return StatusPage{}, err
	}
	since := now.AddDate(0, 0, -StatusHistoryDays)
	incs, err := a.store.PublicIncidentsSince(ctx, since)
	if err != nil {
		return StatusPage{}, err
	}
	views := publicViews(incs, services, now)
	page := StatusPage{Now: now}
	var activeIDs []int64
	for _, v := range views {
		if v.Ongoing {
			page.Overall = page.Overall.Worse(v.Impact)
		}
		if v.Status != incident.StatusResolved {
			page.Active = append(page.Active, v)
			activeIDs = append(activeIDs, v.ID)
		}
	}
	latest, err := a.store.LatestIncidentUpdates(ctx, activeIDs)
	if err != nil {
		return StatusPage{}, err
	}
	for n := range page.Active {
		if u, ok := latest[page.Active[n].ID]; ok {
			page.Active[n].Latest = &u
		}
	}
	page.Services = serviceStatuses(services, views, now)
	recent, _, err := a.store.PublicIncidentHistory(ctx, 0, statusRecent+len(page.Active))
	if err != nil {
		return StatusPage{}, err
	}
	if recent, err = a.keepPublicReports(ctx, recent); err != nil {
		return StatusPage{}, err
	}
	for _, v := range publicViews(recent, services, now) {
		if v.Status == incident.StatusResolved && len(page.Recent) < statusRecent {
			page.Recent = append(page.Recent, v)
		}
	}
	return page, nil
}

// serviceStatuses computes each public service's state, availability and
// daily history from the impact windows of the incidents touching it.
func serviceStatuses(services []incident.StatusService, views []PublicIncidentView, now time.Time) []ServiceStatus {
	out := make([]ServiceStatus, len(services))
	for n, s := range services {
		var windows []incident.ImpactWindow
		st := ServiceStatus{StatusService: s}
		for _, v := range views {
			if !touches(v.Affected, s) {
				continue
			}
			windows = append(windows, incident.ImpactWindow{From: v.From, To: v.To, Impact: v.Impact})
			if v.Ongoing {
				st.Current = st.Current.Worse(v.Impact)
			}
		}
		st.Availability30 = incident.Availability(windows, now.AddDate(0, 0, -30), now)
		st.Availability90 = incident.Availability(windows, now.AddDate(0, 0, -StatusHistoryDays), now)
		st.Days = incident.History(windows, StatusHistoryDays, now)
		out[n] = st
	}
	return out
}

func touches(affected []incident.StatusService, s incident.StatusService) bool {
	for _, a := range affected {
		if a.ID == s.ID {
			return true
		}
	}
	return false
}

// publicViews adds the public services and impact windows to incidents.
// An incident none of whose services is public still shows in the lists
// (it was published) but counts against no service.
func publicViews(incs []incident.PublicIncident, services []incident.StatusService, now time.Time) []PublicIncidentView {
	out := make([]PublicIncidentView, len(incs))
	for n, inc := range incs {
		v := PublicIncidentView{PublicIncident: inc, Ongoing: inc.Ongoing(now)}
		v.From, v.To = inc.Window(now)
		for _, s := range services {
			for _, label := range inc.Services {
				if strings.EqualFold(strings.TrimSpace(label), s.Name) {
					v.Affected = append(v.Affected, s)
					break
				}
			}
		}
		// Only the public services leave: the other labels may be internal names.
		v.Services = nil
		out[n] = v
	}
	return out
}

// PublicIncident composes the status page of one public incident, named
// by its incident.PublicSlug: its customer updates and the public sections
// of its published RCA. An incident that is missing, not public or
// restricted is not found alike.
func (a *App) PublicIncident(ctx context.Context, slug string) (PublicIncidentPage, error) {
	now := a.Now()
	inc, err := a.store.PublicIncidentBySlug(ctx, slug)
	if err != nil {
		return PublicIncidentPage{}, err
	}
	checked, err := a.keepPublicReports(ctx, []incident.PublicIncident{inc})
	if err != nil {
		return PublicIncidentPage{}, err
	}
	inc = checked[0]
	services, err := a.store.StatusServices(ctx)
	if err != nil {
		return PublicIncidentPage{}, err
	}
	page := PublicIncidentPage{Incident: publicViews([]incident.PublicIncident{inc}, services, now)[0]}
	if page.Updates, err = a.store.IncidentUpdates(ctx, inc.ID); err != nil {
		return PublicIncidentPage{}, err
	}
	if len(page.Updates) > 0 {
		page.Incident.Latest = &page.Updates[0]
	}
	if page.Report, err = a.publicReport(ctx, inc.ID); err != nil {
		return PublicIncidentPage{}, err
	}
	return page, nil
}

// publicReport renders the sections of the incident's RCA, as last
// published, whose audience is public. Nothing else of the report is
// used: not the incident, the timeline, the root causes or the actions,
// and no generated block. An RCA never published gives nothing.
func (a *App) publicReport(ctx context.Context, incidentID int64) ([]PublicSection, error) {
	secs, err := a.publicSections(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	var out []PublicSection
	for _, s := range secs {
		h, err := a.md.HTML(s.Body)
		if err != nil {
			return nil, fmt.Errorf("app: public report section %s: %w", s.Key, err)
		}
		out = append(out, PublicSection{Key: s.Key, Title: s.Title, HTML: markdown.PrefixIDs(h, "s-"+s.Key)})
	}
	return out, nil
}

// publicSections are the written sections with audience public of the
// incident's RCA as last published (none when it never was).
func (a *App) publicSections(ctx context.Context, incidentID int64) ([]incident.Section, error) {
	cur, err := a.store.RCA(ctx, incidentID)
	if errors.Is(err, incident.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rca, err := a.publishedRCA(ctx, cur)
	if err != nil || rca.Status != incident.RCAPublished {
		return nil, err
	}
	var out []incident.Section
	for _, s := range rca.Sections {
		if report.Sees(incident.AudiencePublic, s.Audience) && strings.TrimSpace(s.Body) != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// keepPublicReports clears ReportPublishedAt of the incidents whose
// published RCA has no public section: the page and the feed announce a
// report only when there is one to read.
func (a *App) keepPublicReports(ctx context.Context, incs []incident.PublicIncident) ([]incident.PublicIncident, error) {
	for n := range incs {
		if incs[n].ReportPublishedAt == nil {
			continue
		}
		secs, err := a.publicSections(ctx, incs[n].ID)
		if err != nil {
			return nil, err
		}
		if len(secs) == 0 {
			incs[n].ReportPublishedAt = nil
		}
	}
	return incs, nil
}

// PublicHistory returns page (from 1) of the public incidents, newest first.
func (a *App) PublicHistory(ctx context.Context, page int) (StatusHistory, error) {
	if page < 1 {
		page = 1
	}
	now := a.Now()
	services, err := a.store.StatusServices(ctx)
	if err != nil {
		return StatusHistory{}, err
	}
	incs, total, err := a.store.PublicIncidentHistory(ctx, (page-1)*StatusHistoryPageSize, StatusHistoryPageSize)
	if err != nil {
		return StatusHistory{}, err
	}
	if incs, err = a.keepPublicReports(ctx, incs); err != nil {
		return StatusHistory{}, err
	}
	pages := int((total + StatusHistoryPageSize - 1) / StatusHistoryPageSize)
	return StatusHistory{Items: publicViews(incs, services, now), Page: page, Pages: max(pages, 1), Total: total}, nil
}

// PublicFeed returns the newest customer updates and published reports of
// public incidents, for the Atom feed.
func (a *App) PublicFeed(ctx context.Context) (StatusFeed, error) {
	updates, err := a.store.PublicIncidentUpdates(ctx, statusFeedEntries)
	if err != nil {
		return StatusFeed{}, err
	}
	var feed StatusFeed
	incs := map[int64]incident.PublicIncident{}
	for _, u := range updates {
		inc, ok := incs[u.IncidentID]
		if !ok {
			inc, err = a.store.PublicIncidentByID(ctx, u.IncidentID)
			if errors.Is(err, incident.ErrNotFound) {
				continue // unpublished since the updates were read
			}
			if err != nil {
				return StatusFeed{}, err
			}
			incs[u.IncidentID] = inc
		}
		feed.Updates = append(feed.Updates, FeedUpdate{Update: u, Incident: inc})
	}
	reports, err := a.store.PublicReports(ctx, statusFeedEntries)
	if err != nil {
		return StatusFeed{}, err
	}
	if reports, err = a.keepPublicReports(ctx, reports); err != nil {
		return StatusFeed{}, err
	}
	for _, r := range reports {
		if r.ReportPublishedAt != nil {
			feed.Reports = append(feed.Reports, r)
		}
	}
	return feed, nil
}
