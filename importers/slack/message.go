package slack

// message is one Slack message as the export's day files and the Web API's
// conversations.history / conversations.replies write it. Every field is
// optional; the converter decides what a missing one means.
type message struct {
	Type        string       `json:"type"`
	Subtype     string       `json:"subtype"`
	TS          string       `json:"ts"`
	User        string       `json:"user"`
	Text        string       `json:"text"`
	ThreadTS    string       `json:"thread_ts"`
	ReplyCount  int          `json:"reply_count"`
	Edited      *edited      `json:"edited"`
	Files       []file       `json:"files"`
	File        *file        `json:"file"`
	BotID       string       `json:"bot_id"`
	BotProfile  *botProfile  `json:"bot_profile"`
	Username    string       `json:"username"`
	UserProfile *profile     `json:"user_profile"`
	Attachments []attachment `json:"attachments"`
	Reactions   []reaction   `json:"reactions"`
	// Message is the new state of an edited message (subtype message_changed).
	Message *message `json:"message"`
	// PreviousMessage is what a message_deleted event removed.
	PreviousMessage *message `json:"previous_message"`
	DeletedTS       string   `json:"deleted_ts"`
}

type edited struct {
	User string `json:"user"`
	TS   string `json:"ts"`
}

// file is an uploaded file: in files[] (since 2019) or file (before).
type file struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Title      string `json:"title"`
	Mode       string `json:"mode"`
	URLPrivate string `json:"url_private"`
	Permalink  string `json:"permalink"`
}

type botProfile struct {
	Name string `json:"name"`
}

type attachment struct {
	Fallback string `json:"fallback"`
	Text     string `json:"text"`
	Title    string `json:"title"`
}

type reaction struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// profile is the part of a user's profile that names them.
type profile struct {
	DisplayName string `json:"display_name"`
	RealName    string `json:"real_name"`
	Name        string `json:"name"`
}

// user is one entry of users.json or the user of users.info.
type user struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	RealName string  `json:"real_name"`
	Profile  profile `json:"profile"`
}

// displayName picks what Slack shows: the display name, then the real
// name, then the handle.
func (u user) displayName() string {
	for _, s := range []string{u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name} {
		if s != "" {
			return s
		}
	}
	return ""
}

// conversation is one entry of channels.json, groups.json, mpims.json or
// dms.json, or the channel of conversations.info.
type conversation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// label is how events name the conversation: its name, or its id for
// direct messages, which have none.
func (c conversation) label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}
