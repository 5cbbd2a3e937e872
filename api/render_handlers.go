package api

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/markdown"
)

// renderRequest is the body of POST /render.
type renderRequest struct {
	Markdown string `json:"markdown"`
	// IDPrefix, when set, is put before every id of the HTML and every
	// in-page link to one (markdown.PrefixIDs, as the reports do per
	// section), so several previews on one page keep their footnotes and
	// heading anchors apart.
	IDPrefix string `json:"id_prefix"`
}

// idPrefixRe is what an id_prefix may hold: safe in an id and in a CSS
// selector. 80 characters fit "s-" + the longest section key (64) + "-".
var idPrefixRe = regexp.MustCompile(`^[a-z0-9_-]{1,80}$`)

// renderJSON is markdown rendered for a preview: sanitized HTML, and the
// plain text that search indexes.
type renderJSON struct {
	HTML string `json:"html"`
	Text string `json:"text"`
}

// renderMarkdown handles POST /render: markdown in, sanitized HTML out,
// through the one pipeline every stored text is shown with.
func (s *server) renderMarkdown(c *gin.Context) {
	var req renderRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	if req.IDPrefix != "" && !idPrefixRe.MatchString(req.IDPrefix) {
		s.renderError(c, &httpError{
			Status: http.StatusUnprocessableEntity, Code: "validation_failed",
			Message: "id_prefix is not valid",
			Fields:  map[string]string{"id_prefix": "must be 1 to 80 characters: a-z, 0-9, - and _"},
		})
		return
	}
	html, err := s.md.HTML(req.Markdown)
	if errors.Is(err, markdown.ErrTooLarge) {
		err = &httpError{
			Status: http.StatusRequestEntityTooLarge, Code: "markdown_too_large",
			Message: "markdown is larger than " + strconv.Itoa(markdown.MaxSource) + " bytes",
			Fields:  map[string]string{"markdown": "must be at most " + strconv.Itoa(markdown.MaxSource) + " bytes"},
		}
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	html = linkExternalImages(html)
	if req.IDPrefix != "" {
		html = markdown.PrefixIDs(html, req.IDPrefix)
	}
	c.JSON(http.StatusOK, renderJSON{HTML: html, Text: s.md.PlainText(req.Markdown)})
}

var (
	// externalImg is an image of another site as the pipeline writes it
	// (src first, double-quoted, escaped values).
	externalImg = regexp.MustCompile(`<img src="((?i:https?)://[^"]*)"([^>]*)>`)
	imgAlt      = regexp.MustCompile(`\salt="([^"]*)"`)
)

// linkExternalImages turns images of other sites into links to them: the
// app's Content-Security-Policy (img-src 'self' data:) would block them in
// a preview, showing a broken image and logging a violation. Exports keep
// the images. html must come from the pipeline: its attribute values are
// escaped, so they stay escaped as link text.
func linkExternalImages(html string) string {
	return externalImg.ReplaceAllStringFunc(html, func(tag string) string {
		m := externalImg.FindStringSubmatch(tag)
		alt := ""
		if a := imgAlt.FindStringSubmatch(m[2]); a != nil {
			alt = strings.TrimSpace(a[1])
		}
		if alt == "" {
			alt = "image"
		}
		return `<a href="` + m[1] + `" rel="nofollow noopener" target="_blank">Image: ` + alt + `</a>`
	})
}
