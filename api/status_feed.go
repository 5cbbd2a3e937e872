package api

import (
	"encoding/xml"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// The status page's Atom feed (RFC 4287): one entry per customer update
// and one per published post-incident report of the public incidents.
// encoding/xml escapes every text, and entry content is the sanitized HTML
// of the Markdown, sent as type="html" (escaped HTML, as RFC 4287 3.1.1.2
// says).

// maxFeedEntries bounds the entries of the feed.
const maxFeedEntries = 50

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Updated   string   `xml:"updated"`
	Published string   `xml:"published"`
	Link      atomLink `xml:"link"`
	Content   atomText `xml:"content"`

	at time.Time
}

// getStatusFeed handles GET /status/feed.atom.
func (s *server) getStatusFeed(c *gin.Context) {
	if !s.statusOn(c) {
		return
	}
	feed, err := s.svc.PublicFeed(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	// Absolute links only from the configured public URL: this answer is
	// cached publicly, so a forged Host or X-Forwarded-Host must not put
	// its links into it. Without one, links are relative to the feed and
	// ids are URNs.
	base := strings.TrimRight(s.publicURL, "/")
	out := s.atom(feed, base)
	body, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", statusCacheControl)
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), body...))
}

// atom builds the feed document; base is the absolute root of links ("" when
// the request gives none, which makes links relative and ids URNs).
func (s *server) atom(feed app.StatusFeed, base string) atomFeed {
	pageURL := base + "/status"
	out := atomFeed{
		ID:     feedID(base, "/status", ""),
		Title:  s.statusTitle(),
		Author: atomPerson{Name: s.statusTitle()},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: pageURL + "/feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: pageURL},
		},
	}
	for _, fu := range feed.Updates {
		u, inc := fu.Update, fu.Incident
		path := incident.PublicPath(inc.Slug)
		body := string(s.statusMarkdown(u.Body))
		if u.ETA != nil {
			body += "<p>Next update or fix expected " + template.HTMLEscapeString(fmtStatusTime(u.ETA)) + ".</p>"
		}
		out.Entries = append(out.Entries, atomEntry{
			ID:      feedID(base, path, "update-"+strconv.FormatInt(u.ID, 10)),
			Title:   updateLabel(string(u.Status)) + ": " + inc.Title,
			Link:    atomLink{Rel: "alternate", Type: "text/html", Href: base + path},
			Content: atomText{Type: "html", Body: body},
			at:      u.PostedAt,
		})
	}
	for _, inc := range feed.Reports {
		path := incident.PublicPath(inc.Slug)
		body := ""
		if inc.Summary != "" {
			body = string(s.statusMarkdown(inc.Summary))
		}
		body += `<p>The post-incident report is published: <a href="` + template.HTMLEscapeString(base+path) + `">read it</a>.</p>`
		out.Entries = append(out.Entries, atomEntry{
			ID:      feedID(base, path, "report"),
			Title:   "Post-incident report: " + inc.Title,
			Link:    atomLink{Rel: "alternate", Type: "text/html", Href: base + path},
			Content: atomText{Type: "html", Body: body},
			at:      *inc.ReportPublishedAt,
		})
	}
	slices.SortStableFunc(out.Entries, func(a, b atomEntry) int { return b.at.Compare(a.at) })
	if len(out.Entries) > maxFeedEntries {
		out.Entries = out.Entries[:maxFeedEntries]
	}
	// A feed without entries was last updated when it was made.
	updated := s.svc.Now()
	if len(out.Entries) > 0 {
		updated = out.Entries[0].at
	}
	for n := range out.Entries {
		e := &out.Entries[n]
		e.Updated = e.at.UTC().Format(time.RFC3339)
		e.Published = e.Updated
		if e.at.After(updated) {
			updated = e.at
		}
	}
	out.Updated = updated.UTC().Format(time.RFC3339)
	return out
}

// feedID is a permanent IRI for the feed or an entry: the page's absolute
// URL (with the entry as fragment) when the server's address is known,
// else a URN of the path.
func feedID(base, path, fragment string) string {
	id := base + path
	if base == "" {
		id = "urn:hindsight:" + strings.TrimPrefix(strings.ReplaceAll(path, "/", ":"), ":")
		if fragment != "" {
			return id + ":" + fragment
		}
		return id
	}
	if fragment != "" {
		id += "#" + fragment
	}
	return id
}

// updateLabel names an update status for people.
func updateLabel(status string) string {
	if status == "" {
		return ""
	}
	return strings.ToUpper(status[:1]) + status[1:]
}
