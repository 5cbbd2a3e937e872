package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// HookAuthError refuses a delivery that carries no valid token or
// signature (401). Nothing of the delivery was stored.
type HookAuthError struct{ Reason string }

// Error implements error.
func (e *HookAuthError) Error() string { return "webhook refused: " + e.Reason }

// DeliveryError says a delivery's payload could not be read (400); it names
// the field. Nothing of the delivery was stored.
type DeliveryError struct{ Err error }

// Error implements error.
func (e *DeliveryError) Error() string { return e.Err.Error() }

// Unwrap exposes the parser's error.
func (e *DeliveryError) Unwrap() error { return e.Err }

// HookWithToken is a hook together with its URL token, which is shown
// this once (at creation or rotation) and never stored.
type HookWithToken struct {
	Hook  incident.Hook
	Token string
}

// HookSources lists the sources that have a webhook receiver.
func (a *App) HookSources() []string { return a.hooks.Sources() }

// CreateHook adds a webhook integration and returns it with its token. The
// source must have a receiver; a signing secret is only accepted for
// vendors that sign their deliveries.
func (a *App) CreateHook(ctx context.Context, h incident.Hook) (HookWithToken, error) {
	h = incident.Hook{Source: h.Source, Name: h.Name, SigningSecret: h.SigningSecret, Mapping: h.Mapping}
	h.Normalize()
	if err := h.Validate(); err != nil {
		return HookWithToken{}, err
	}
	parser, ok := a.hooks.Get(h.Source)
	if !ok {
		return HookWithToken{}, incident.Invalid("source", "has no webhook receiver: want one of "+strings.Join(a.hooks.Sources(), ", "))
	}
	if len(h.Mapping) > 0 {
		m, ok := parser.(importers.Mapper)
		if !ok {
			return HookWithToken{}, incident.Invalid("mapping", h.Source+" payloads have a fixed shape; only zabbix and generic hooks take a mapping")
		}
		for k := range h.Mapping {
			if !slices.Contains(m.MappingFields(), k) {
				return HookWithToken{}, incident.Invalid("mapping", "field "+strconv.Quote(k)+": want one of "+strings.Join(m.MappingFields(), ", "))
			}
		}
	}
	if _, signs := parser.(importers.SignatureVerifier); h.SigningSecret != "" && !signs {
		return HookWithToken{}, incident.Invalid("signing_secret", h.Source+" does not sign its deliveries; the hook's token authenticates it")
	}
	token, hash := newHookToken()
	h.TokenHash, h.CreatedBy, h.CreatedAt = hash, incident.ActorFrom(ctx).Name, a.Now()
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateHook(ctx, &h); err != nil {
			return err
		}
		return a.record(ctx, tx, "hook.create", incident.ObjectHook, h.ID, 0, incident.OpUpsert, h.Source+" "+h.Name)
	})
	if err != nil {
		return HookWithToken{}, err
	}
	a.hookCache.clear()
	return HookWithToken{Hook: h, Token: token}, nil
}

// Hooks lists the webhook integrations, by name.
func (a *App) Hooks(ctx context.Context) ([]incident.Hook, error) { return a.store.Hooks(ctx) }

// hookByRef finds a hook by numeric id or name.
func hookByRef(ctx context.Context, s *store.Store, ref string) (incident.Hook, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.Hook(ctx, id)
	}
	return s.HookByName(ctx, strings.TrimSpace(ref))
}

// RotateHookToken gives a hook a new token; the old one stops working at
// once on this replica and within hookCacheTTL on the others.
func (a *App) RotateHookToken(ctx context.Context, ref string) (HookWithToken, error) {
	token, hash := newHookToken()
	var h incident.Hook
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if h, err = hookByRef(ctx, tx, ref); err != nil {
			return err
		}
		if err := tx.SetHookToken(ctx, h.ID, hash); err != nil {
			return err
		}
		h.TokenHash = hash
		return a.record(ctx, tx, "hook.rotate", incident.ObjectHook, h.ID, 0, incident.OpUpsert, h.Source+" "+h.Name)
	})
	if err != nil {
		return HookWithToken{}, err
	}
	a.hookCache.clear()
	return HookWithToken{Hook: h, Token: token}, nil
}

// DeleteHook removes a webhook integration; the alerts it delivered stay.
func (a *App) DeleteHook(ctx context.Context, ref string) error {
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		h, err := hookByRef(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := tx.DeleteHook(ctx, h.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, "hook.delete", incident.ObjectHook, h.ID, 0, incident.OpDelete, h.Source+" "+h.Name)
	})
	a.hookCache.clear()
	return err
}

// newHookToken returns a random URL token and its stored hash.
func newHookToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	token = "hsk_" + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// hookCacheTTL bounds how long a replica trusts a hook it read: a hook
// deleted or rotated elsewhere stops working within it.
const hookCacheTTL = 5 * time.Second

// hookCache keeps recently used hooks so a busy sender does not cost a
// query per delivery.
type hookCache struct {
	mu       sync.Mutex
	byHash   map[string]cachedHook
	bySource map[string]cachedHooks
}

type cachedHook struct {
	hook  incident.Hook
	found bool
	at    time.Time
}

type cachedHooks struct {
	hooks []incident.Hook
	at    time.Time
}

func newHookCache() *hookCache {
	return &hookCache{byHash: map[string]cachedHook{}, bySource: map[string]cachedHooks{}}
}

func (c *hookCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byHash, c.bySource = map[string]cachedHook{}, map[string]cachedHooks{}
}

// byToken returns the hook of hash, reading the store when the cache has
// no fresh answer.
func (a *App) hookByToken(ctx context.Context, hash string) (incident.Hook, bool, error) {
	c := a.hookCache
	c.mu.Lock()
	e, ok := c.byHash[hash]
	c.mu.Unlock()
	if ok && time.Since(e.at) < hookCacheTTL {
		return e.hook, e.found, nil
	}
	h, err := a.store.HookByTokenHash(ctx, hash)
	found := err == nil
	if err != nil && !errors.Is(err, incident.ErrNotFound) {
		return incident.Hook{}, false, err
	}
	c.mu.Lock()
	if len(c.byHash) > 10000 { // a flood of wrong tokens must not grow it without end
		c.byHash = map[string]cachedHook{}
	}
	c.byHash[hash] = cachedHook{hook: h, found: found, at: time.Now()}
	c.mu.Unlock()
	return h, found, nil
}

// signedHooks returns the enabled hooks of source that have a signing secret.
func (a *App) signedHooks(ctx context.Context, source string) ([]incident.Hook, error) {
	c := a.hookCache
	c.mu.Lock()
	e, ok := c.bySource[source]
	c.mu.Unlock()
	if ok && time.Since(e.at) < hookCacheTTL {
		return e.hooks, nil
	}
	all, err := a.store.Hooks(ctx)
	if err != nil {
		return nil, err
	}
	var out []incident.Hook
	for _, h := range all {
		if h.Source == source && h.SigningSecret != "" && h.DisabledAt == nil {
			out = append(out, h)
		}
	}
	c.mu.Lock()
	c.bySource[source] = cachedHooks{hooks: out, at: time.Now()}
	c.mu.Unlock()
	return out, nil
}

// authenticate finds the hook a delivery belongs to: by its token, then
// (for vendors that sign) by its signature. A hook with a signing secret
// needs a valid signature even when the token is right.
func (a *App) authenticate(ctx context.Context, parser importers.HookParser, token string, d importers.Delivery) (incident.Hook, error) {
	verifier, signs := parser.(importers.SignatureVerifier)
	if token == "" {
		if !signs {
			return incident.Hook{}, &HookAuthError{Reason: "no token: pass the hook's token as ?token=, X-Hindsight-Token or Authorization: Bearer"}
		}
		hooks, err := a.signedHooks(ctx, parser.Source())
		if err != nil {
			return incident.Hook{}, err
		}
		for _, h := range hooks {
			if verifier.VerifySignature(d, h.SigningSecret) == nil {
				return h, nil
			}
		}
		return incident.Hook{}, &HookAuthError{Reason: "no token, and the signature matches no " + parser.Source() + " hook"}
	}
	h, found, err := a.hookByToken(ctx, hashToken(token))
	if err != nil {
		return incident.Hook{}, err
	}
	// The hash lookup compares digests, not the secret itself, so its
	// timing says nothing about the token.
	if !found || h.Source != parser.Source() || h.DisabledAt != nil {
		return incident.Hook{}, &HookAuthError{Reason: "the token belongs to no " + parser.Source() + " hook"}
	}
	if signs && h.SigningSecret != "" {
		if err := verifier.VerifySignature(d, h.SigningSecret); err != nil {
			return incident.Hook{}, &HookAuthError{Reason: err.Error()}
		}
	}
	return h, nil
}

// HookResult tells a sender what its delivery did.
type HookResult struct {
	Hook     string
	Received int
	// Ignored counts ticket events of tickets no incident is linked to.
	Ignored    int
	Stored     int
	Duplicates int
	Alerts     []incident.Alert
}

// collector gathers a delivery's events; any unreadable record refuses
// the whole delivery.
type collector struct {
	events []incident.TimelineEvent
	reject *importers.Rejection
}

func (c *collector) Event(e incident.TimelineEvent) error {
	if len(c.events) >= maxDeliveryEvents {
		return errors.New("the delivery carries more than " + strconv.Itoa(maxDeliveryEvents) + " events")
	}
	c.events = append(c.events, e)
	return nil
}

func (c *collector) Reject(r importers.Rejection) {
	if c.reject == nil {
		c.reject = &r
	}
}

// maxDeliveryEvents bounds the events one delivery may carry.
const maxDeliveryEvents = 5000

// DeliverHook authenticates one webhook delivery to source, parses it and
// stores its alerts, routed to incidents or into the inbox, before it
// returns (so a 2xx means stored). The same alert delivered again is
// counted as a duplicate and stored once.
func (a *App) DeliverHook(ctx context.Context, source, token string, d importers.Delivery) (HookResult, error) {
	parser, ok := a.hooks.Get(source)
	if !ok {
		return HookResult{}, incident.NotFound("hook_source", source)
	}
	if d.ReceivedAt.IsZero() {
		d.ReceivedAt = a.Now()
	}
	h, err := a.authenticate(ctx, parser, token, d)
	if err != nil {
		return HookResult{}, err
	}
	d.Mapping = h.Mapping
	var c collector
	if err := parser.ParseDelivery(ctx, d, &c); err != nil {
		return HookResult{}, &DeliveryError{Err: err}
	}
	if c.reject != nil {
		return HookResult{}, &DeliveryError{Err: errors.New(rejectionText(*c.reject))}
	}
	_, scoped := parser.(importers.SenderScoped)
	ignored := 0
	scope := "hook" + strconv.FormatInt(h.ID, 10) + ":"
	alerts := make([]incident.Alert, 0, len(c.events))
	for i, e := range c.events {
		if e.Source == "" {
			e.Source = parser.Source()
		}
		if scoped {
			if _, builtin := a.hooks.Get(strings.ToLower(strings.TrimSpace(e.Source))); builtin {
				return HookResult{}, &DeliveryError{Err: errors.New("event " + strconv.Itoa(i+1) + ": source: " + strconv.Quote(e.Source) +
					" has its own receiver: post its payloads to /api/v1/hooks/" + e.Source)}
			}
			if e.ExternalID != "" {
				e.ExternalID = scope + e.ExternalID
			}
			if e.ThreadID != "" {
				e.ThreadID = scope + e.ThreadID
			}
		}
		if e.Kind == "" {
			e.Kind = incident.KindAlert
		}
		e.Normalize()
		if err := e.Validate(); err != nil {
			return HookResult{}, &DeliveryError{Err: errors.New("event " + strconv.Itoa(i+1) + ": " + err.Error())}
		}
		if e.Kind == incident.KindTicket || e.Kind == incident.KindStatus {
			// Trackers send every ticket's changes; only those of tickets an
			// incident was built from belong here, and go to that incident.
			ref, err := a.linkedIncidentRef(ctx, e)
			if err != nil {
				return HookResult{}, err
			}
			if ref == "" {
				// A ticket not linked yet may name its incident itself (a
				// hindsight:INC-7 label); linking follows from storing it.
				ref, _ = e.Metadata[importers.MetaIncident].(string)
			}
			if ref == "" {
				ignored++
				continue
			}
			e.Metadata[importers.MetaIncident] = ref
		}
		if e.ExternalID == "" {
			// Without an id of its own the event's content is its identity,
			// so a repeated delivery is still recognised.
			e.ExternalID = importers.StableID(e.OccurredAt.Format(time.RFC3339Nano), e.Actor, e.Body, e.ThreadID)
		}
		hookID := h.ID
		al := incident.Alert{HookID: &hookID, Event: e, ReceivedAt: d.ReceivedAt}
		al.Service, _ = e.Metadata[importers.MetaService].(string)
		al.Severity, _ = e.Metadata[importers.MetaSeverity].(string)
		al.Subtype, _ = e.Metadata[importers.MetaSubtype].(string)
		alerts = append(alerts, al)
	}
	res := HookResult{Hook: h.Name, Received: len(alerts) + ignored, Ignored: ignored, Alerts: []incident.Alert{}}
	if len(alerts) == 0 {
		return res, nil
	}
	out, err := a.ingest.submit(ctx, h, alerts)
	if err != nil {
		return HookResult{}, err
	}
	res.Stored, res.Duplicates, res.Alerts = len(out.stored), out.duplicates, out.stored
	return res, nil
}

// rejectionText renders a parser's rejection of a delivery record.
func rejectionText(r importers.Rejection) string {
	s := ""
	if r.Line > 0 {
		s = "record " + strconv.Itoa(r.Line) + ": "
	}
	if r.Field != "" {
		s += r.Field + ": "
	}
	return s + r.Reason
}

// linkedIncidentRef is the key of the incident a ticket event's ticket is
// linked to (imported or pulled into it before), or "".
func (a *App) linkedIncidentRef(ctx context.Context, e incident.TimelineEvent) (string, error) {
	system, _ := e.Metadata[importers.MetaTicketSystem].(string)
	key, _ := e.Metadata[importers.MetaTicketKey].(string)
	if strings.TrimSpace(system) == "" || strings.TrimSpace(key) == "" {
		return "", nil
	}
	id, ok, err := a.store.LinkedIncident(ctx, strings.ToLower(strings.TrimSpace(system)), strings.TrimSpace(key))
	if err != nil || !ok {
		return "", err
	}
	inc, err := a.store.Incident(ctx, id)
	if err != nil {
		if errors.Is(err, incident.ErrNotFound) {
			return "", nil
		}
		return "", err
	}
	return inc.Key, nil
}
