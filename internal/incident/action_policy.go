package incident

import (
	"strconv"
	"time"
)

// DueDateFromPolicy is CorrectiveAction.DueDateSource of a due date the
// action policy filled in; a due date a person set has an empty source.
const DueDateFromPolicy = "policy"

// Bounds of a policy cell, in days.
const (
	MinPolicyDays = 1
	MaxPolicyDays = 3650
)

// ActionPolicy is how many days after its creation a corrective action is
// due when no one gave it a due date, by the incident's severity and the
// action's priority. Every severity × priority cell has a value.
type ActionPolicy struct {
	Days map[Severity]map[Priority]int
	// UpdatedBy and UpdatedAt are the last admin change (zero: defaults).
	UpdatedBy string
	UpdatedAt *time.Time
}

// defaultPolicyDays is the built-in grid, rows SEV1..SEV5, columns
// critical, high, medium, low. README.md lists it.
var defaultPolicyDays = [5][4]int{
	{14, 30, 60, 90},   // SEV1
	{21, 45, 90, 120},  // SEV2
	{30, 60, 90, 180},  // SEV3
	{45, 90, 120, 180}, // SEV4
	{60, 90, 180, 365}, // SEV5
}

// DefaultActionPolicy returns the built-in policy.
func DefaultActionPolicy() ActionPolicy {
	p := ActionPolicy{Days: map[Severity]map[Priority]int{}}
	for i, sev := range Severities {
		p.Days[sev] = map[Priority]int{}
		for j, pri := range Priorities {
			p.Days[sev][pri] = defaultPolicyDays[i][j]
		}
	}
	return p
}

// DaysFor returns the cell of sev and pri, and false when the policy has
// none (an unknown severity or priority).
func (p ActionPolicy) DaysFor(sev Severity, pri Priority) (int, bool) {
	d, ok := p.Days[sev][pri]
	return d, ok && d > 0
}

// DueDate returns the due date of an action of priority pri, on an incident
// of severity sev, created on day created.
func (p ActionPolicy) DueDate(created Date, sev Severity, pri Priority) (Date, bool) {
	d, ok := p.DaysFor(sev, pri)
	if !ok {
		return Date{}, false
	}
	return created.AddDays(d), true
}

// Validate checks that p names only known severities and priorities, has
// every cell, and that each is within MinPolicyDays..MaxPolicyDays. Fields
// are named days.SEV1.high.
func (p ActionPolicy) Validate() error {
	v := &ValidationError{}
	for sev, row := range p.Days {
		if !sev.Valid() {
			v.Add("days."+string(sev), "is not a severity (want SEV1..SEV5)")
			continue
		}
		for pri, d := range row {
			field := "days." + string(sev) + "." + string(pri)
			switch {
			case !pri.Valid():
				v.Add(field, "is not a priority (want critical, high, medium or low)")
			case d < MinPolicyDays || d > MaxPolicyDays:
				v.Add(field, "must be between "+strconv.Itoa(MinPolicyDays)+" and "+strconv.Itoa(MaxPolicyDays)+" days")
			}
		}
	}
	for _, sev := range Severities {
		for _, pri := range Priorities {
			if _, ok := p.Days[sev][pri]; !ok {
				v.Add("days."+string(sev)+"."+string(pri), "is required")
			}
		}
	}
	return v.Err()
}

// Audit actions and object type of the action policy.
const (
	AuditActionPolicyUpdate = "settings.action_policy"
	ObjectSettings          = "settings"
)
