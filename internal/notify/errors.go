package notify

import (
	"errors"
	"net/url"
)

// unwrapURLError drops the *url.Error wrapper (which names the URL, a
// secret for webhooks) and keeps the cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
