package dashboard

import (
	"cmp"
	"context"
	"slices"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// The figures of the monthly report that are not a dashboard's.

// RCAsPublished counts the RCAs of the incidents v may see that were
// published on the days from..to (the store's RCAsPublished).
func (p *Projection) RCAsPublished(ctx context.Context, v incident.Viewer, from, to incident.Date) (int, error) {
	return p.countIncidents(ctx, v, from, to, func(inc *incRow, days dayRange) bool {
		return inc.published && inc.publishedAt != noTime && days.has(inc.publishedAt)
	})
}

// countIncidents counts the live incidents v may see that match on the
// days from..to.
func (p *Projection) countIncidents(ctx context.Context, v incident.Viewer, from, to incident.Date,
	match func(inc *incRow, days dayRange) bool) (int, error) {
	st, err := p.fresh(ctx)
	if err != nil {
		return 0, err
	}
	defer p.mu.RUnlock()
	visible, days := st.visibleTo(v), daysRange(&from, &to)
	n := 0
	for i := range st.incs {
		inc := &st.incs[i]
		if inc.live && match(inc, days) && visible(inc) {
			n++
		}
	}
	return n, nil
}

// OverdueActions counts the open and in-progress actions v may see that
// are past their due date on today, and lists the limit oldest (by due
// date, then id): the total and first page of the store's overdue list.
func (p *Projection) OverdueActions(ctx context.Context, v incident.Viewer, today incident.Date, limit int) (int, []incident.OverdueAction, error) {
	st, err := p.fresh(ctx)
	if err != nil {
		return 0, nil, err
	}
	visible, day := st.visibleTo(v), dayNumber(today)
	total := 0
	var oldest []*actRow
	for i := range st.acts {
		a := &st.acts[i]
		if a.inc < 0 || (a.status != statusOpen && a.status != statusInProgress) || a.due == noDay || a.due >= day ||
			!visible(&st.incs[a.inc]) {
			continue
		}
		total++
		oldest = keepOldest(oldest, a, limit)
	}
	list := overdueList(oldest, today)
	p.mu.RUnlock()
	list, err = p.withTitles(ctx, list, v)
	return total, list, err
}

// IncidentsWithPublishedRCA counts the incidents v may see that started
// (or, with no start, were created) on the days from..to and whose RCA is
// published now (the store's IncidentsWithPublishedRCA for a filter of
// those days only).
func (p *Projection) IncidentsWithPublishedRCA(ctx context.Context, v incident.Viewer, from, to incident.Date) (int, error) {
	return p.countIncidents(ctx, v, from, to, func(inc *incRow, days dayRange) bool {
		return inc.published && days.has(inc.start)
	})
}

// ActionsClosed counts the actions v may see that were closed, as done and
// as won't do, with a completion time on the days from..to (the store's
// ActionsClosed for a filter of those days only).
func (p *Projection) ActionsClosed(ctx context.Context, v incident.Viewer, from, to incident.Date) (done, wontDo int, err error) {
	st, err := p.fresh(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer p.mu.RUnlock()
	visible, days := st.visibleTo(v), daysRange(&from, &to)
	for i := range st.acts {
		a := &st.acts[i]
		if a.inc < 0 || (a.status != statusDone && a.status != statusWontDo) || a.completed == noTime || !days.has(a.completed) ||
			!visible(&st.incs[a.inc]) {
			continue
		}
		if a.status == statusDone {
			done++
		} else {
			wontDo++
		}
	}
	return done, wontDo, nil
}

// MonthIncidents counts the incidents v may see that started (or, with no
// start, were created) on the days from..to, and returns the first limit of
// them by that time, then id (the store's MonthIncidents for a filter of
// those days only). One restricted or deleted between the pick and the
// read of its row is left out of the list.
func (p *Projection) MonthIncidents(ctx context.Context, v incident.Viewer, from, to incident.Date, limit int) ([]incident.Incident, int, error) {
	st, err := p.fresh(ctx)
	if err != nil {
		return nil, 0, err
	}
	visible, days := st.visibleTo(v), daysRange(&from, &to)
	type picked struct {
		start, id int64
	}
	var all []picked
	for i := range st.incs {
		inc := &st.incs[i]
		if inc.live && days.has(inc.start) && (!inc.restricted || visible(inc)) {
			all = append(all, picked{inc.start, inc.id})
		}
	}
	p.mu.RUnlock()
	slices.SortFunc(all, func(a, b picked) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	ids := make([]int64, 0, min(limit, len(all)))
	for _, x := range all[:min(limit, len(all))] {
		ids = append(ids, x.id)
	}
	got, err := p.src.IncidentsByID(ctx, ids, v)
	if err != nil {
		return nil, 0, err
	}
	out := make([]incident.Incident, 0, len(ids))
	for _, id := range ids {
		if inc, ok := got[id]; ok {
			out = append(out, inc)
		}
	}
	return out, len(all), nil
}
