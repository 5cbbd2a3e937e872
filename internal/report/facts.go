package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Facts are the durations derived from the lifecycle times; nil when a time
// they need is unknown or the audience may not see them.
type Facts struct {
	TimeToDetect      *time.Duration
	TimeToAcknowledge *time.Duration
	TimeToMitigate    *time.Duration
	TimeToResolve     *time.Duration
	// ImpactDuration is (mitigated, else resolved) − started: how long
	// customers were hurt.
	ImpactDuration *time.Duration
}

// Fact is one named derived fact.
type Fact struct {
	// Name is the machine name ("time_to_detect").
	Name string
	// Label is the name for people ("Time to detect").
	Label    string
	Duration *time.Duration
}

// List returns every fact in a fixed order, known or not.
func (f Facts) List() []Fact {
	return []Fact{
		{"time_to_detect", "Time to detect", f.TimeToDetect},
		{"time_to_acknowledge", "Time to acknowledge", f.TimeToAcknowledge},
		{"time_to_mitigate", "Time to mitigate", f.TimeToMitigate},
		{"time_to_resolve", "Time to resolve", f.TimeToResolve},
		{"impact_duration", "Impact duration", f.ImpactDuration},
	}
}

// Known returns the facts whose duration is known.
func (f Facts) Known() []Fact {
	var out []Fact
	for _, x := range f.List() {
		if x.Duration != nil {
			out = append(out, x)
		}
	}
	return out
}

// factsFor derives the facts of inc that audience may see: the public gets
// the impact duration only.
func factsFor(inc incident.Incident, audience incident.Audience) Facts {
	d := inc.Durations()
	end := inc.MitigatedAt
	if end == nil {
		end = inc.ResolvedAt
	}
	var impact *time.Duration
	if inc.StartedAt != nil && end != nil {
		v := end.Sub(*inc.StartedAt)
		impact = &v
	}
	if audience == incident.AudiencePublic {
		return Facts{ImpactDuration: impact}
	}
	return Facts{
		TimeToDetect: d.ToDetect, TimeToAcknowledge: d.ToAcknowledge,
		TimeToMitigate: d.ToMitigate, TimeToResolve: d.ToResolve, ImpactDuration: impact,
	}
}

// Human writes a duration for people: "2d 3h", "1h 5m", "4m 30s", "45s".
// It keeps the two largest units and drops sub-second parts.
func Human(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	d = d.Truncate(time.Second)
	units := []struct {
		size time.Duration
		name string
	}{
		{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"},
	}
	var parts []string
	for _, u := range units {
		if len(parts) == 2 {
			break
		}
		n := d / u.size
		if n > 0 {
			parts = append(parts, strconv.FormatInt(int64(n), 10)+u.name)
			d -= n * u.size
		} else if len(parts) > 0 {
			break // "1h 0m 5s" reads worse than "1h"
		}
	}
	if len(parts) == 0 {
		return "0s"
	}
	s := strings.Join(parts, " ")
	if neg {
		s = "-" + s
	}
	return s
}
