package teams

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// chatMessage is the part of Graph's chatMessage resource we read. Nullable
// strings are pointers because Graph sends null for absent values.
type chatMessage struct {
	ID                   string           `json:"id"`
	ReplyToID            *string          `json:"replyToId"`
	MessageType          string           `json:"messageType"`
	CreatedDateTime      *string          `json:"createdDateTime"`
	LastModifiedDateTime *string          `json:"lastModifiedDateTime"`
	LastEditedDateTime   *string          `json:"lastEditedDateTime"`
	DeletedDateTime      *string          `json:"deletedDateTime"`
	Subject              *string          `json:"subject"`
	Importance           string           `json:"importance"`
	WebURL               *string          `json:"webUrl"`
	ChatID               *string          `json:"chatId"`
	ChannelIdentity      *channelIdentity `json:"channelIdentity"`
	From                 *fromSet         `json:"from"`
	Body                 itemBody         `json:"body"`
	Attachments          []attachment     `json:"attachments"`
	Mentions             []mention        `json:"mentions"`
	EventDetail          json.RawMessage  `json:"eventDetail"`
	Replies              []chatMessage    `json:"replies"`
}

type channelIdentity struct {
	TeamID    string `json:"teamId"`
	ChannelID string `json:"channelId"`
}

// fromSet is Graph's chatMessageFromIdentitySet.
type fromSet struct {
	User        *identity `json:"user"`
	Application *identity `json:"application"`
	Device      *identity `json:"device"`
}

type identity struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

type itemBody struct {
	ContentType string `json:"contentType"`
	Content     string `json:"content"`
}

type attachment struct {
	ID          *string `json:"id"`
	ContentType *string `json:"contentType"`
	ContentURL  *string `json:"contentUrl"`
	Name        *string `json:"name"`
	// Content holds, for cards, the card as a JSON string.
	Content *string `json:"content"`
}

// mention is Graph's chatMessageMention; id matches <at id="…"> in the body.
type mention struct {
	ID          json.Number `json:"id"`
	MentionText string      `json:"mentionText"`
	Mentioned   *struct {
		User         *identity `json:"user"`
		Application  *identity `json:"application"`
		Conversation *identity `json:"conversation"`
		Tag          *identity `json:"tag"`
	} `json:"mentioned"`
}

// name is what "@…" shows for m, and key tells mentions of the same
// person apart (Teams splits "Megan Bowen" into two <at> tags).
func (m mention) name() (name, key string) {
	name = importers.NormalizeText(m.MentionText)
	if m.Mentioned == nil {
		return name, ""
	}
	for _, id := range []*identity{m.Mentioned.User, m.Mentioned.Application, m.Mentioned.Conversation, m.Mentioned.Tag} {
		if id == nil {
			continue
		}
		if n := importers.NormalizeText(id.DisplayName); n != "" {
			name = n
		}
		return name, id.ID
	}
	return name, ""
}

// eventDetail holds the fields of the eventMessageDetail subtypes we show.
type eventDetail struct {
	Type               string     `json:"@odata.type"`
	Initiator          *fromSet   `json:"initiator"`
	Members            []identity `json:"members"`
	ChannelDisplayName string     `json:"channelDisplayName"`
	TeamDisplayName    string     `json:"teamDisplayName"`
	ChatDisplayName    string     `json:"chatDisplayName"`
	CallEventType      string     `json:"callEventType"`
	CallDuration       string     `json:"callDuration"`
}

var camelRe = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// describeEvent turns a system event's eventDetail into a sentence such as
// "Members added by Ana Lima: Bo Chen, Cy Diaz".
func describeEvent(raw json.RawMessage) string {
	var d eventDetail
	if err := json.Unmarshal(raw, &d); err != nil || d.Type == "" {
		return ""
	}
	name := strings.TrimPrefix(d.Type, "#microsoft.graph.")
	name = strings.TrimSuffix(name, "EventMessageDetail")
	name = strings.ToLower(camelRe.ReplaceAllString(name, "$1 $2"))
	if name == "" {
		return ""
	}
	text := strings.ToUpper(name[:1]) + name[1:]
	if d.Initiator != nil {
		if who := actorOf(d.Initiator); who != "system" {
			text += " by " + who
		}
	}
	var names []string
	for _, m := range d.Members {
		names = append(names, importers.Users{m.ID: m.DisplayName}.Name(m.ID))
	}
	for _, s := range []string{d.ChannelDisplayName, d.TeamDisplayName, d.ChatDisplayName, d.CallEventType, d.CallDuration} {
		if s = importers.NormalizeText(s); s != "" {
			names = append(names, s)
		}
	}
	if len(names) > 0 {
		text += ": " + strings.Join(names, ", ")
	}
	return importers.NormalizeText(text)
}
