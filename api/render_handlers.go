package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/markdown"
)

// renderRequest is the body of POST /render.
type renderRequest struct {
	Markdown string `json:"markdown"`
}

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
	c.JSON(http.StatusOK, renderJSON{HTML: html, Text: s.md.PlainText(req.Markdown)})
}
