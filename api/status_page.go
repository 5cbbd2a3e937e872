package api

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// The public status page (/status) is server-rendered HTML without any
// script, readable without signing in. It is built only from what the app
// returns for it (app.StatusPage and friends), which carry the public
// fields of public, unrestricted incidents and nothing else; every text is
// escaped by html/template, and Markdown goes through the one sanitizing
// pipeline (s.md).

// StatusDeps configures the public status page.
type StatusDeps struct {
	// Off turns the page off: /status and everything under it answer 404
	// (HINDSIGHT_STATUS_PAGE=off).
	Off bool
	// Title heads the page (HINDSIGHT_STATUS_TITLE). Default "Service status".
	Title string
	// CacheTTL is how long each server keeps a rendered page (see
	// status_cache.go); 0 renders every request.
	CacheTTL time.Duration
}

// DefaultStatusTitle is the status page's title when none is configured.
const DefaultStatusTitle = "Service status"

// statusCacheControl lets browsers and proxies keep a page briefly: a
// status page is read by many at once during an incident.
const statusCacheControl = "public, max-age=30"

//go:embed statuspage/*.html statuspage/status.css
var statusFiles embed.FS

var statusCSS = mustRead(statusFiles, "statuspage/status.css")

func mustRead(fs embed.FS, name string) []byte {
	b, err := fs.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

// statusPages are the page templates, each with the shared layout.
var statusPages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, page := range []string{"index", "incident", "history", "notfound"} {
		out[page] = template.Must(template.New(page).Funcs(statusFuncs).
			ParseFS(statusFiles, "statuspage/layout.html", "statuspage/"+page+".html"))
	}
	return out
}()

// statusFuncs are the template helpers; md and html are replaced per
// server (they need the server's renderer) when the template is executed.
var statusFuncs = template.FuncMap{
	"md":      func(string) template.HTML { return "" },
	"html":    func(string) template.HTML { return "" },
	"fmtTime": fmtStatusTime,
	"fmtDay":  func(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006") },
	"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"pct":     pct,
	"inc":     func(n int) int { return n + 1 },
	"dec":     func(n int) int { return n - 1 },
}

// fmtStatusTime shows a time (or *time.Time) in UTC, to the minute.
func fmtStatusTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2 Jan 2006 15:04 UTC")
	case *time.Time:
		if t != nil {
			return t.UTC().Format("2 Jan 2006 15:04 UTC")
		}
	}
	return ""
}

// pct shows an availability share as a percentage with three decimals,
// never rounding a shortfall up to 100%.
func pct(a float64) string {
	if a >= 1 {
		return "100%"
	}
	p := a * 100
	s := strconv.FormatFloat(p, 'f', 3, 64)
	if s == "100.000" {
		s = "99.999"
	}
	return s + "%"
}

// statusView is the data of every status page: the layout's fields and
// the page's own.
type statusView struct {
	Title     string
	PageTitle string
	Now       time.Time
	Page      app.StatusPage
	Incident  *app.PublicIncidentPage
	History   app.StatusHistory
	Months    []statusMonth
	Message   string
}

// statusMonth is one month of the history page.
type statusMonth struct {
	Label string
	Items []app.PublicIncidentView
}

func (s *server) statusTitle() string {
	if s.status.Title != "" {
		return s.status.Title
	}
	return DefaultStatusTitle
}

// statusOn answers 404 when the status page is turned off; it reports
// whether the handler should go on.
func (s *server) statusOn(c *gin.Context) bool {
	if !s.status.Off {
		return true
	}
	s.renderError(c, &httpError{Status: http.StatusNotFound, Code: "route_not_found",
		Message: "no route " + c.Request.Method + " " + c.Request.URL.Path})
	return false
}

// renderStatus executes a page template into the response.
func (s *server) renderStatus(c *gin.Context, status int, page string, v statusView) {
	v.Title = s.statusTitle()
	if v.Now.IsZero() {
		v.Now = s.svc.Now()
	}
	t, err := statusPages[page].Clone()
	if err == nil {
		t = t.Funcs(template.FuncMap{"md": s.statusMarkdown, "html": s.statusSanitized})
		var buf bytes.Buffer
		if err = t.ExecuteTemplate(&buf, page+".html", v); err == nil {
			c.Header("Cache-Control", statusCacheControl)
			c.Data(status, "text/html; charset=utf-8", buf.Bytes())
			return
		}
	}
	s.renderError(c, err)
}

// statusMarkdown renders Markdown an editor wrote for customers through
// the sanitizing pipeline; text it cannot render is shown escaped.
func (s *server) statusMarkdown(src string) template.HTML {
	h, err := s.md.HTML(src)
	if err != nil {
		return template.HTML("<p>" + template.HTMLEscapeString(src) + "</p>")
	}
	return template.HTML(h) // #nosec G203 -- sanitized by the markdown pipeline
}

// statusSanitized marks HTML the app rendered through the markdown
// pipeline (report sections) as safe, passing it through the sanitizer
// once more so nothing unsanitized can reach the page by this path.
func (s *server) statusSanitized(h string) template.HTML {
	return template.HTML(s.md.Sanitize(h)) // #nosec G203 -- sanitized
}

// statusNotFound answers an unknown, private or restricted incident alike.
func (s *server) statusNotFound(c *gin.Context) {
	s.renderStatus(c, http.StatusNotFound, "notfound", statusView{PageTitle: "Not found", Message: "There is no such incident on this page."})
}

// getStatusPage handles GET /status.
func (s *server) getStatusPage(c *gin.Context) {
	if !s.statusOn(c) {
		return
	}
	p, err := s.svc.StatusPage(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderStatus(c, http.StatusOK, "index", statusView{Now: p.Now, Page: p})
}

// getStatusIncident handles GET /status/incidents/:key.
func (s *server) getStatusIncident(c *gin.Context) {
	if !s.statusOn(c) {
		return
	}
	p, err := s.svc.PublicIncident(c.Request.Context(), c.Param("key"))
	if errors.Is(err, incident.ErrNotFound) {
		s.statusNotFound(c)
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderStatus(c, http.StatusOK, "incident", statusView{PageTitle: p.Incident.Title, Incident: &p})
}

// getStatusHistory handles GET /status/history?page=N.
func (s *server) getStatusHistory(c *gin.Context) {
	if !s.statusOn(c) {
		return
	}
	page := 1
	if raw := c.Query("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 100000 {
			s.renderError(c, incident.Invalid("page", "must be a whole number from 1"))
			return
		}
		page = n
	}
	h, err := s.svc.PublicHistory(c.Request.Context(), page)
	if err != nil {
		s.renderError(c, err)
		return
	}
	v := statusView{PageTitle: "History", History: h}
	for _, item := range h.Items {
		label := item.From.UTC().Format("January 2006")
		if n := len(v.Months); n == 0 || v.Months[n-1].Label != label {
			v.Months = append(v.Months, statusMonth{Label: label})
		}
		v.Months[len(v.Months)-1].Items = append(v.Months[len(v.Months)-1].Items, item)
	}
	s.renderStatus(c, http.StatusOK, "history", v)
}

// getStatusCSS handles GET /status/status.css.
func (s *server) getStatusCSS(c *gin.Context) {
	if !s.statusOn(c) {
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "text/css; charset=utf-8", statusCSS)
}
