package datatypes

import (
	"bytes"
	"math"
	"strconv"

	"github.com/cairn-db/cairn/resp"
)

// ScoreRange is a ZRANGEBYSCORE interval: Min <= score <= Max, with either
// end exclusive ("(1.5"). Min and Max may be infinite, never NaN.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// ParseScoreRange parses the min and max arguments of ZRANGEBYSCORE,
// ZCOUNT and the like as Redis's zslParseRange does: an optional "(" for
// an exclusive end, then what strtod takes whole (leading spaces, "inf",
// "-inf", hex floats; an empty string is 0; overflow is an infinity). It
// reports false for resp.ErrZMinMaxNotFloat.
func ParseScoreRange(min, max []byte) (ScoreRange, bool) {
	var r ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = parseScoreBound(min); !ok {
		return r, false
	}
	if r.Max, r.MaxEx, ok = parseScoreBound(max); !ok {
		return r, false
	}
	return r, true
}

func parseScoreBound(b []byte) (float64, bool, bool) {
	ex := len(b) > 0 && b[0] == '('
	if ex {
		b = b[1:]
	}
	f, ok := strtod(b)
	return f, ex, ok
}

// strtod parses b as C's strtod called on the whole of it, which must be
// consumed: leading white space is skipped, an empty string is 0, a
// result out of range is an infinity or 0. NaN is refused.
func strtod(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	b = bytes.TrimLeft(b, " \t\n\v\f\r")
	if f, ok := resp.ParseDouble(b); ok {
		return f, true
	}
	// What ParseDouble refuses beyond NaN and bad syntax is a result out
	// of range, which strtod returns (with ERANGE, which Redis ignores).
	if len(b) == 0 || bytes.IndexByte(b, '_') >= 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if math.IsNaN(f) {
		return 0, false
	}
	if ne, isNum := err.(*strconv.NumError); err == nil || (isNum && ne.Err == strconv.ErrRange) {
		return f, true
	}
	return 0, false
}

// empty reports whether no score can be in r (zslIsInRange's test).
func (r ScoreRange) empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// LexBound is one end of a ZRANGEBYLEX interval.
type LexBound struct {
	// Inf is -1 for "-" (below every member), +1 for "+" (above every
	// member), 0 for a member bound.
	Inf int8
	// Ex is set for "(member" (and for "-" and "+", as Redis sets it).
	Ex     bool
	Member []byte
}

// LexRange is a ZRANGEBYLEX interval.
type LexRange struct {
	Min, Max LexBound
}

// ParseLexBound parses "-", "+", "[member" or "(member" as Redis's
// zslParseLexRangeItem does. The member aliases b.
func ParseLexBound(b []byte) (LexBound, bool) {
	if len(b) == 0 {
		return LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		// Redis reads a C string: "+" followed by a NUL byte is "+".
		if len(b) > 1 && b[1] != 0 {
			return LexBound{}, false
		}
		inf := int8(1)
		if b[0] == '-' {
			inf = -1
		}
		return LexBound{Inf: inf, Ex: true}, true
	case '(':
		return LexBound{Ex: true, Member: b[1:]}, true
	case '[':
		return LexBound{Member: b[1:]}, true
	}
	return LexBound{}, false
}

// ParseLexRange parses the min and max arguments of ZRANGEBYLEX,
// ZLEXCOUNT and the like. It reports false for resp.ErrZLexRange.
func ParseLexRange(min, max []byte) (LexRange, bool) {
	lo, ok := ParseLexBound(min)
	if !ok {
		return LexRange{}, false
	}
	hi, ok := ParseLexBound(max)
	if !ok {
		return LexRange{}, false
	}
	return LexRange{Min: lo, Max: hi}, true
}

// cmpLex orders two bounds as Redis's sdscmplex does.
func cmpLex(a, b LexBound) int {
	if a.Inf == b.Inf && a.Inf != 0 {
		return 0
	}
	if a.Inf < 0 || b.Inf > 0 {
		return -1
	}
	if a.Inf > 0 || b.Inf < 0 {
		return 1
	}
	return bytes.Compare(a.Member, b.Member)
}

// empty reports whether no member can be in r (zslIsInLexRange's test).
func (r LexRange) empty() bool {
	c := cmpLex(r.Min, r.Max)
	return c > 0 || (c == 0 && (r.Min.Ex || r.Max.Ex))
}

// aboveMin reports whether member is at or above r's min, as Redis's
// zslLexValueGteMin.
func (r LexRange) aboveMin(member []byte) bool {
	c := cmpLex(LexBound{Member: member}, r.Min)
	return c > 0 || (c == 0 && !r.Min.Ex)
}

// belowMax reports whether member is at or below r's max
// (zslLexValueLteMax).
func (r LexRange) belowMax(member []byte) bool {
	c := cmpLex(LexBound{Member: member}, r.Max)
	return c < 0 || (c == 0 && !r.Max.Ex)
}

// NormRankRange turns ZRANGE's start and stop (negative counts from the
// end) into 0 <= start <= stop < n as Redis does, or reports that the
// range is empty.
func NormRankRange(start, stop, n int) (int, int, bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return 0, 0, false
	}
	return start, min(stop, n-1), true
}
