package dashboard

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// noTime marks an unknown time in the compact rows; noDay an unknown date.
const (
	noTime = math.MinInt64
	noDay  = math.MinInt32
)

// microsPerDay is one day in the microseconds the rows keep times in.
const microsPerDay = 86400 * 1000000

// The statuses of an action as a small number; statusOther is one the
// counts do not know (the schema allows none).
const (
	statusOpen uint8 = iota
	statusInProgress
	statusDone
	statusWontDo
	statusOther
)

// statusCode is the compact form of s.
func statusCode(s incident.ActionStatus) uint8 {
	switch s {
	case incident.ActionOpen:
		return statusOpen
	case incident.ActionInProgress:
		return statusInProgress
	case incident.ActionDone:
		return statusDone
	case incident.ActionWontDo:
		return statusWontDo
	}
	return statusOther
}

// incRow is one incident of the projection: its times in microseconds
// since 1970 (UTC), its labels, principals and categories as interned
// strings.
type incRow struct {
	id          int64
	live        bool
	restricted  bool
	published   bool
	known       uint8 // bit i: dur[i] is known
	sev         uint32
	month       int32 // year*12 + month-1 of start, UTC
	start       int64 // started_at, else created_at
	resolved    int64
	publishedAt int64      // when its RCA was published; noTime when not or unknown
	dur         [4]float64 // incident.Durations in seconds: detect, acknowledge, mitigate, resolve
	services    []uint32
	teams       []uint32
	principals  []uint32
	causes      []uint32
	actions     []int32 // slots of its actions
}

// actRow is one corrective action of the projection.
type actRow struct {
	id        int64
	inc       int32 // the incident's slot; -1 for a free slot
	status    uint8
	due       int32 // days since 1970, noDay when none
	prio      uint32
	team      uint32
	owner     uint32
	created   int64
	completed int64 // noTime when none
	updated   int64
	// closeDays is the days from creation to completion, 0 for one
	// completed before it was created (the store's closeDays); 0 without
	// a completion.
	closeDays float64
}

// closedAt is when a was closed (done or won't do): completed_at, else its
// last update; noTime while it is open (closedAtExpr of the store).
func (a *actRow) closedAt() int64 {
	if a.status != statusDone && a.status != statusWontDo {
		return noTime
	}
	if a.completed != noTime {
		return a.completed
	}
	return a.updated
}

// interner numbers strings, so rows hold 4 bytes per label and counts can
// be kept in slices.
type interner struct {
	ids  map[string]uint32
	strs []string
}

func newInterner() *interner { return &interner{ids: map[string]uint32{}} }

// id returns the number of s, numbering it when new.
func (in *interner) id(s string) uint32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := uint32(len(in.strs))
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

// lookup returns the number of s, if it has one.
func (in *interner) lookup(s string) (uint32, bool) {
	id, ok := in.ids[s]
	return id, ok
}

// idsOf numbers each of ss.
func (in *interner) idsOf(ss []string) []uint32 {
	if len(ss) == 0 {
		return nil
	}
	out := make([]uint32, len(ss))
	for i, s := range ss {
		out[i] = in.id(s)
	}
	return out
}

// state is the projection's data: incidents and actions in slots (freed
// slots are reused), the strings they name.
type state struct {
	strs     *interner
	incs     []incRow
	slot     map[int64]int32 // incident id → slot
	freeIncs []int32
	acts     []actRow
	freeActs []int32
	nActs    int
	// byDur lists, per interval of incRow.dur, the slots of the incidents
	// whose interval is known, ordered by it (then by slot): the
	// percentiles are read from it. While bulk is set (a full load) it is
	// left alone, then built at once by sortDurations.
	byDur [4][]int32
	bulk  bool
}

// durBefore says whether slot a's interval i orders before slot b's.
func (s *state) durBefore(i int, a, b int32) bool {
	da, db := s.incs[a].dur[i], s.incs[b].dur[i]
	return da < db || (da == db && a < b)
}

// durPos is where slot sl (with its current durations) is or goes in
// byDur[i].
func (s *state) durPos(i int, sl int32) int {
	l := s.byDur[i]
	return sort.Search(len(l), func(j int) bool { return !s.durBefore(i, l[j], sl) })
}

// indexDurations adds slot sl's known intervals to byDur.
func (s *state) indexDurations(sl int32) {
	if s.bulk {
		return
	}
	for i := range s.byDur {
		if s.incs[sl].known&(1<<i) == 0 {
			continue
		}
		pos := s.durPos(i, sl)
		s.byDur[i] = slices.Insert(s.byDur[i], pos, sl)
	}
}

// unindexDurations removes slot sl's known intervals from byDur (before
// its row changes).
func (s *state) unindexDurations(sl int32) {
	if s.bulk {
		return
	}
	for i := range s.byDur {
		if s.incs[sl].known&(1<<i) == 0 {
			continue
		}
		if pos := s.durPos(i, sl); pos < len(s.byDur[i]) && s.byDur[i][pos] == sl {
			s.byDur[i] = slices.Delete(s.byDur[i], pos, pos+1)
		}
	}
}

// sortDurations builds byDur from every incident and ends the bulk load.
func (s *state) sortDurations() {
	for i := range s.byDur {
		var l []int32
		for sl := range s.incs {
			if s.incs[sl].live && s.incs[sl].known&(1<<i) != 0 {
				l = append(l, int32(sl))
			}
		}
		slices.SortFunc(l, func(a, b int32) int {
			switch {
			case s.durBefore(i, a, b):
				return -1
			case s.durBefore(i, b, a):
				return 1
			}
			return 0
		})
		s.byDur[i] = l
	}
	s.bulk = false
}

func newState() *state {
	return &state{strs: newInterner(), slot: map[int64]int32{}}
}

// micros is t in microseconds since 1970; noTime for nil.
func micros(t *time.Time) int64 {
	if t == nil {
		return noTime
	}
	return t.UnixMicro()
}

// dayNumber is d in days since 1970-01-01.
func dayNumber(d incident.Date) int32 {
	return int32(floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), 86400))
}

// dayOf is the UTC day (days since 1970) of the time us.
func dayOf(us int64) int32 { return int32(floorDiv(us, microsPerDay)) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// remove drops the incident id and its actions, if there.
func (s *state) remove(id int64) {
	sl, ok := s.slot[id]
	if !ok {
		return
	}
	s.unindexDurations(sl)
	inc := &s.incs[sl]
	for _, a := range inc.actions {
		s.acts[a] = actRow{inc: -1}
		s.freeActs = append(s.freeActs, a)
		s.nActs--
	}
	*inc = incRow{}
	s.freeIncs = append(s.freeIncs, sl)
	delete(s.slot, id)
}

// put replaces the incidents of rows (and every action of theirs) with
// rows' version. Actions of incidents not in rows are ignored.
func (s *state) put(rows incident.DashboardRows) {
	for _, r := range rows.Incidents {
		s.remove(r.ID)
		start := r.CreatedAt
		if r.StartedAt != nil {
			start = *r.StartedAt
		}
		start = start.UTC()
		row := incRow{
			id: r.ID, live: true, restricted: r.Visibility == incident.VisibilityRestricted, published: r.RCAPublished,
			sev: s.strs.id(string(r.Severity)), month: int32(start.Year()*12 + int(start.Month()) - 1),
			start: start.UnixMicro(), resolved: micros(r.ResolvedAt), publishedAt: micros(r.RCAPublishedAt),
			services: s.strs.idsOf(r.Services), teams: s.strs.idsOf(r.Teams), principals: s.strs.idsOf(r.Principals),
			causes: s.strs.idsOf(r.RootCauseCategories),
		}
		inc := incident.Incident{StartedAt: r.StartedAt, DetectedAt: r.DetectedAt, AcknowledgedAt: r.AcknowledgedAt,
			MitigatedAt: r.MitigatedAt, ResolvedAt: r.ResolvedAt}
		d := inc.Durations()
		for i, v := range []*time.Duration{d.ToDetect, d.ToAcknowledge, d.ToMitigate, d.ToResolve} {
			if v != nil {
				row.known |= 1 << i
				row.dur[i] = v.Seconds()
			}
		}
		var sl int32
		if n := len(s.freeIncs); n > 0 {
			sl, s.freeIncs = s.freeIncs[n-1], s.freeIncs[:n-1]
			s.incs[sl] = row
		} else {
			sl = int32(len(s.incs))
			s.incs = append(s.incs, row)
		}
		s.slot[r.ID] = sl
		s.indexDurations(sl)
	}
	for _, a := range rows.Actions {
		sl, ok := s.slot[a.IncidentID]
		if !ok {
			continue
		}
		row := actRow{
			id: a.ID, inc: sl, status: statusCode(a.Status), due: noDay, prio: s.strs.id(string(a.Priority)),
			team: s.strs.id(a.TeamKey), owner: s.strs.id(a.OwnerKey),
			created: a.CreatedAt.UnixMicro(), completed: micros(a.CompletedAt), updated: a.UpdatedAt.UnixMicro(),
		}
		if a.DueDate != nil {
			row.due = dayNumber(*a.DueDate)
		}
		if a.CompletedAt != nil {
			row.closeDays = max(0, a.CompletedAt.Sub(a.CreatedAt).Hours()/24)
		}
		var as int32
		if n := len(s.freeActs); n > 0 {
			as, s.freeActs = s.freeActs[n-1], s.freeActs[:n-1]
			s.acts[as] = row
		} else {
			as = int32(len(s.acts))
			s.acts = append(s.acts, row)
		}
		s.incs[sl].actions = append(s.incs[sl].actions, as)
		s.nActs++
	}
}

// visibleTo returns, per incident slot, whether v may see it (the rule of
// the store's visibleRow and incident.Viewer).
func (s *state) visibleTo(v incident.Viewer) func(inc *incRow) bool {
	if v.All {
		return func(*incRow) bool { return true }
	}
	var mine []uint32
	for _, p := range v.Folded() {
		if id, ok := s.strs.lookup(p); ok {
			mine = append(mine, id)
		}
	}
	return func(inc *incRow) bool {
		if !inc.restricted {
			return true // most are not: callers test restricted first
		}
		for _, p := range inc.principals {
			for _, m := range mine {
				if p == m {
					return true
				}
			}
		}
		return false
	}
}

// has reports whether ids holds id.
func has(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
