package app

import (
	"strconv"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// TestReminderDigest_Render: every form escapes what users typed, and a
// long digest is cut with a count instead of growing without bound.
func TestReminderDigest_Render(t *testing.T) {
	line := func(n int) ReminderLine {
		return ReminderLine{ActionID: int64(n), IncidentKey: "INC-1", IncidentTitle: "Checkout <script>", Title: "Fix & <b>" + strconv.Itoa(n) + "</b>",
			Priority: incident.PriorityHigh, Owner: "ana", Team: "<!channel>", DueDate: incident.Date{Year: 2026, Month: 11, Day: 1},
			DaysOverdue: 23, URL: "https://h.example/incidents/INC-1#action-1"}
	}
	d := ReminderDigest{Channel: incident.ReminderSlack, Recipient: "team <!channel>", Scope: incident.ReminderScopeTeam,
		Subject: "<!channel>", ListURL: "https://h.example/actions?team=%3C%21channel%3E"}
	for n := range 130 {
		d.Overdue = append(d.Overdue, line(n))
	}
	d.DueSoon = []ReminderLine{{ActionID: 999, IncidentKey: "INC-2", Title: "Later", Priority: incident.PriorityLow, DueDate: incident.Date{Year: 2026, Month: 11, Day: 28}, DaysLeft: 4}}

	cases := []struct {
		name        string
		out         string
		want, never []string
	}{
		{name: "text", out: d.Text(7),
			want:  []string{"Corrective actions of team <!channel>: 130 overdue, 1 due within 7 days", "- … and 30 more", "23 days overdue", "in 4 days"},
			never: []string{"Fix & <b>100</b>"}},
		{name: "html", out: mustHTML(t, d),
			want:  []string{"Fix &amp; &lt;b&gt;0&lt;/b&gt;", "Checkout &lt;script&gt;", "… and 30 more"},
			never: []string{"<script>", "<b>0</b>", "&lt;b&gt;100"}},
		{name: "slack", out: slackJSON(d),
			want:  []string{"&lt;!channel&gt;", "Fix &amp; &lt;b&gt;0&lt;/b&gt;", "… and 90 more"},
			never: []string{"<!channel>", "<b>"}},
	}
	for _, tc := range cases {
		for _, w := range tc.want {
			if !strings.Contains(tc.out, w) {
				t.Errorf("%s lacks %q", tc.name, w)
			}
		}
		for _, n := range tc.never {
			if strings.Contains(tc.out, n) {
				t.Errorf("%s contains %q", tc.name, n)
			}
		}
	}
	if got := d.MailSubject(7); got != "[Hindsight] Corrective actions of team <!channel>: 130 overdue, 1 due within 7 days" {
		t.Errorf("subject = %q", got)
	}
	if len(d.Slack(7).Blocks) > 50 {
		t.Errorf("%d Slack blocks, Slack takes 50", len(d.Slack(7).Blocks))
	}
}

func mustHTML(t *testing.T, d ReminderDigest) string {
	t.Helper()
	h, err := d.HTML(7)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// slackJSON joins every text of the Slack message.
func slackJSON(d ReminderDigest) string {
	m := d.Slack(7)
	var b strings.Builder
	b.WriteString(m.Text + "\n")
	for _, bl := range m.Blocks {
		if bl.Text != nil && bl.Type != "header" {
			b.WriteString(bl.Text.Text + "\n")
		}
		for _, e := range bl.Elements {
			b.WriteString(e.Text + "\n")
		}
	}
	return b.String()
}
