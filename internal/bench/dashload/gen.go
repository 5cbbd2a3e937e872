package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// The shape of the generated data: 30 services owned by 20 teams, 10
// owners per team, five years of incidents, ~3 actions per incident.
const (
	services       = 30
	teams          = 20
	ownersPerTeam  = 10
	groups         = 10 // principals restricted incidents are open to
	years          = 5
	restrictedRate = 0.02
)

var categories = []string{"change", "capacity", "configuration", "dependency", "software-bug", "hardware",
	"network", "monitoring-gap", "process", "security", "data", "third-party"}

// genIncident is one generated incident with what hangs off it.
type genIncident struct {
	ID                                            int64
	Severity, Status                              string
	Services                                      []string
	Team                                          string
	Restricted                                    bool
	Principals                                    []string
	Created                                       time.Time
	Started, Detected, Acked, Mitigated, Resolved *time.Time
	RCAStatus                                     string // "" for none
	Causes                                        []string
	RecurrenceOf                                  int64 // 0 for none
	RecurrenceDismissed                           bool
}

// genAction is one generated corrective action.
type genAction struct {
	ID, IncidentID         int64
	Type, Priority, Status string
	Owner, Team            string
	Due                    *time.Time // a day
	Created                time.Time
	Completed              *time.Time
}

// dataset is everything the loaders write.
type dataset struct {
	incidents []genIncident
	actions   []genAction
}

// generate makes n incidents over the five years before now and about
// three actions per incident, the same for the same n.
func generate(n int, now time.Time) dataset {
	r := rand.New(rand.NewPCG(42, uint64(n)))
	span := float64(years * 365 * 24 * time.Hour)
	begin := now.Add(-time.Duration(span))
	ds := dataset{incidents: make([]genIncident, 0, n), actions: make([]genAction, 0, 3*n)}
	// Incidents get more frequent over time (the company grows): sample the
	// start by the square root of a uniform number, then sort by id = time.
	starts := make([]time.Time, n)
	for i := range starts {
		starts[i] = begin.Add(time.Duration(math.Sqrt(r.Float64()) * span))
	}
	sortTimes(starts)
	exp := func(mean time.Duration) time.Duration { return time.Duration(r.ExpFloat64() * float64(mean)) }
	maybe := func(t time.Time, p float64) *time.Time {
		if r.Float64() < p {
			return nil
		}
		t = t.Truncate(time.Second)
		return &t
	}
	var aid int64
	for i := range n {
		inc := genIncident{ID: int64(i + 1), Severity: pick(r, []string{"SEV1", "SEV2", "SEV3", "SEV4", "SEV5"}, []float64{3, 10, 30, 37, 20})}
		start := starts[i].Truncate(time.Second)
		inc.Created = start.Add(exp(20 * time.Minute))
		if inc.Created.After(now) {
			inc.Created = now
		}
		svc := zipf(r, services)
		inc.Services = []string{fmt.Sprintf("svc-%02d", svc)}
		if r.Float64() < 0.3 {
			if other := zipf(r, services); other != svc {
				inc.Services = append(inc.Services, fmt.Sprintf("svc-%02d", other))
			}
		}
		inc.Team = fmt.Sprintf("team-%02d", svc%teams)
		inc.Started = maybe(start, 0.05)
		det := start.Add(exp(12 * time.Minute))
		ack := det.Add(exp(6 * time.Minute))
		mit := ack.Add(exp(70 * time.Minute))
		res := mit.Add(exp(5 * time.Hour))
		inc.Detected, inc.Acked = maybe(det, 0.05), maybe(ack, 0.08)
		inc.Status = "resolved"
		switch {
		case res.Before(now):
			res = res.Truncate(time.Second)
			inc.Mitigated, inc.Resolved = maybe(mit, 0.05), &res
		case mit.Before(now):
			inc.Status, inc.Mitigated = "mitigated", maybe(mit, 0)
		default:
			inc.Status = "open"
		}
		if r.Float64() < restrictedRate {
			inc.Restricted = true
			inc.Principals = []string{fmt.Sprintf("group-%d", r.IntN(groups))}
			if r.Float64() < 0.5 {
				inc.Principals = append(inc.Principals, fmt.Sprintf("user-%d@example.com", r.IntN(500)))
			}
		}
		if r.Float64() < 0.85 {
			inc.RCAStatus = pick(r, []string{"published", "draft", "in_review"}, []float64{65, 25, 10})
			for range 1 + r.IntN(2) {
				inc.Causes = append(inc.Causes, categories[zipf(r, len(categories))])
			}
		}
		if i > 100 && r.Float64() < 0.03 {
			inc.RecurrenceOf = int64(1 + r.IntN(i))
			inc.RecurrenceDismissed = r.Float64() < 0.3
		}
		ds.incidents = append(ds.incidents, inc)
		for range 1 + r.IntN(5) {
			aid++
			ds.actions = append(ds.actions, genAct(r, aid, inc, now))
		}
	}
	return ds
}

// genAct makes one action of inc: created within two weeks of it, due by
// a policy of its priority, closed after a skewed number of days (those
// that would close in the future are still open or in progress).
func genAct(r *rand.Rand, id int64, inc genIncident, now time.Time) genAction {
	a := genAction{ID: id, IncidentID: inc.ID,
		Type:     pick(r, []string{"corrective", "preventive", "detective", "mitigation"}, []float64{45, 30, 15, 10}),
		Priority: pick(r, []string{"critical", "high", "medium", "low"}, []float64{5, 25, 50, 20})}
	a.Team = inc.Team
	if r.Float64() < 0.2 {
		a.Team = fmt.Sprintf("team-%02d", r.IntN(teams))
	}
	a.Owner = fmt.Sprintf("%s-owner-%d", a.Team, zipf(r, ownersPerTeam))
	if r.Float64() < 0.1 {
		a.Team = "" // owner only
	}
	a.Created = inc.Created.Add(time.Duration(r.Float64() * float64(14*24*time.Hour))).Truncate(time.Microsecond)
	if a.Created.After(now) {
		a.Created = now
	}
	if r.Float64() < 0.85 {
		days := map[string]int{"critical": 14, "high": 30, "medium": 60, "low": 90}[a.Priority]
		due := a.Created.AddDate(0, 0, days).Truncate(24 * time.Hour)
		a.Due = &due
	}
	closeAfter := time.Duration(math.Exp(r.NormFloat64()*1.1+3.3) * float64(24*time.Hour)) // median ~27 days
	done := a.Created.Add(closeAfter)
	switch {
	case done.Before(now) && r.Float64() < 0.92:
		a.Status = pick(r, []string{"done", "wont_do"}, []float64{90, 10})
		a.Completed = &done
	default:
		a.Status = pick(r, []string{"open", "in_progress"}, []float64{70, 30})
	}
	return a
}

// pick chooses one of values by weights.
func pick(r *rand.Rand, values []string, weights []float64) string {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return values[i]
		}
		x -= w
	}
	return values[len(values)-1]
}

// zipf picks 0..n-1, the small ones much more often (a few services have
// most incidents).
func zipf(r *rand.Rand, n int) int {
	return min(n-1, int(float64(n)*math.Pow(r.Float64(), 2)))
}

func sortTimes(ts []time.Time) { slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) }) }
