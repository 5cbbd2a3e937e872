package notify

import "testing"

func TestIsLocal(t *testing.T) {
	for _, tc := range []struct {
		name, host string
		want       bool
	}{
		{name: "localhost", host: "localhost", want: true},
		{name: "IPv4 loopback", host: "127.0.0.1", want: true},
		{name: "IPv6 loopback", host: "::1", want: true},
		{name: "a relay", host: "smtp.example.com"},
		{name: "a LAN address", host: "10.0.0.5"},
	} {
		if got := isLocal(tc.host); got != tc.want {
			t.Errorf("%s: isLocal(%q) = %v", tc.name, tc.host, got)
		}
	}
}
