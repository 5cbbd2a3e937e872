package dashboard

import (
	"context"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// oldestOverdue is how many overdue actions the dashboard lists.
const oldestOverdue = 10

// dayRange is a range of days as microsecond bounds [lo, hi); unbounded
// ends are noTime.
type dayRange struct{ lo, hi int64 }

// daysRange is the store's inDays: from the start of from to the start of
// the day after to, with no upper bound when that day is past the last
// day the databases keep.
func daysRange(from, to *incident.Date) dayRange {
	r := dayRange{lo: noTime, hi: noTime}
	if from != nil {
		r.lo = int64(dayNumber(*from)) * microsPerDay
	}
	if to != nil && to.AddDays(1).Year <= incident.MaxTime.Year() {
		r.hi = int64(dayNumber(to.AddDays(1))) * microsPerDay
	}
	return r
}

func (r dayRange) has(us int64) bool {
	return (r.lo == noTime || us >= r.lo) && (r.hi == noTime || us < r.hi)
}

func (r dayRange) all() bool { return r.lo == noTime && r.hi == noTime }

// keyFilter is a folded team or owner filter: any (no filter), or one
// interned key (none: a key no action has).
type keyFilter struct {
	any, none bool
	id        uint32
}

// ActionMetrics computes the actions dashboard for f (f.Today and f.Viewer
// set by the caller) exactly as the store's ActionMetrics and
// ActionBurndownCounts do, with the burn-down over BurndownRange.
// ErrNotReady when the projection cannot answer.
func (p *Projection) ActionMetrics(ctx context.Context, f incident.ActionMetricsFilter) (incident.ActionMetrics, error) {
	if !p.Ready() {
		return incident.ActionMetrics{}, ErrNotReady // before asking the database anything
	}
	team, err := p.fold(ctx, f.Team)
	if err != nil {
		return incident.ActionMetrics{}, err
	}
	owner, err := p.fold(ctx, f.Owner)
	if err != nil {
		return incident.ActionMetrics{}, err
	}
	st, err := p.fresh(ctx)
	if err != nil {
		return incident.ActionMetrics{}, err
	}
	buf := p.scratch()
	m, overdue := st.actionMetrics(f, team, owner, buf)
	p.mu.RUnlock()
	p.bufs.Put(buf)
	if m.OldestOverdue, err = p.withTitles(ctx, overdue, f.Viewer); err != nil {
		return incident.ActionMetrics{}, err
	}
	return m, nil
}

// withTitles fills the incident keys, titles, owners and teams of the
// overdue actions the projection picked, from the store (one deleted, or
// hidden from v, since is left out).
func (p *Projection) withTitles(ctx context.Context, overdue []incident.OverdueAction, v incident.Viewer) ([]incident.OverdueAction, error) {
	out := []incident.OverdueAction{}
	if len(overdue) == 0 {
		return out, nil
	}
	ids := make([]int64, len(overdue))
	for i, a := range overdue {
		ids[i] = a.ID
	}
	got, err := p.src.ActionsByID(ctx, ids, v)
	if err != nil {
		return nil, err
	}
	for _, o := range overdue {
		if a, ok := got[o.ID]; ok {
			o.IncidentKey, o.Title, o.Owner, o.Team = a.IncidentKey, a.Title, a.Owner, a.Team
			out = append(out, o)
		}
	}
	return out, nil
}

// filterKey is a team or owner filter folded as the database folds.
type filterKey struct {
	set bool
	key string
}

// fold folds a team or owner filter with the database's lower(), as the
// store's metricsQuery compares them.
func (p *Projection) fold(ctx context.Context, v string) (filterKey, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return filterKey{}, nil
	}
	k, err := p.src.LowerKey(ctx, v)
	if err != nil {
		return filterKey{}, err
	}
	return filterKey{set: true, key: k}, nil
}

// keyFilterOf interns a folded filter.
func (s *state) keyFilterOf(k filterKey) keyFilter {
	if !k.set {
		return keyFilter{any: true}
	}
	id, ok := s.strs.lookup(k.key)
	return keyFilter{id: id, none: !ok}
}

func (k keyFilter) match(id uint32) bool { return k.any || (!k.none && id == k.id) }

// counter counts actions by status into slices indexed by interned key.
type counter struct {
	counts []incident.StatusCounts
	seen   []bool
}

func newCounter(n int) counter {
	return counter{counts: make([]incident.StatusCounts, n), seen: make([]bool, n)}
}

func (c *counter) add(key uint32, status uint8, overdue bool) {
	addStatus(&c.counts[key], status, overdue)
	c.seen[key] = true
}

// toMap is the counts by key string, for the keys counted.
func (c *counter) toMap(strs []string) map[string]incident.StatusCounts {
	out := map[string]incident.StatusCounts{}
	for i, ok := range c.seen {
		if ok {
			out[strs[i]] = c.counts[i]
		}
	}
	return out
}

func addStatus(c *incident.StatusCounts, status uint8, overdue bool) {
	switch status {
	case statusOpen:
		c.Open++
	case statusInProgress:
		c.InProgress++
	case statusDone:
		c.Done++
	case statusWontDo:
		c.WontDo++
	}
	if overdue {
		c.Overdue++
	}
}

// actionMetrics computes everything but the titles of the oldest overdue
// actions, which it returns (without them) for the caller to fetch. buf is
// scratch room for the days to close, grown as needed.
func (s *state) actionMetrics(f incident.ActionMetricsFilter, teamKey, ownerKey filterKey, buf *[]float64) (incident.ActionMetrics, []incident.OverdueAction) {
	m := incident.ActionMetrics{}
	team, owner := s.keyFilterOf(teamKey), s.keyFilterOf(ownerKey)
	sel := s.incidentsOfActions(f)
	created := daysRange(f.From, f.To)
	completed := created // completion is judged over the same days, by completed_at
	today := dayNumber(f.Today)

	n := len(s.strs.strs)
	byTeam, byOwner, byPrio, bySvc := newCounter(n), newCounter(n), newCounter(n), newCounter(n)
	var comp struct{ closed, withDue, onTime int }
	days := (*buf)[:0]
	defer func() { *buf = days[:0] }() // keep the room it grew to
	var overdue []*actRow

	// The burn-down: the actions open at the start of bfrom, created and
	// closed on each day up to bto (see the store's ActionBurndownCounts).
	bfrom, bto := incident.BurndownRange(f.From, f.To, f.Today)
	b0 := dayNumber(bfrom)
	bStart, bEnd := int64(b0)*microsPerDay, int64(dayNumber(bto)+1)*microsPerDay
	nDays := int(dayNumber(bto)-b0) + 1
	opened, closed := make([]int, nDays), make([]int, nDays)
	openBefore := 0

	for i := range s.acts {
		a := &s.acts[i]
		if a.inc < 0 || !sel[a.inc] || !team.match(a.team) || !owner.match(a.owner) {
			continue
		}
		// The burn-down ignores the created range.
		closedAt := a.closedAt()
		early := closedAt != noTime && closedAt < a.created
		if a.created < bStart && (closedAt == noTime || closedAt >= bStart) {
			openBefore++
		}
		if a.created >= bStart && a.created < bEnd {
			d := dayOf(a.created) - b0
			opened[d]++
			if early {
				closed[d]++
			}
		}
		if closedAt != noTime && closedAt >= bStart && closedAt < bEnd {
			d := dayOf(closedAt) - b0
			closed[d]++
			if early {
				closed[d]--
			}
		}
		// Completion within policy and days to close: done actions
		// completed in the range.
		if a.status == statusDone && a.completed != noTime && completed.has(a.completed) {
			comp.closed++
			if a.due != noDay {
				comp.withDue++
				if a.due >= dayOf(a.completed) {
					comp.onTime++
				}
			}
			days = append(days, a.closeDays)
		}
		if !created.all() && !created.has(a.created) {
			continue
		}
		od := a.status != statusDone && a.status != statusWontDo && a.due != noDay && a.due < today
		addStatus(&m.Counts, a.status, od)
		byTeam.add(a.team, a.status, od)
		byOwner.add(a.owner, a.status, od)
		byPrio.add(a.prio, a.status, od)
		for _, sv := range s.incs[a.inc].services {
			bySvc.add(sv, a.status, od)
		}
		if od {
			overdue = keepOldest(overdue, a, oldestOverdue)
		}
	}
	strs := s.strs.strs
	m.ByTeam, m.ByOwner, m.ByPriority, m.ByService = byTeam.toMap(strs), byOwner.toMap(strs), byPrio.toMap(strs), bySvc.toMap(strs)
	m.CompletionWithinPolicy = incident.CompletionPolicy{Done: comp.withDue, OnTime: comp.onTime, NoDueDate: comp.closed - comp.withDue}
	if comp.withDue > 0 {
		share := float64(comp.onTime) / float64(comp.withDue)
		m.CompletionWithinPolicy.Share = &share
	}
	m.DaysToClose = incident.DaysToClose{Count: len(days)}
	if len(days) > 0 {
		p50, p90 := nearestRanks(days)
		m.DaysToClose.P50, m.DaysToClose.P90 = &p50, &p90
	}
	c := incident.BurndownCounts{OpenBefore: openBefore, Opened: map[incident.Date]int{}, Closed: map[incident.Date]int{}}
	for d := range nDays {
		day := bfrom.AddDays(d)
		if opened[d] != 0 {
			c.Opened[day] = opened[d]
		}
		if closed[d] != 0 {
			c.Closed[day] = closed[d]
		}
	}
	m.Burndown = incident.BuildBurndown(bfrom, bto, c)
	return m, overdueList(overdue, f.Today)
}

// overdueList is the lines of the overdue actions, without their titles.
func overdueList(overdue []*actRow, today incident.Date) []incident.OverdueAction {
	list := make([]incident.OverdueAction, len(overdue))
	for i, a := range overdue {
		due := dateOfDay(a.due)
		list[i] = incident.OverdueAction{ID: a.id, DueDate: due, DaysOverdue: incident.DaysBetween(due, today)}
	}
	return list
}

// incidentsOfActions marks, per incident slot, whether f counts its
// actions: the viewer may see it, and it has f's service and severity.
func (s *state) incidentsOfActions(f incident.ActionMetricsFilter) []bool {
	sel := make([]bool, len(s.incs))
	visible := s.visibleTo(f.Viewer)
	svc, svcSet := strings.ToLower(strings.TrimSpace(f.Service)), strings.TrimSpace(f.Service) != ""
	svcID, svcKnown := s.strs.lookup(svc)
	sevID, sevKnown := s.strs.lookup(string(f.Severity))
	for i := range s.incs {
		inc := &s.incs[i]
		if !inc.live || (inc.restricted && !visible(inc)) {
			continue
		}
		if svcSet && (!svcKnown || !has(inc.services, svcID)) {
			continue
		}
		if f.Severity != "" && (!sevKnown || inc.sev != sevID) {
			continue
		}
		sel[i] = true
	}
	return sel
}

// keepOldest adds a to the list of the oldest overdue actions (by due date,
// then id), keeping limit of them.
func keepOldest(list []*actRow, a *actRow, limit int) []*actRow {
	before := func(x, y *actRow) bool { return x.due < y.due || (x.due == y.due && x.id < y.id) }
	if limit <= 0 || len(list) == limit && !before(a, list[len(list)-1]) {
		return list
	}
	i := len(list)
	for i > 0 && before(a, list[i-1]) {
		i--
	}
	if len(list) < limit {
		list = append(list, nil)
	}
	copy(list[i+1:], list[i:len(list)-1])
	list[i] = a
	return list
}

// dateOfDay is the date of a day number.
func dateOfDay(d int32) incident.Date {
	return incident.DateOf(time.Unix(int64(d)*86400, 0).UTC())
}
