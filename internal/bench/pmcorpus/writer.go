package pmcorpus

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// writer builds the synthetic text of one incident into one buffer, which
// Doc turns into one string and slices: a timeline of fifty lines then
// costs one allocation instead of fifty.
type writer struct {
	r   *rand.Rand
	g   *Generator
	buf []byte

	// The incident's context: the names its lines keep coming back to.
	service  string
	region   string
	team     string
	hosts    [3]string
	errs     [2]string
	http     string
	alert    string
	ips      [2]string
	hash     string
	keywords []string
}

// piece is a stretch of the buffer.
type piece struct{ from, to int }

// genEvent is an event whose body is still a piece of the buffer.
type genEvent struct {
	at     time.Time
	source string
	kind   string
	actor  string
	body   piece
}

// genAction is an action whose title is still a piece of the buffer.
type genAction struct {
	title       piece
	description string
	status      string
}

func (w *writer) pick(list []string) string { return list[w.r.IntN(len(list))] }

// pickContext chooses the incident's service, region, hosts and errors.
func (w *writer) pickContext(b *base) {
	if b.service != "" && w.r.IntN(2) == 0 {
		w.service = b.service
	} else {
		w.service = w.pick(services)
	}
	w.region = w.pick(regions)
	w.team = w.pick(teams)
	for k := range w.hosts {
		w.hosts[k] = w.pick(w.g.hosts)
	}
	w.errs[0], w.errs[1] = w.pick(errorCodes), w.pick(errorCodes)
	w.http = w.pick(httpCodes)
	w.alert = w.pick(alertNames)
	w.ips[0], w.ips[1] = w.pick(w.g.ips), w.pick(w.g.ips)
	w.hash = w.pick(w.g.hashes)
	w.keywords = b.keywords
}

// str appends s as one piece.
func (w *writer) str(s string) piece {
	from := len(w.buf)
	w.buf = append(w.buf, s...)
	return piece{from, len(w.buf)}
}

// expand appends a template with its placeholders filled (see chatLines);
// a "%" not followed by a known verb is kept as written.
func (w *writer) expand(tmpl string) piece {
	from := len(w.buf)
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '%' || i+1 == len(tmpl) {
			w.buf = append(w.buf, c)
			continue
		}
		var v string
		switch tmpl[i+1] {
		case 'h':
			v = w.hosts[w.r.IntN(len(w.hosts))]
		case 'e':
			v = w.errs[w.r.IntN(len(w.errs))]
		case 'c':
			v = w.http
		case 's':
			v = w.service
		case 'i':
			v = w.ips[w.r.IntN(len(w.ips))]
		case 'r':
			v = w.region
		case 't':
			v = w.team
		case 'x':
			v = w.hash
		case 'a':
			v = w.alert
		case 'p':
			v = w.pick(people)
		case 'k':
			if len(w.keywords) > 0 {
				v = strings.ToLower(w.pick(w.keywords))
			} else {
				v = w.service
			}
		case 'n':
			w.buf = strconv.AppendInt(w.buf, int64(2+w.r.IntN(998)), 10)
			i++
			continue
		case 'j':
			w.buf = append(w.buf, w.pick(ticketProjects)...)
			w.buf = append(w.buf, '-')
			w.buf = strconv.AppendInt(w.buf, int64(100+w.r.IntN(9900)), 10)
			i++
			continue
		default:
			w.buf = append(w.buf, c)
			continue
		}
		w.buf = append(w.buf, v...)
		i++
	}
	return piece{from, len(w.buf)}
}

// titleSeparators split a title into clauses that can trade places.
var titleSeparators = []string{": ", " - ", " – ", " — ", ", "}

// title is a variant of the base's title: as is, with the service or
// region added, or with its clauses swapped.
func (w *writer) title(b *base) piece {
	from := len(w.buf)
	switch n := w.r.IntN(100); {
	case n < 40:
		w.str(b.title)
	case n < 60:
		w.expand("%s: ")
		w.str(b.title)
	case n < 75:
		w.str(b.title)
		w.expand(" in %r")
	case n < 85:
		w.str(b.title)
		w.str(w.pick(titleSuffixes))
	default:
		for _, sep := range titleSeparators {
			if before, after, ok := strings.Cut(b.title, sep); ok && before != "" && after != "" {
				w.str(after)
				w.str(" - ")
				w.str(before)
				return piece{from, len(w.buf)}
			}
		}
		w.str(w.pick(symptomPrefixes))
		w.str(b.title)
	}
	return piece{from, len(w.buf)}
}

// actions are 0–5 corrective actions with a mix of statuses.
func (w *writer) actions(b *base) []genAction {
	n := w.r.IntN(6)
	if n == 0 {
		return nil
	}
	out := make([]genAction, n)
	for k := range out {
		out[k] = genAction{
			title:       w.expand(w.pick(actionTitles)),
			description: b.sentences[w.r.IntN(len(b.sentences))],
			status:      weighted(w.r, actionStatuses),
		}
	}
	return out
}

// events are the timeline: an alert first, then chat (sentences of the
// post-mortem and log-like lines), alerts, tickets and notes, 20 s to 4 min
// apart.
func (w *writer) events(b *base, started time.Time) []genEvent {
	n := EventsMin + w.r.IntN(EventsMax-EventsMin+1)
	out := make([]genEvent, n)
	at := started
	for k := range out {
		e := &out[k]
		e.at = at
		at = at.Add(time.Duration(20+w.r.IntN(220)) * time.Second)
		kind := w.r.IntN(100)
		if k == 0 {
			kind = 60
		}
		switch {
		case kind < 60:
			e.source, e.kind, e.actor = "slack", "chat", w.pick(people)
			if w.r.IntN(100) < 35 {
				from := len(w.buf)
				w.buf = append(w.buf, w.pick(chatOpeners)...)
				w.buf = append(w.buf, w.pick(b.sentences)...)
				e.body = piece{from, len(w.buf)}
			} else {
				e.body = w.expand(w.pick(chatLines))
			}
		case kind < 80:
			e.source, e.kind, e.actor = "pagerduty", "alert", "PagerDuty"
			e.body = w.expand(w.pick(alertLines))
		case kind < 88:
			e.source, e.kind, e.actor = "jira", "ticket", w.pick(people)
			e.body = w.expand(w.pick(ticketLines))
		default:
			e.source, e.kind, e.actor = "manual", "note", w.pick(people)
			e.body = w.str(w.pick(b.sentences))
		}
	}
	return out
}

// servicesOf are the product (when the post-mortem names one), the
// incident's service and sometimes another.
func (w *writer) servicesOf(b *base) []string {
	out := make([]string, 0, 3)
	if b.service != "" {
		out = append(out, b.service)
	}
	if w.service != b.service {
		out = append(out, w.service)
	}
	if w.r.IntN(3) == 0 {
		if s := w.pick(services); s != w.service {
			out = append(out, s)
		}
	}
	return out
}
