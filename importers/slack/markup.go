package slack

import (
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// entities are the only three HTML entities Slack escapes in message text.
var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

func decodeEntities(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return entities.Replace(s)
}

// markup turns Slack's message markup into readable markdown: <@U123> →
// @Display Name, <#C123|name> → #name, <url|text> → [text](url), <url> →
// url, <!here> → @here, and &amp; &lt; &gt; back into & < >. Slack's own
// *bold* and _italic_ are left as they are.
func (c *converter) markup(s string) (string, error) {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			break
		}
		b.WriteString(decodeEntities(s[:open]))
		out, err := c.tag(s[open+1 : open+end])
		if err != nil {
			return "", err
		}
		b.WriteString(out)
		s = s[open+end+1:]
	}
	b.WriteString(decodeEntities(s))
	return importers.NormalizeText(b.String()), nil
}

// tag renders the inside of one <…> markup.
func (c *converter) tag(t string) (string, error) {
	target, label, hasLabel := strings.Cut(t, "|")
	label = decodeEntities(label)
	switch {
	case strings.HasPrefix(target, "@"):
		id := target[1:]
		name, err := c.user(id)
		if err != nil {
			return "", err
		}
		if hasLabel && label != "" && strings.HasPrefix(name, "unknown user") {
			name = strings.TrimPrefix(label, "@")
		}
		return "@" + name, nil
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + label, nil
		}
		id := target[1:]
		if n := c.channel(id); n != "" {
			return "#" + n, nil
		}
		return "#" + id, nil
	case strings.HasPrefix(target, "!"):
		if hasLabel && label != "" {
			// <!subteam^S1|@oncall>, <!date^1392734382^{date}|Feb 18th>
			return label, nil
		}
		word, _, _ := strings.Cut(target[1:], "^")
		return "@" + word, nil
	}
	url := decodeEntities(target)
	if !hasLabel || label == "" || label == url {
		return url, nil
	}
	return mdLink(label, url), nil
}

// mdLink writes a markdown link whose text and target cannot break out of
// the link syntax.
func mdLink(text, url string) string {
	return "[" + linkText.Replace(text) + "](" + linkURL.Replace(url) + ")"
}

// Escapes of mdLink, built once: a Replacer is costly to build.
var (
	linkText = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`)
	linkURL  = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E")
)
