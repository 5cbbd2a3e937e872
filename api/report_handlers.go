package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/markdown"
	"github.com/hindsightrca/hindsight/internal/report"
)

// reportService composes, exports and imports RCA documents.
type reportService interface {
	Report(ctx context.Context, ref string, audience incident.Audience) (report.Document, error)
	Export(ctx context.Context, ref, format string, audience incident.Audience) (report.Export, error)
	ImportDocument(ctx context.Context, imp report.Imported) (incident.Incident, error)
}

// reportJSON is the answer of GET /incidents/:id/report: only what the
// audience may see.
type reportJSON struct {
	Audience incident.Audience `json:"audience"`
	// Draft is true when the sections are not a published version of the
	// RCA ("Draft — not yet published").
	Draft     bool                `json:"draft"`
	Incident  map[string]any      `json:"incident"`
	Facts     map[string]*int64   `json:"facts"`
	FactsText map[string]string   `json:"facts_text"`
	Template  string              `json:"template"`
	RCAStatus incident.RCAStatus  `json:"rca_status"`
	Sections  []reportSectionJSON `json:"sections"`
}

// reportSectionJSON is one section of a report: its Markdown (text plus
// generated block) and the sanitized HTML of that.
type reportSectionJSON struct {
	Key      string            `json:"key"`
	Title    string            `json:"title"`
	Audience incident.Audience `json:"audience"`
	Required bool              `json:"required"`
	Block    incident.Block    `json:"block"`
	Markdown string            `json:"markdown"`
	HTML     string            `json:"html"`
}

func toReportJSON(d report.Document) reportJSON {
	out := reportJSON{
		Audience: d.Audience, Draft: d.Draft, Incident: d.IncidentFields(), Facts: d.FactSeconds(), FactsText: d.FactTexts(),
		Template: d.Template, RCAStatus: d.RCAStatus, Sections: make([]reportSectionJSON, len(d.Sections)),
	}
	for i, s := range d.Sections {
		out.Sections[i] = reportSectionJSON{
			Key: s.Key, Title: s.Title, Audience: s.Audience, Required: s.Required, Block: s.Block,
			// Shown in the app, whose CSP blocks other sites' images: they
			// become links (the exports keep them).
			Markdown: s.Markdown(), HTML: linkExternalImages(s.HTML),
		}
	}
	return out
}

// audienceParam reads ?audience= (default internal).
func audienceParam(c *gin.Context) (incident.Audience, error) {
	return report.ParseAudience(c.Query("audience"))
}

// getReport handles GET /incidents/:id/report?audience=….
func (s *server) getReport(c *gin.Context) {
	audience, err := audienceParam(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	d, err := s.svc.Report(c.Request.Context(), c.Param("id"), audience)
	if err != nil {
		s.renderError(c, reportError(err))
		return
	}
	c.JSON(http.StatusOK, toReportJSON(d))
}

// exportIncident handles GET /incidents/:id/export?format=md|html|pdf|json&audience=…:
// the document as a file download. Without Chromium a PDF is a 501.
func (s *server) exportIncident(c *gin.Context) {
	audience, err := audienceParam(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	format := c.Query("format")
	if format == "" {
		format = report.FormatMarkdown
	}
	exp, err := s.svc.Export(c.Request.Context(), c.Param("id"), format, audience)
	if errors.Is(err, report.ErrPDFUnavailable) {
		err = &httpError{Status: http.StatusNotImplemented, Code: "pdf_unavailable", Message: err.Error()}
	}
	if err != nil {
		s.renderError(c, reportError(err))
		return
	}
	// The name is a key and a slug: letters, digits, "-" and "." only.
	c.Header("Content-Disposition", `attachment; filename="`+exp.FileName+`"`)
	c.Header("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(exp.ContentType, "text/html") {
		// An export is a file to save, not a page of this origin.
		c.Header("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:")
	}
	c.Data(http.StatusOK, exp.ContentType, exp.Data)
}

// reportError gives a section too large to render as HTML its own 413
// (document_too_large, naming the section), instead of a 500.
func reportError(err error) error {
	var tl *report.TooLargeError
	if errors.As(err, &tl) {
		return &httpError{
			Status: http.StatusRequestEntityTooLarge, Code: "document_too_large", Message: tl.Error(),
			Fields: map[string]string{"sections[" + tl.Key + "]": "is too large to render: at most " + strconv.Itoa(markdown.MaxSource) + " bytes of Markdown"},
			Cause:  err,
		}
	}
	return err
}

// importMediaTypes are the bodies POST /incidents/import accepts.
var importMediaTypes = []string{"text/markdown", "text/x-markdown", "text/plain"}

// importIncident handles POST /incidents/import: the body is a Markdown
// export (front matter + sections); it creates a new incident with its RCA,
// events, root causes and actions and answers 201 with the incident.
func (s *server) importIncident(c *gin.Context) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if !contains(importMediaTypes, mt) {
		s.renderError(c, &httpError{
			Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "send the Markdown file with Content-Type: text/markdown",
		})
		return
	}
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = &httpError{Status: http.StatusBadRequest, Code: "unreadable_body", Message: "could not read the request body", Cause: err}
		}
		s.renderError(c, err)
		return
	}
	if len(b) > report.MaxImport {
		s.renderError(c, errBodyTooLarge(report.MaxImport))
		return
	}
	imp, err := report.ParseMarkdown(b)
	if err != nil {
		s.renderError(c, err)
		return
	}
	inc, err := s.svc.ImportDocument(c.Request.Context(), imp)
	if err != nil {
		s.renderError(c, err)
		return
	}
	created(c, incidentLocation(inc), toIncidentJSON(inc))
}
