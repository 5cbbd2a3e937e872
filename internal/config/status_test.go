package config

import (
	"strings"
	"testing"
)

func TestConfig_StatusPage(t *testing.T) {
	cases := []struct {
		name    string
		environ []string
		on      bool
		title   string
		wantErr string
	}{
		{name: "default on", on: true, title: "Service status"},
		{name: "off", environ: []string{"HINDSIGHT_STATUS_PAGE=off"}, on: false, title: "Service status"},
		{name: "OFF in capitals", environ: []string{"HINDSIGHT_STATUS_PAGE=OFF"}, on: false, title: "Service status"},
		{name: "title", environ: []string{"HINDSIGHT_STATUS_TITLE=Acme status"}, on: true, title: "Acme status"},
		{name: "bad switch", environ: []string{"HINDSIGHT_STATUS_PAGE=maybe"}, wantErr: "HINDSIGHT_STATUS_PAGE"},
		{name: "empty title", environ: []string{"HINDSIGHT_STATUS_TITLE= "}, wantErr: "HINDSIGHT_STATUS_TITLE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.environ)
			if err == nil {
				err = c.Validate()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.StatusPageOn() != tc.on || c.StatusTitle != tc.title {
				t.Errorf("on = %v, title = %q", c.StatusPageOn(), c.StatusTitle)
			}
		})
	}
}
