package dashboard

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// The lengths of the incidents dashboard's lists (the store's LIMITs).
const (
	topServices   = 20
	topCategories = 10
	missingListed = 20
)

// IncidentMetrics computes the incidents dashboard for f (f.Now, f.Viewer
// and f.RCADays set by the caller) exactly as the store's IncidentMetrics
// does. ErrNotReady when the projection cannot answer.
func (p *Projection) IncidentMetrics(ctx context.Context, f incident.IncidentMetricsFilter) (incident.IncidentMetrics, error) {
	if !p.Ready() {
		return incident.IncidentMetrics{}, ErrNotReady // before asking the database anything
	}
	recs, err := p.src.RecurrenceFlags(ctx)
	if err != nil {
		return incident.IncidentMetrics{}, err
	}
	st, err := p.fresh(ctx)
	if err != nil {
		return incident.IncidentMetrics{}, err
	}
	m, missing := st.incidentMetrics(f, recs)
	p.mu.RUnlock()
	if len(missing) > 0 {
		ids := make([]int64, len(missing))
		for i, r := range missing {
			ids[i] = r.id
		}
		got, err := p.src.IncidentsByID(ctx, ids, f.Viewer)
		if err != nil {
			return incident.IncidentMetrics{}, err
		}
		for _, r := range missing {
			inc, ok := got[r.id]
			if !ok {
				continue // deleted, or hidden from the viewer, since
			}
			resolved := time.UnixMicro(r.resolved).UTC()
			m.WithoutPublishedRCA.Items = append(m.WithoutPublishedRCA.Items, incident.MissingRCA{
				Key: inc.Key, Title: inc.Title, Severity: incident.Severity(r.sev), ResolvedAt: resolved,
				Days: int(f.Now.Sub(resolved).Hours() / 24)})
		}
	}
	return m, nil
}

// missingRow is an incident without a published RCA, to list.
type missingRow struct {
	id       int64
	resolved int64
	sev      string
}

// samples are the durations of a group of incidents, per interval: how
// many there are (counted first), then their nearest-rank p50 and p90
// (found by rankGroups).
type samples struct {
	n        [4]int
	p50, p90 [4]float64
}

// count counts the known intervals of inc.
func (s *samples) count(inc *incRow) {
	for i := range s.n {
		if inc.known&(1<<i) != 0 {
			s.n[i]++
		}
	}
}

func (s *samples) timeToX() incident.TimeToX {
	p := func(i int) incident.Percentiles {
		out := incident.Percentiles{Count: s.n[i]}
		if s.n[i] > 0 {
			p50, p90 := s.p50[i], s.p90[i]
			out.P50, out.P90 = &p50, &p90
		}
		return out
	}
	return incident.TimeToX{ToDetect: p(0), ToAcknowledge: p(1), ToMitigate: p(2), ToResolve: p(3)}
}

// rankGroups finds the p50 and p90 of each group's durations: each
// incident counted belongs to two groups (its month's, its severity's),
// monthOf and sevOf give their index in groups per slot (-1: not counted).
// Walking each interval's incidents in order of duration (s.byDur), the
// value at which a group's count reaches a rank is its value at that rank;
// no request sorts or selects.
func (s *state) rankGroups(groups []*samples, monthOf, sevOf []int32) {
	counts := make([]int, len(groups))
	k50, k90 := make([]int, len(groups)), make([]int, len(groups))
	for i := range 4 {
		for gi, g := range groups {
			counts[gi], k50[gi], k90[gi] = 0, -1, -1
			if n := g.n[i]; n > 0 {
				k50[gi], k90[gi] = incident.NearestRankIndex(n, 50)+1, incident.NearestRankIndex(n, 90)+1
			}
		}
		for _, sl := range s.byDur[i] {
			for _, gi := range [2]int32{monthOf[sl], sevOf[sl]} {
				if gi < 0 {
					continue
				}
				counts[gi]++
				switch c := counts[gi]; c {
				case k50[gi]:
					groups[gi].p50[i] = s.incs[sl].dur[i]
					if c == k90[gi] {
						groups[gi].p90[i] = s.incs[sl].dur[i]
					}
				case k90[gi]:
					groups[gi].p90[i] = s.incs[sl].dur[i]
				}
			}
		}
	}
}

// incidentMetrics computes everything but the titles and keys of the
// incidents without a published RCA, which it returns for the caller to
// fetch.
func (s *state) incidentMetrics(f incident.IncidentMetricsFilter, recs []incident.RecurrenceFlag) (incident.IncidentMetrics, []missingRow) {
	m := incident.IncidentMetrics{PerMonth: []incident.MonthMetrics{}, BySeverity: map[string]incident.TimeToX{},
		ByService: []incident.KeyCount{}, TopRootCauseCategories: []incident.KeyCount{}}
	visible := s.visibleTo(f.Viewer)
	label := func(v string) (id uint32, set, known bool) {
		k := strings.ToLower(strings.TrimSpace(v))
		if k == "" {
			return 0, false, true
		}
		id, known = s.strs.lookup(k)
		return id, true, known
	}
	svcID, svcSet, svcKnown := label(f.Service)
	teamID, teamSet, teamKnown := label(f.Team)
	sevID, sevKnown := s.strs.lookup(string(f.Severity))
	// A label or severity no incident has selects none.
	none := !svcKnown || !teamKnown || (f.Severity != "" && !sevKnown)
	started := daysRange(f.From, f.To)
	cutoff := f.Now.AddDate(0, 0, -f.RCADays).UnixMicro()

	type monthGroup struct {
		bySev     map[uint32]int
		incidents int
		samples
	}
	months := map[int32]*monthGroup{}
	bySev := make([]*samples, len(s.strs.strs))
	// Incidents come roughly in time order: consecutive ones mostly
	// share a month, so the last group found is tried first.
	var (
		g      *monthGroup
		gMonth int32
	)
	n := len(s.strs.strs)
	svcCounts, catCounts := make([]int, n), make([]int, n)
	var missing []missingRow
	missingCount := 0
	var picked []int32 // the slots of the incidents counted
	for i := range s.incs {
		inc := &s.incs[i]
		if none || !inc.live || (inc.restricted && !visible(inc)) || (svcSet && !has(inc.services, svcID)) || (teamSet && !has(inc.teams, teamID)) ||
			(f.Severity != "" && inc.sev != sevID) || !started.has(inc.start) {
			continue
		}
		picked = append(picked, int32(i))
		if g == nil || gMonth != inc.month {
			gMonth, g = inc.month, months[inc.month]
			if g == nil {
				g = &monthGroup{bySev: map[uint32]int{}}
				months[inc.month] = g
			}
		}
		g.incidents++
		g.bySev[inc.sev]++
		g.count(inc)
		sg := bySev[inc.sev]
		if sg == nil {
			sg = &samples{}
			bySev[inc.sev] = sg
		}
		sg.count(inc)
		for _, sv := range inc.services {
			svcCounts[sv]++
		}
		for _, c := range inc.causes {
			catCounts[c]++
		}
		if inc.resolved != noTime && inc.resolved < cutoff && !inc.published {
			missingCount++
			missing = keepMissing(missing, missingRow{id: inc.id, resolved: inc.resolved, sev: s.strs.strs[inc.sev]})
		}
	}
	// The percentiles: each counted incident's month and severity group.
	var groups []*samples
	monthOf, sevOf := make([]int32, len(s.incs)), make([]int32, len(s.incs))
	for i := range monthOf {
		monthOf[i], sevOf[i] = -1, -1
	}
	monthGi := map[int32]int32{}
	for mo, g := range months {
		monthGi[mo] = int32(len(groups))
		groups = append(groups, &g.samples)
	}
	sevGi := make([]int32, len(bySev))
	for id, sg := range bySev {
		sevGi[id] = -1
		if sg != nil {
			sevGi[id] = int32(len(groups))
			groups = append(groups, sg)
		}
	}
	var gi int32
	gMonth = -1 << 30
	for _, sl := range picked {
		inc := &s.incs[sl]
		if gMonth != inc.month {
			gMonth, gi = inc.month, monthGi[inc.month]
		}
		monthOf[sl], sevOf[sl] = gi, sevGi[inc.sev]
	}
	s.rankGroups(groups, monthOf, sevOf)
	s.countRecurrences(&m, recs, picked, visible)
	if len(months) > 0 {
		first, last := int32(1<<30), int32(-1<<30)
		for mo := range months {
			first, last = min(first, mo), max(last, mo)
		}
		for mo := first; mo <= last; mo++ {
			mm := incident.MonthMetrics{Month: fmt.Sprintf("%04d-%02d", mo/12, mo%12+1), BySeverity: map[string]int{},
				ByService: map[string]int{}}
			for _, sev := range incident.Severities {
				mm.BySeverity[string(sev)] = 0
			}
			if g := months[mo]; g != nil {
				mm.Count = g.incidents
				for k, v := range g.bySev {
					mm.BySeverity[s.strs.strs[k]] += v
				}
				mm.TimeToX = g.timeToX()
			} else {
				mm.TimeToX = (&samples{}).timeToX()
			}
			m.PerMonth = append(m.PerMonth, mm)
		}
	}
	for _, sev := range incident.Severities {
		sg := &samples{}
		if id, ok := s.strs.lookup(string(sev)); ok && int(id) < len(bySev) && bySev[id] != nil {
			sg = bySev[id]
		}
		m.BySeverity[string(sev)] = sg.timeToX()
	}
	m.ByService = top(svcCounts, s.strs.strs, topServices)
	m.TopRootCauseCategories = top(catCounts, s.strs.strs, topCategories)
	s.monthsByService(&m, picked)
	m.WithoutPublishedRCA = incident.MissingRCAs{Count: missingCount, Items: []incident.MissingRCA{}}
	return m, missing
}

// top lists the limit keys counted most (ties by key), as the store's
// ORDER BY n DESC, k LIMIT does.
func top(counts []int, strs []string, limit int) []incident.KeyCount {
	out := []incident.KeyCount{}
	for i, n := range counts {
		if n > 0 {
			out = append(out, incident.KeyCount{Key: strs[i], Count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out[:min(limit, len(out))]
}

// keepMissing adds r to the incidents resolved longest ago (then by id),
// keeping missingListed of them.
func keepMissing(list []missingRow, r missingRow) []missingRow {
	before := func(x, y missingRow) bool {
		return x.resolved < y.resolved || (x.resolved == y.resolved && x.id < y.id)
	}
	if len(list) == missingListed && !before(r, list[len(list)-1]) {
		return list
	}
	i := len(list)
	for i > 0 && before(r, list[i-1]) {
		i--
	}
	if len(list) < missingListed {
		list = append(list, missingRow{})
	}
	copy(list[i+1:], list[i:len(list)-1])
	list[i] = r
	return list
}

// monthsByService fills each month's counts of the
// incident.MonthServices services with most incidents (m.ByService, already
// counted): zeros for all of them, then one count per incident of the
// month carrying the label (the store's monthsByService).
func (s *state) monthsByService(m *incident.IncidentMetrics, picked []int32) {
	if len(m.PerMonth) == 0 || len(m.ByService) == 0 {
		return
	}
	var ids []uint32
	for _, k := range m.ByService[:min(len(m.ByService), incident.MonthServices)] {
		id, _ := s.strs.lookup(k.Key) // counted, so interned
		ids = append(ids, id)
		for i := range m.PerMonth {
			m.PerMonth[i].ByService[k.Key] = 0
		}
	}
	first := s.incs[picked[0]].month
	for _, sl := range picked {
		first = min(first, s.incs[sl].month)
	}
	// col is the column of each top service in counts (-1: not a top one).
	col := make([]int8, len(s.strs.strs))
	for i := range col {
		col[i] = -1
	}
	for j, id := range ids {
		col[id] = int8(j)
	}
	counts := make([]int, len(m.PerMonth)*len(ids))
	for _, sl := range picked {
		inc := &s.incs[sl]
		for _, sv := range inc.services {
			if j := col[sv]; j >= 0 {
				counts[int(inc.month-first)*len(ids)+int(j)]++
			}
		}
	}
	for i := range m.PerMonth {
		for j, id := range ids {
			if n := counts[i*len(ids)+j]; n != 0 {
				m.PerMonth[i].ByService[s.strs.strs[id]] += n
			}
		}
	}
}

// countRecurrences counts the recurrence warnings of the incidents picked
// (slots), leaving out those pointing at a past incident the viewer may not
// see (the store's recurrenceCounts; a past incident not in the projection
// is not hidden, as visibleRef only hides restricted ones).
func (s *state) countRecurrences(m *incident.IncidentMetrics, recs []incident.RecurrenceFlag, picked []int32, visible func(*incRow) bool) {
	if len(recs) == 0 || len(picked) == 0 {
		return
	}
	in := make([]bool, len(s.incs))
	for _, sl := range picked {
		in[sl] = true
	}
	for _, r := range recs {
		if sl, ok := s.slot[r.IncidentID]; !ok || !in[sl] {
			continue
		}
		if sl, ok := s.slot[r.PastIncidentID]; ok && !visible(&s.incs[sl]) {
			continue
		}
		m.Recurrences.Count++
		if r.Dismissed {
			m.Recurrences.Dismissed++
		} else {
			m.Recurrences.Open++
		}
	}
}
