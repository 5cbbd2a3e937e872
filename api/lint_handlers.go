package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/blameless"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// lintService is what the blameless-language check needs from the app.
type lintService interface {
	LintRCA(ctx context.Context, ref string) ([]blameless.Finding, error)
	LintRCADraft(ctx context.Context, ref string, sections []incident.Section) ([]blameless.Finding, error)
}

// lintRequest is the optional body of POST /incidents/:id/rca/lint: the
// editor's unsaved sections. It accepts the body of PUT …/rca as it is, so
// the editor can send what it would save; only sections are read.
type lintRequest struct {
	Sections *[]sectionJSON `json:"sections"`

	Template   ignored `json:"template"`
	Status     ignored `json:"status"`
	Version    ignored `json:"version"`
	ID         ignored `json:"id"`
	IncidentID ignored `json:"incident_id"`
	CreatedAt  ignored `json:"created_at"`
	UpdatedAt  ignored `json:"updated_at"`
	UpdatedBy  ignored `json:"updated_by"`
}

// findingJSON is one blame-laden phrase. start and end are byte offsets
// into the section's body; line and column (1-based, column in characters)
// locate start.
type findingJSON struct {
	SectionKey string `json:"section_key"`
	Start      int    `json:"start"`
	End        int    `json:"end"`
	Line       int    `json:"line"`
	Column     int    `json:"column"`
	Match      string `json:"match"`
	Rule       string `json:"rule"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion"`
}

// lintJSON is the answer of the check.
type lintJSON struct {
	Findings []findingJSON `json:"findings"`
	Total    int           `json:"total"`
}

func toLintJSON(fs []blameless.Finding) lintJSON {
	out := lintJSON{Findings: make([]findingJSON, len(fs)), Total: len(fs)}
	for i, f := range fs {
		out.Findings[i] = findingJSON{
			SectionKey: f.SectionKey, Start: f.Start, End: f.End, Line: f.Line, Column: f.Column,
			Match: f.Match, Rule: f.Rule, Message: f.Message, Suggestion: f.Suggestion,
		}
	}
	return out
}

// lintRCA handles POST /incidents/:id/rca/lint: it checks the sections in
// the body, or the stored RCA when the body is empty or has no sections,
// and always the stored root-cause records (section_key "root_causes[<id>]").
// It only advises; saving is never blocked by findings.
func (s *server) lintRCA(c *gin.Context) {
	var req lintRequest
	if c.Request.Body != nil {
		b, err := io.ReadAll(c.Request.Body)
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			s.renderError(c, err)
			return
		case err != nil:
			s.renderError(c, &httpError{Status: http.StatusBadRequest, Code: "malformed_json", Message: "could not read the request body", Cause: err})
			return
		}
		if len(bytes.TrimSpace(b)) > 0 {
			if err := decodeBytes(b, &req, ""); err != nil {
				s.renderError(c, err)
				return
			}
		}
	}

	var (
		fs  []blameless.Finding
		err error
	)
	if req.Sections == nil {
		fs, err = s.svc.LintRCA(c.Request.Context(), c.Param("id"))
	} else {
		secs := make([]incident.Section, len(*req.Sections))
		for i, sec := range *req.Sections {
			secs[i] = sec.domain()
		}
		fs, err = s.svc.LintRCADraft(c.Request.Context(), c.Param("id"), secs)
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toLintJSON(fs))
}
