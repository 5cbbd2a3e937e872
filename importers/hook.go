package importers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Delivery is one webhook request as the server received it.
type Delivery struct {
	// Header holds the request headers (canonical keys).
	Header http.Header
	// Query holds the URL's query parameters (the token is removed).
	Query url.Values
	// ContentType is the media type of Body without parameters
	// ("application/json", "application/x-www-form-urlencoded").
	ContentType string
	// Body is the raw request body, within the hook's size limit.
	Body []byte
	// ReceivedAt is when the server got it (UTC); parsers use it as the
	// event time only when the payload carries none, and then say so with
	// AtText "received <RFC 3339>".
	ReceivedAt time.Time
	// Mapping is the integration's field mapping, for sources whose
	// payload the user templates (Zabbix media, generic JSON); nil
	// otherwise.
	Mapping map[string]string
}

// HookParser reads the live deliveries of one source.
type HookParser interface {
	// Source names the source, as in /api/v1/hooks/{source}.
	Source() string
	// ParseDelivery hands the delivery's events to sink (one payload can
	// carry several: Alertmanager groups, OpsGenie has one). A body that
	// cannot be read is an error; the API answers 400 with its text, so it
	// names the field ("alerts[2].startsAt: …"). Events of types the parser
	// does not know are kept with subtype "other".
	ParseDelivery(ctx context.Context, d Delivery, sink Sink) error
}

// SignatureVerifier is implemented by hook parsers of vendors that sign
// their deliveries (PagerDuty's X-PagerDuty-Signature HMAC, …).
type SignatureVerifier interface {
	// VerifySignature reports whether d is signed with secret; the error
	// says why not (missing header, wrong signature). It must compare in
	// constant time.
	VerifySignature(d Delivery, secret string) error
}

// SenderScoped is implemented by hook parsers whose senders choose their
// own event ids and source names (the generic JSON hook). The receiver
// keeps each hook's events apart, so two tools numbering their alerts 1,
// 2, 3 do not collide, and refuses a sender naming a built-in source.
type SenderScoped interface {
	SenderScoped()
}

// ErrRemoteNotFound is matched (errors.Is) by a pull client's error for a
// record the tool no longer has or no longer shows (404, 410, 403): a
// ticket deleted or made private since it was linked.
var ErrRemoteNotFound = errors.New("not found at the source")

// ErrBadSignature is wrapped by signature verification failures.
var ErrBadSignature = errors.New("webhook signature does not match")

// HookRegistry lists the hook parsers a binary offers, by source.
type HookRegistry struct {
	bySource map[string]HookParser
}

// NewHookRegistry lists hps by their Source; two parsers of one source
// panic (a wiring mistake any test finds).
func NewHookRegistry(hps ...HookParser) *HookRegistry {
	r := &HookRegistry{bySource: make(map[string]HookParser, len(hps))}
	for _, h := range hps {
		if _, dup := r.bySource[h.Source()]; dup {
			panic(fmt.Sprintf("importers: two hook parsers for source %q", h.Source()))
		}
		r.bySource[h.Source()] = h
	}
	return r
}

// Get returns the hook parser of source.
func (r *HookRegistry) Get(source string) (HookParser, bool) {
	if r == nil {
		return nil, false
	}
	h, ok := r.bySource[source]
	return h, ok
}

// Sources lists the sources with a hook, sorted.
func (r *HookRegistry) Sources() []string {
	if r == nil {
		return []string{}
	}
	out := make([]string, 0, len(r.bySource))
	for s := range r.bySource {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// IDTime is the part of an event's time that may go into its dedupe key:
// the time as the source wrote it, or "" when it is only DeliveryTime's
// (a retried delivery is received later but is the same event).
func IDTime(atText string) string {
	if strings.HasPrefix(atText, receivedPrefix) {
		return ""
	}
	return atText
}

const receivedPrefix = "received "

// DeliveryTime is the time of an event whose payload carries none: when
// the delivery was received, with the text saying so.
func DeliveryTime(d Delivery) (time.Time, string) {
	t := d.ReceivedAt
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC()
	return t, receivedPrefix + t.Format(time.RFC3339Nano)
}
