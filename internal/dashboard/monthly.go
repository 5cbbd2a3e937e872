package dashboard

import (
	"context"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// The figures of the monthly report that are not a dashboard's.

// RCAsPublished counts the RCAs of the incidents v may see that were
// published on the days from..to (the store's RCAsPublished).
func (p *Projection) RCAsPublished(ctx context.Context, v incident.Viewer, from, to incident.Date) (int, error) {
	st, err := p.fresh(ctx)
	if err != nil {
		return 0, err
	}
	defer p.mu.RUnlock()
	visible, days := st.visibleTo(v), daysRange(&from, &to)
	n := 0
	for i := range st.incs {
		inc := &st.incs[i]
		if inc.live && inc.published && inc.publishedAt != noTime && days.has(inc.publishedAt) && visible(inc) {
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
	st, err := p.fresh(ctx)
	if err != nil {
		return 0, err
	}
	defer p.mu.RUnlock()
	visible, days := st.visibleTo(v), daysRange(&from, &to)
	n := 0
	for i := range st.incs {
		inc := &st.incs[i]
		if inc.live && inc.published && days.has(inc.start) && visible(inc) {
			n++
		}
	}
	return n, nil
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
