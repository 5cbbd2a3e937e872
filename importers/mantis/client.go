package mantis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// Client pulls issues through MantisBT's REST API with an API token.
type Client struct {
	// BaseURL is the Mantis root (https://bugs.example.com); the API is
	// under /api/rest.
	BaseURL string
	// Token is the user's API token, sent as the Authorization header; it
	// is never put in errors.
	Token string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// MaxRetries is how often one request is retried after a 429 (default 5).
	MaxRetries int
	// MaxWait caps one rate-limit wait (default 1 minute).
	MaxWait time.Duration

	wait func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for the Mantis at baseURL.
func NewClient(baseURL, token string) *Client {
	return &Client{BaseURL: baseURL, Token: token}
}

// Pull reads each issue in ids (42, #42 or "Mantis 42") with its notes and
// history and hands them to sink as ticket events.
func (c *Client) Pull(ctx context.Context, ids []string, _, _ *time.Time, sink importers.Sink) error {
	base := strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	if base == "" {
		return errors.New("mantis: the Mantis URL is required")
	}
	if len(ids) == 0 {
		return errors.New("mantis: give the issues to pull with --id 42")
	}
	im := Importer{BaseURL: base}
	for _, raw := range ids {
		id, err := ParseID(raw)
		if err != nil {
			return err
		}
		what := "issue " + id
		var v any
		if err := c.get(ctx, base+"/api/rest/issues/"+id, "/api/rest/issues/"+id, what, &v); err != nil {
			return err
		}
		o, ok := alertjson.AsObject(v)
		if !ok {
			return fmt.Errorf("mantis: GET /api/rest/issues/%s: the answer is not a JSON object", id)
		}
		if err := im.record(o, what, 1, sink); err != nil {
			return err
		}
	}
	return nil
}

// ParseID reads an issue id: 42, #42, 0000042 or "Mantis 42".
func ParseID(s string) (string, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "Mantis "), "#")
	n, err := strconv.ParseUint(strings.TrimSpace(t), 10, 64)
	if err != nil || n == 0 {
		return "", fmt.Errorf("mantis: %q is not an issue id: want a number such as 42", s)
	}
	return strconv.FormatUint(n, 10), nil
}

// get sends one GET and decodes a 2xx answer into out.
func (c *Client) get(ctx context.Context, endpoint, path, what string, out any) error {
	g := apiclient.Getter{
		Vendor:    "mantis",
		NotFound:  importers.ErrRemoteNotFound,
		Retrier:   apiclient.Retrier{HTTP: c.HTTP, MaxRetries: c.MaxRetries, MaxWait: c.MaxWait, CapWait: true, Sleep: c.wait},
		Auth:      func(req *http.Request) { req.Header.Set("Authorization", c.Token) },
		Secret:    c.Token,
		KeyHint:   "give an API token (My Account → API Tokens) as HINDSIGHT_MANTIS_TOKEN",
		Message:   message,
		UseNumber: true,
	}
	return g.Get(ctx, endpoint, path, what, out)
}

// message reads Mantis's error answer, {"message", "localized"}, else
// the status line, where Mantis also says why ("404 Issue #42 not found").
func message(resp *http.Response, body []byte) string {
	var e struct {
		Message   string `json:"message"`
		Localized string `json:"localized"`
	}
	_ = json.Unmarshal(body, &e)
	if msg := alertjson.FirstOf(e.Message, e.Localized); msg != "" {
		return msg
	}
	return strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
}
