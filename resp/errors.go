package resp

import (
	"fmt"
	"strings"
)

// Error texts copied to the letter from Redis 7.0: clients match on them.
const (
	ErrWrongType       = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNotInteger      = "ERR value is not an integer or out of range"
	ErrNotFloat        = "ERR value is not a valid float"
	ErrSyntax          = "ERR syntax error"
	ErrNoSuchKey       = "ERR no such key"
	ErrIndexRange      = "ERR index out of range"
	ErrOverflow        = "ERR increment or decrement would overflow"
	ErrNaNOrInf        = "ERR increment would produce NaN or Infinity"
	ErrDBIndex         = "ERR DB index is out of range"
	ErrInvalidDBIndex  = "ERR invalid DB index"
	ErrSameObject      = "ERR source and destination objects are the same"
	ErrStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrOffsetRange     = "ERR offset is out of range"
	ErrBitOffset       = "ERR bit offset is not an integer or out of range"
	ErrNoAuth          = "NOAUTH Authentication required."
	ErrWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	ErrCursor          = "ERR invalid cursor"
	ErrTimeout         = "ERR timeout is not an integer or out of range"
	ErrTimeoutNegative = "ERR timeout is negative"
	ErrAuthNoPassword  = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	ErrOOM             = "OOM command not allowed when used memory > 'maxmemory'."
	ErrNotPositive     = "ERR value is out of range, must be positive"
)

// ErrWrongArgs is Redis's arity error; name is the command's full name in
// lower case ("get", "config|get").
func ErrWrongArgs(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// ErrUnknownCommand is the reply to a command that does not exist, quoting
// the arguments the way Redis does (at most about 128 bytes of them).
func ErrUnknownCommand(name []byte, args [][]byte) string {
	var b strings.Builder
	for _, a := range args {
		if b.Len() >= 128 {
			break
		}
		room := 128 - b.Len()
		if len(a) > room {
			a = a[:room]
		}
		b.WriteByte('\'')
		b.Write(a)
		b.WriteString("' ")
	}
	return fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s", clip(name, 128), b.String())
}

// ErrUnknownSubcommand is the reply to CONFIG FOO and its like.
func ErrUnknownSubcommand(sub []byte, container string) string {
	return fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.", clip(sub, 128), strings.ToUpper(container))
}

// ErrInvalidExpire is the reply to an expire time that overflows.
func ErrInvalidExpire(cmd string) string {
	return "ERR invalid expire time in '" + cmd + "' command"
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
