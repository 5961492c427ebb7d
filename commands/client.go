package commands

import (
	"time"

	"github.com/cairn-db/cairn/resp"
)

// ReplyMode is a client's CLIENT REPLY setting.
type ReplyMode int

// Reply modes.
const (
	ReplyOn ReplyMode = iota
	ReplyOff
	ReplySkip     // skip the reply to the next command
	replySkipThis // the command being run is the one to skip
)

// Client is the state of one connection. Everything in it but the
// immutable identity fields is guarded by the keyspace lock, under which
// every command runs, so CLIENT LIST can read other clients safely.
type Client struct {
	ID        int64
	Addr      string
	LocalAddr string
	Created   time.Time

	// W buffers the replies of the batch in progress; W.Proto is the
	// protocol version chosen by HELLO.
	W resp.Writer
	// DB is the selected database.
	DB            int
	Authenticated bool
	Name          string
	LibName       string
	LibVer        string
	ReplyMode     ReplyMode
	NoEvict       bool
	// LastCmd is the full name of the last command run.
	LastCmd         string
	LastInteraction time.Time
	// Closing asks the server to close the connection once the replies
	// written so far are sent (QUIT, CLIENT KILL of oneself).
	Closing bool

	// kill closes the connection from any goroutine; set by the server.
	kill func()
}

// NewClient returns the state of a new connection; kill must close it.
func NewClient(addr, localAddr string, now time.Time, kill func()) *Client {
	return &Client{
		Addr:            addr,
		LocalAddr:       localAddr,
		Created:         now,
		LastInteraction: now,
		W:               resp.Writer{Proto: 2},
		kill:            kill,
	}
}
