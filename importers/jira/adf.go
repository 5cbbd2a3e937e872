package jira

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// ADFToMarkdown turns an Atlassian Document Format document (the bodies of
// Jira Cloud's REST API v3) into markdown: paragraphs, headings, text
// with strong/em/strike/code/link marks, bullet and ordered lists, code
// blocks, quotes, mentions, hard breaks, rules and tables; nodes it does
// not know give their text. Data that is not ADF JSON gives "".
func ADFToMarkdown(doc []byte) string {
	v, err := alertjson.Value(bytes.TrimSpace(doc))
	if err != nil {
		return ""
	}
	return adfMarkdown(v)
}

// adfMarkdown converts a decoded ADF node.
func adfMarkdown(v any) string {
	var r adfRenderer
	return strings.TrimSpace(collapseBlank(r.block(v, 0)))
}

// maxDepth bounds the nesting followed; deeper nodes give their text.
const maxDepth = 64

type adfRenderer struct{}

func node(v any) (alertjson.Object, string) {
	o, ok := alertjson.AsObject(v)
	if !ok {
		return nil, ""
	}
	t, _ := o["type"].(string)
	return o, t
}

func attrs(o alertjson.Object) alertjson.Object {
	a, _ := alertjson.AsObject(o["attrs"])
	return a
}

// blocks renders the content of o as blocks separated by blank lines.
func (r adfRenderer) blocks(o alertjson.Object, depth int) string {
	var parts []string
	for _, c := range o.List("content") {
		if s := strings.TrimRight(r.block(c, depth+1), "\n "); strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

// block renders one block node.
func (r adfRenderer) block(v any, depth int) string {
	o, typ := node(v)
	if o == nil {
		if s, ok := v.(string); ok {
			return chatmarkup.Escape(s)
		}
		return ""
	}
	if depth > maxDepth {
		return chatmarkup.Escape(plainText(o, 0))
	}
	switch typ {
	case "doc", "panel", "expand", "nestedExpand", "layoutSection", "layoutColumn", "bodiedExtension", "decisionList", "taskList":
		return r.blocks(o, depth)
	case "paragraph":
		return r.inlines(o, depth)
	case "heading":
		n := 1
		if l, err := strconv.Atoi(alertjson.ValueText(attrs(o)["level"])); err == nil && l >= 1 && l <= 6 {
			n = l
		}
		return strings.Repeat("#", n) + " " + strings.ReplaceAll(r.inlines(o, depth), "\n", " ")
	case "bulletList", "orderedList":
		return r.list(o, typ == "orderedList", depth)
	case "codeBlock":
		lang := alertjson.ValueText(attrs(o)["language"])
		if !isWord(lang) {
			lang = ""
		}
		return fence(plainText(o, 0), lang)
	case "blockquote":
		var q []string
		for _, l := range strings.Split(r.blocks(o, depth), "\n") {
			q = append(q, strings.TrimRight("> "+l, " "))
		}
		return strings.Join(q, "\n")
	case "rule":
		return "---"
	case "table":
		return r.table(o, depth)
	case "mediaSingle", "mediaGroup", "media":
		return r.media(o)
	case "text", "mention", "emoji", "hardBreak", "inlineCard", "status", "date":
		return r.inline(v, depth)
	case "blockCard", "embedCard":
		return alertjson.Link(alertjson.ValueText(attrs(o)["url"]))
	case "taskItem", "decisionItem":
		return "- " + r.inlines(o, depth)
	}
	if len(o.List("content")) > 0 {
		return r.blocks(o, depth)
	}
	return chatmarkup.Escape(alertjson.ValueText(o["text"]))
}

// inlines renders the inline content of o.
func (r adfRenderer) inlines(o alertjson.Object, depth int) string {
	var b strings.Builder
	for _, c := range o.List("content") {
		b.WriteString(r.inline(c, depth+1))
	}
	return b.String()
}

// inline renders one inline node.
func (r adfRenderer) inline(v any, depth int) string {
	o, typ := node(v)
	if o == nil || depth > maxDepth {
		return ""
	}
	a := attrs(o)
	switch typ {
	case "text":
		text, ok := o["text"].(string)
		if !ok {
			text = alertjson.ValueText(o["text"])
		}
		return marked(text, o.List("marks"))
	case "hardBreak":
		return "\n"
	case "mention":
		name := strings.TrimPrefix(alertjson.ValueText(a["text"]), "@")
		if name == "" {
			name = alertjson.ValueText(a["id"])
		}
		return "@" + chatmarkup.Escape(name)
	case "emoji":
		return chatmarkup.Escape(alertjson.FirstOf(alertjson.ValueText(a["text"]), alertjson.ValueText(a["shortName"])))
	case "inlineCard":
		return alertjson.Link(alertjson.ValueText(a["url"]))
	case "status":
		return "[" + chatmarkup.Escape(alertjson.ValueText(a["text"])) + "]"
	case "date":
		ts := alertjson.ValueText(a["timestamp"])
		if ms, err := strconv.ParseInt(ts, 10, 64); err == nil {
			return dateOf(ms)
		}
		return chatmarkup.Escape(ts)
	}
	if len(o.List("content")) > 0 {
		return r.inlines(o, depth)
	}
	return chatmarkup.Escape(alertjson.ValueText(o["text"]))
}

// marked applies the marks of a text node.
func marked(text string, marks []any) string {
	if text == "" {
		return ""
	}
	s := chatmarkup.Escape(text)
	href := ""
	for _, m := range marks {
		mo, typ := node(m)
		switch typ {
		case "code":
			return codeSpan(text)
		case "strong":
			s = wrapMark("**", s)
		case "em":
			s = wrapMark("_", s)
		case "strike":
			s = wrapMark("~~", s)
		case "link":
			href = safeURL(alertjson.ValueText(attrs(mo)["href"]))
		}
	}
	if href != "" {
		return "[" + strings.NewReplacer("[", "\\[", "]", "\\]").Replace(s) + "](" + href + ")"
	}
	return s
}

// wrapMark puts mark around the text, outside its leading and trailing
// spaces (markdown ignores "** bold**").
func wrapMark(mark, s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return s
	}
	lead := s[:strings.Index(s, t)]
	trail := s[len(lead)+len(t):]
	return lead + mark + t + mark + trail
}

// list renders a bullet or ordered list, nested lists indented.
func (r adfRenderer) list(o alertjson.Object, ordered bool, depth int) string {
	var lines []string
	n := 0
	for _, item := range o.List("content") {
		io, _ := node(item)
		if io == nil {
			continue
		}
		n++
		mark := "- "
		if ordered {
			mark = strconv.Itoa(n) + ". "
		}
		pad := strings.Repeat(" ", len(mark))
		body := r.blocks(io, depth+1)
		if body == "" {
			body = strings.TrimSpace(chatmarkup.Escape(plainText(io, 0)))
		}
		for i, l := range strings.Split(body, "\n") {
			switch {
			case i == 0:
				lines = append(lines, mark+l)
			case strings.TrimSpace(l) == "":
				// a blank line between an item's paragraphs would end the list
			default:
				lines = append(lines, pad+l)
			}
		}
	}
	return strings.Join(lines, "\n")
}

// table renders a table; the first row is the header.
func (r adfRenderer) table(o alertjson.Object, depth int) string {
	var rows []string
	cols := 0
	for _, row := range o.List("content") {
		ro, _ := node(row)
		if ro == nil {
			continue
		}
		var cells []string
		for _, cell := range ro.List("content") {
			co, _ := node(cell)
			if co == nil {
				continue
			}
			text := strings.Join(strings.Fields(strings.ReplaceAll(r.blocks(co, depth+1), "\n", " ")), " ")
			cells = append(cells, strings.ReplaceAll(text, "|", "\\|"))
		}
		if len(cells) == 0 {
			continue
		}
		rows = append(rows, "| "+strings.Join(cells, " | ")+" |")
		if len(rows) == 1 {
			cols = len(cells)
			rows = append(rows, "|"+strings.Repeat(" --- |", cols))
		}
	}
	return strings.Join(rows, "\n")
}

// media renders attachments as their name.
func (r adfRenderer) media(o alertjson.Object) string {
	a := attrs(o)
	if name := alertjson.FirstOf(alertjson.ValueText(a["alt"]), alertjson.ValueText(a["__fileName"])); name != "" {
		return "(attachment: " + chatmarkup.Escape(name) + ")"
	}
	var parts []string
	for _, c := range o.List("content") {
		if co, _ := node(c); co != nil {
			if s := (adfRenderer{}).media(co); s != "" {
				parts = append(parts, s)
			}
		}
	}
	if len(parts) == 0 {
		return "(attachment)"
	}
	return strings.Join(parts, " ")
}

// plainText is the text of a node and its children, unformatted.
func plainText(o alertjson.Object, depth int) string {
	if depth > maxDepth {
		return ""
	}
	var b strings.Builder
	text, _ := o["text"].(string)
	b.WriteString(text)
	if typ, _ := o["type"].(string); typ == "hardBreak" {
		b.WriteString("\n")
	}
	for _, c := range o.List("content") {
		if co, _ := node(c); co != nil {
			b.WriteString(plainText(co, depth+1))
		}
	}
	return b.String()
}

// isADF reports whether raw JSON is an ADF document rather than a string.
func isADF(v any) bool {
	_, typ := node(v)
	return typ != ""
}

// dateOf writes an ADF date (Unix milliseconds) as a day.
func dateOf(ms int64) string {
	t := time.UnixMilli(ms).UTC()
	if !incident.TimeInRange(t) {
		return strconv.FormatInt(ms, 10)
	}
	return t.Format("2006-01-02")
}
