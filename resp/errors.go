package resp

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
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
	ErrZMinMaxNotFloat = "ERR min or max is not a float"
	ErrZLexRange       = "ERR min or max not valid string range item"
	ErrZScoreNaN       = "ERR resulting score is not a number (NaN)"
	ErrOOM             = "OOM command not allowed when used memory > 'maxmemory'."
	ErrNotPositive     = "ERR value is out of range, must be positive"
	ErrSortScore       = "ERR One or more scores can't be converted into double"
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
		a = clip(a, 128-b.Len())
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

// clip is b as C's "%.*s" prints it, as Redis's errors quote names and
// arguments: cut at a NUL byte, and to at most n bytes.
func clip(b []byte, n int) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) > n {
		return b[:n]
	}
	return b
}

// Errors of the string commands.
const (
	ErrDecrementOverflow = "ERR decrement would overflow"
	ErrLCSNotStrings     = "ERR The specified keys must contain string values"
	ErrLCSLenAndIdx      = "ERR If you want both the length and indexes, please just use IDX."
	ErrLCSTooMuchMemory  = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
)

// Errors of the generic key commands and the EXPIRE family.
const (
	ErrExpireNXAndOthers = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrExpireGTAndLT     = "ERR GT and LT options at the same time are not compatible"
	// ErrNotInt32 is getIntFromObjectOrReply's reply to an integer outside
	// a C int (MOVE, COPY DB); "must between" is Redis's wording.
	ErrNotInt32       = "ERR value is out of range, value must between -2147483648 and 2147483647"
	ErrLFUSelected    = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	ErrLFUNotSelected = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// Errors of DUMP and RESTORE.
const (
	ErrBusyKey       = "BUSYKEY Target key name already exists."
	ErrRestoreTTL    = "ERR Invalid TTL value, must be >= 0"
	ErrRestoreIdle   = "ERR Invalid IDLETIME value, must be >= 0"
	ErrRestoreFreq   = "ERR Invalid FREQ value, must be >= 0 and <= 255"
	ErrDumpPayload   = "ERR DUMP payload version or checksum are wrong"
	ErrBadDataFormat = "ERR Bad data format"
)

// ErrUnsupportedOption is the EXPIRE family's reply to an unknown option.
// Redis formats the option with %s, so it ends at the first NUL byte.
func ErrUnsupportedOption(opt []byte) string {
	for i, c := range opt {
		if c == 0 {
			opt = opt[:i]
			break
		}
	}
	return "ERR Unsupported option " + string(opt)
}

// Errors of COMMAND GETKEYS and GETKEYSANDFLAGS.
const (
	ErrGetKeysInvalidCommand = "ERR Invalid command specified"
	ErrGetKeysNoKeys         = "ERR The command has no key arguments"
	ErrGetKeysArity          = "ERR Invalid number of arguments specified for command"
	ErrGetKeysInvalidArgs    = "ERR Invalid arguments specified for command"
)

// Protocol errors: the replies to a malformed request, after which the
// connection is closed (networking.c).
const (
	ErrProtoInvalidMultibulkLen = "ERR Protocol error: invalid multibulk length"
	ErrProtoInvalidBulkLen      = "ERR Protocol error: invalid bulk length"
	ErrProtoBigMultibulkCount   = "ERR Protocol error: too big mbulk count string"
	ErrProtoBigBulkCount        = "ERR Protocol error: too big bulk count string"
	ErrProtoBigInline           = "ERR Protocol error: too big inline request"
	ErrProtoUnbalancedQuotes    = "ERR Protocol error: unbalanced quotes in request"
	ErrProtoUnauthMultibulkLen  = "ERR Protocol error: unauthenticated multibulk length"
	ErrProtoUnauthBulkLen       = "ERR Protocol error: unauthenticated bulk length"
)

// ErrProtoExpectedDollar is the reply to a bulk header that does not
// start with '$'. Redis prints the byte with %c and, as for every error
// reply, turns CR and LF into spaces.
func ErrProtoExpectedDollar(got byte) string {
	if got == '\r' || got == '\n' {
		got = ' '
	}
	return "ERR Protocol error: expected '$', got '" + string([]byte{got}) + "'"
}

// Errors of the connection and server commands (HELLO, AUTH, CLIENT,
// SWAPDB, SHUTDOWN, DEBUG).
const (
	ErrNoProto          = "NOPROTO unsupported protocol version"
	ErrProtoVersion     = "ERR Protocol version is not an integer or out of range"
	ErrHelloNoAuth      = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	ErrClientName       = "ERR Client names cannot contain spaces, newlines or special characters."
	ErrNoSuchClient     = "ERR No such client"
	ErrClientIDPositive = "ERR client-id should be greater than 0"
	ErrInvalidClientID  = "ERR Invalid client ID"
	ErrPauseMode        = "ERR CLIENT PAUSE mode must be WRITE or ALL"
	ErrNoShutdown       = "ERR No shutdown in progress."
	ErrLoading          = "LOADING Redis is loading the dataset in memory"
	ErrShutdownErrors   = "ERR Errors trying to SHUTDOWN. Check logs."
	ErrInvalidFirstDB   = "ERR invalid first DB index"
	ErrInvalidSecondDB  = "ERR invalid second DB index"
	ErrDebugNotAllowed  = `ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`
)

// ErrSubcommandSyntax is addReplySubcommandSyntaxError: sub is the
// subcommand and container the command as the client wrote them.
func ErrSubcommandSyntax(sub, container []byte) string {
	return fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
		clip(sub, 128), strings.ToUpper(string(container)))
}

// ErrHelloOption is HELLO's reply to an option it does not know.
func ErrHelloOption(opt []byte) string {
	return "ERR Syntax error in HELLO option '" + string(opt) + "'"
}

// ErrUnknownClientType is CLIENT LIST and CLIENT KILL's reply to a TYPE
// that is not normal, master, replica, slave or pubsub.
func ErrUnknownClientType(typ []byte) string {
	return "ERR Unknown client type '" + string(typ) + "'"
}

// ErrNoSuchUser is CLIENT KILL USER's reply to an unknown user.
func ErrNoSuchUser(user []byte) string {
	return "ERR No such user '" + string(user) + "'"
}

// ErrSetinfoOption is CLIENT SETINFO's reply to an attribute other than
// LIB-NAME and LIB-VER.
func ErrSetinfoOption(attr []byte) string {
	return "ERR Unrecognized option '" + string(attr) + "'"
}

// ErrSetinfoValue is CLIENT SETINFO's reply to a value with spaces or
// special characters; attr is the attribute as the client wrote it.
func ErrSetinfoValue(attr []byte) string {
	return "ERR " + string(attr) + " cannot contain spaces, newlines or special characters."
}

// Errors of EVAL, EVALSHA and SCRIPT, and the refusals of the commands a
// script calls (script.c, eval.c).
const (
	ErrNoScript           = "NOSCRIPT No matching script. Please use EVAL."
	ErrNumKeysTooMany     = "ERR Number of keys can't be greater than number of args"
	ErrNumKeysNegative    = "ERR Number of keys can't be negative"
	ErrScriptFlushOption  = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"
	ErrNotBusy            = "NOTBUSY No scripts in execution right now."
	ErrUnkillable         = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	ErrBusyScript         = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	ErrScriptWriteFlagRO  = "ERR Can not execute a script with write flag using *_ro command."
	ErrScriptUnknownCmd   = "ERR Unknown Redis command called from script"
	ErrScriptWrongArgs    = "ERR Wrong number of args calling Redis command from script"
	ErrScriptNotAllowed   = "ERR This Redis command is not allowed from script"
	ErrScriptReadOnly     = "ERR Write commands are not allowed from read-only scripts."
	ErrScriptMayReplicate = "ERR May-replicate commands are not allowed when client pause write."
	ErrScriptKilledByUser = "ERR Script killed by user with SCRIPT KILL..."
)

// Errors of FCALL and FUNCTION (functions.c).
const (
	ErrBusyFunction         = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	ErrFunctionNotFound     = "ERR Function not found"
	ErrBadNumKeys           = "ERR Bad number of keys provided"
	ErrLibraryNotFound      = "ERR Library not found"
	ErrFunctionFlushOption  = "ERR FUNCTION FLUSH only supports SYNC|ASYNC option"
	ErrRestorePolicy        = "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."
	ErrFunctionCodeMissing  = "ERR Function code is missing"
	ErrLibraryNameArgMissed = "ERR library name argument was not given"
)

// Errors of MULTI, EXEC, DISCARD and WATCH, and of the commands refused
// inside a transaction (multi.c, server.c).
const (
	ErrMultiNested         = "ERR MULTI calls can not be nested"
	ErrWatchInMulti        = "ERR WATCH inside MULTI is not allowed"
	ErrExecWithoutMulti    = "ERR EXEC without MULTI"
	ErrDiscardWithoutMulti = "ERR DISCARD without MULTI"
	ErrExecAbort           = "EXECABORT Transaction discarded because of previous errors."
	ErrNotInMulti          = "ERR Command not allowed inside a transaction"
)

// ErrExecAbortedBecause is the reply to an EXEC refused before it could
// run (wrong arity, not authenticated), which discards the transaction.
func ErrExecAbortedBecause(reason string) string {
	return "EXECABORT Transaction discarded because of: " + reason
}

// Errors of the set and hash commands and MEMORY USAGE.
const (
	ErrHashNotInteger     = "ERR hash value is not an integer"
	ErrHashNotFloat       = "ERR hash value is not a float"
	ErrNaNOrInfValue      = "ERR value is NaN or Infinity"
	ErrNumKeysNotPositive = "ERR numkeys should be greater than 0"
	ErrLimitNegative      = "ERR LIMIT can't be negative"
	ErrOutOfRange         = "ERR value is out of range"
	// ErrCountRange is the reply to a count of -2^63, whose negation does
	// not fit ("must between" is Redis's wording).
	ErrCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	// ErrReplyTooLarge is cairn's own: a negative SRANDMEMBER or HRANDFIELD
	// count asks for a reply of that many elements, which Redis builds
	// until memory runs out.
	ErrReplyTooLarge = "ERR count is too large: the reply would exceed proto-max-bulk-len"
)

// Errors of the list commands and of blocking (t_list.c, blocked.c,
// networking.c).
const (
	ErrTimeoutNotFloat    = "ERR timeout is not a float or out of range"
	ErrNumKeysPositive    = "ERR numkeys should be greater than 0"
	ErrCountPositive      = "ERR count should be greater than 0"
	ErrRankZero           = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	ErrCountNegative      = "ERR COUNT can't be negative"
	ErrMaxlenNegative     = "ERR MAXLEN can't be negative"
	ErrUnblockReason      = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
	ErrUnblockedByCommand = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
)

// Errors of the geo commands (geo.c). The errors that name the command
// or the coordinates are built by ErrGeo* functions.
const (
	ErrGeoUnit           = "ERR unsupported unit provided. please use M, KM, FT, MI"
	ErrGeoRadiusNumeric  = "ERR need numeric radius"
	ErrGeoRadiusNegative = "ERR radius cannot be negative"
	ErrGeoWidthNumeric   = "ERR need numeric width"
	ErrGeoHeightNumeric  = "ERR need numeric height"
	ErrGeoBoxNegative    = "ERR height or width cannot be negative"
	ErrGeoCount          = "ERR COUNT must be > 0"
	ErrGeoAnyCount       = "ERR the ANY argument requires COUNT argument"
	ErrGeoMember         = "ERR could not decode requested zset member"
	ErrGeoRadiusStore    = "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
	ErrGeoSearchStore    = "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
)

// ErrGeoLonLat is the reply to coordinates out of range, printed with %f
// as Redis prints them.
func ErrGeoLonLat(lon, lat float64) string {
	return "ERR invalid longitude,latitude pair " + cFloat(lon) + "," + cFloat(lat)
}

// cFloat formats as C's %f: six decimals, "inf" and "-inf".
func cFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// ErrGeoFrom and ErrGeoBy are GEOSEARCH's and GEOSEARCHSTORE's replies to
// a missing center or shape; name is the command's name as given.
func ErrGeoFrom(name []byte) string {
	return "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(name)
}

// ErrGeoBy: see ErrGeoFrom.
func ErrGeoBy(name []byte) string {
	return "ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(name)
}
