package api

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/templates"
)

// templateService is what the template endpoints need; Service embeds it.
type templateService interface {
	Templates(ctx context.Context) ([]incident.Template, error)
	Template(ctx context.Context, key string) (incident.Template, error)
	CreateTemplate(ctx context.Context, t incident.Template) (incident.Template, error)
	UpdateTemplate(ctx context.Context, key string, t incident.Template, version *int) (incident.Template, error)
	DeleteTemplate(ctx context.Context, key string) error
	CreateRCAFromTemplate(ctx context.Context, ref, key string) (incident.RCA, error)
}

// templateJSON is an RCA template as the API shows it. Version, the
// authors and the times are those of a custom template (0, "" and null for
// built-in and directory ones).
type templateJSON struct {
	Key         string                  `json:"key"`
	Name        string                  `json:"name"`
	Description string                  `json:"description"`
	Source      incident.TemplateSource `json:"source"`
	Sections    []sectionJSON           `json:"sections"`
	Version     int                     `json:"version"`
	CreatedBy   string                  `json:"created_by"`
	UpdatedBy   string                  `json:"updated_by"`
	CreatedAt   *time.Time              `json:"created_at"`
	UpdatedAt   *time.Time              `json:"updated_at"`
}

func toTemplateJSON(t incident.Template) templateJSON {
	secs := make([]sectionJSON, len(t.Sections))
	for i, s := range t.Sections {
		secs[i] = toSectionJSON(s)
	}
	out := templateJSON{
		Key: t.Key, Name: t.Name, Description: t.Description, Source: t.Source, Sections: secs,
		Version: t.Version, CreatedBy: t.CreatedBy, UpdatedBy: t.UpdatedBy,
	}
	if !t.CreatedAt.IsZero() {
		out.CreatedAt, out.UpdatedAt = utcPtr(&t.CreatedAt), utcPtr(&t.UpdatedAt)
	}
	return out
}

// templateRequest is the JSON body of POST /templates and PUT
// /templates/:key. The same template may be sent as YAML, in the format of
// the template files (Content-Type application/yaml).
type templateRequest struct {
	Key         string        `json:"key"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Sections    []sectionJSON `json:"sections"`
	// Version is the version the client edited (PUT only).
	Version *int `json:"version"`

	Source    ignored `json:"source"`
	CreatedBy ignored `json:"created_by"`
	UpdatedBy ignored `json:"updated_by"`
	CreatedAt ignored `json:"created_at"`
	UpdatedAt ignored `json:"updated_at"`
}

// createRCARequest is the body of POST /incidents/:id/rca.
type createRCARequest struct {
	Template string `json:"template"`
}

// isYAML reports whether the request body is YAML.
func isYAML(c *gin.Context) bool {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		return false
	}
	switch mt {
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		return true
	}
	return false
}

// decodeTemplate reads a template from a JSON or YAML body, with the
// version the JSON names (YAML carries none: send If-Match).
func decodeTemplate(c *gin.Context) (incident.Template, *int, error) {
	if isYAML(c) {
		b, err := readBody(c)
		if err != nil {
			return incident.Template{}, nil, err
		}
		t, err := templates.Parse("request body", b)
		return t, nil, err
	}
	var req templateRequest
	if err := decodeJSON(c, &req); err != nil {
		return incident.Template{}, nil, err
	}
	t := incident.Template{Key: req.Key, Name: req.Name, Description: req.Description, Sections: make([]incident.Section, len(req.Sections))}
	for i, s := range req.Sections {
		t.Sections[i] = s.domain()
	}
	return t, req.Version, nil
}

// templateError gives the template endpoints' own errors their codes: a
// read-only (built-in or directory) template is 409 template_read_only, and
// a conflict carries the current template; conflictCode tells a taken key
// (template_exists) from a stale version (version_conflict).
func (s *server) templateError(err error, conflictCode string) error {
	var ce *incident.ConflictError
	switch {
	case errors.Is(err, incident.ErrTemplateReadOnly):
		return &httpError{Status: http.StatusConflict, Code: "template_read_only", Message: err.Error()}
	case errors.As(err, &ce):
		if cur, ok := ce.Current.(incident.Template); ok {
			msg := "template " + cur.Key + " was changed by someone else (version conflict)"
			if conflictCode == "template_exists" {
				msg = "a custom template with key " + cur.Key + " already exists; change it with PUT " + templateLocation(cur.Key)
			}
			return &httpError{Status: http.StatusConflict, Code: conflictCode, Message: msg,
				Extra: map[string]any{"current": toTemplateJSON(cur)}}
		}
	}
	return err
}

func templateLocation(key string) string { return APIPrefix + "/templates/" + url.PathEscape(key) }

// templateETag sets the ETag of a custom template (the others have no version).
func templateETag(c *gin.Context, t incident.Template) {
	if t.Version > 0 {
		etag(c, t.Version)
	}
}

// listTemplates handles GET /templates: every template an RCA can start
// from (not paged: there are a handful).
func (s *server) listTemplates(c *gin.Context) {
	ts, err := s.svc.Templates(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(incident.Page[incident.Template]{Items: ts, Total: len(ts)}, toTemplateJSON))
}

// getTemplate handles GET /templates/:key.
func (s *server) getTemplate(c *gin.Context) {
	t, err := s.svc.Template(c.Request.Context(), c.Param("key"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	templateETag(c, t)
	c.JSON(http.StatusOK, toTemplateJSON(t))
}

// createTemplate handles POST /templates: a custom template (JSON or YAML).
func (s *server) createTemplate(c *gin.Context) {
	t, _, err := decodeTemplate(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	t, err = s.svc.CreateTemplate(c.Request.Context(), t)
	if err != nil {
		s.renderError(c, s.templateError(err, "template_exists"))
		return
	}
	templateETag(c, t)
	created(c, templateLocation(t.Key), toTemplateJSON(t))
}

// updateTemplate handles PUT /templates/:key: the whole custom template;
// a stale version is a 409 carrying the current one.
func (s *server) updateTemplate(c *gin.Context) {
	key := c.Param("key")
	t, bodyVersion, err := decodeTemplate(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if strings.TrimSpace(t.Key) != "" && strings.TrimSpace(t.Key) != key {
		s.renderError(c, incident.Invalid("key", "must be "+key+" as in the URL: a template cannot be renamed (create one with the new key instead)"))
		return
	}
	version, err := expectedVersion(c, bodyVersion)
	if err != nil {
		s.renderError(c, err)
		return
	}
	t, err = s.svc.UpdateTemplate(c.Request.Context(), key, t, version)
	if err != nil {
		s.renderError(c, s.templateError(err, "version_conflict"))
		return
	}
	templateETag(c, t)
	c.JSON(http.StatusOK, toTemplateJSON(t))
}

// deleteTemplate handles DELETE /templates/:key (custom templates only).
func (s *server) deleteTemplate(c *gin.Context) {
	if err := s.svc.DeleteTemplate(c.Request.Context(), c.Param("key")); err != nil {
		s.renderError(c, s.templateError(err, "version_conflict"))
		return
	}
	c.Status(http.StatusNoContent)
}

// createRCA handles POST /incidents/:id/rca: the incident's RCA from a
// template, with the template's sections and the incident's facts filled
// in. An incident that has an RCA already gets a 409 carrying it.
func (s *server) createRCA(c *gin.Context) {
	var req createRCARequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	r, err := s.svc.CreateRCAFromTemplate(c.Request.Context(), c.Param("id"), req.Template)
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, r.Version)
	created(c, APIPrefix+"/incidents/"+url.PathEscape(c.Param("id"))+"/rca", toRCAJSON(r))
}
