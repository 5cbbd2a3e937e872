package config

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// StatusPageOn reports whether the public status page (/status) is served
// (HINDSIGHT_STATUS_PAGE=on, the default).
func (c Config) StatusPageOn() bool {
	return !strings.EqualFold(strings.TrimSpace(c.StatusPage), "off")
}

// validateStatus checks the status page settings.
func (c Config) validateStatus() []error {
	var errs []error
	switch strings.ToLower(strings.TrimSpace(c.StatusPage)) {
	case "on", "off":
	default:
		errs = append(errs, fmt.Errorf("HINDSIGHT_STATUS_PAGE %q: want on or off", c.StatusPage))
	}
	if t := strings.TrimSpace(c.StatusTitle); t == "" || utf8.RuneCountInString(t) > 100 {
		errs = append(errs, fmt.Errorf("HINDSIGHT_STATUS_TITLE must be 1 to 100 characters"))
	}
	return errs
}
