package scripting

import (
	"strings"
	"testing"
)

// The expected replies below are redis-server 7.0.15's.

func runLibTests(t *testing.T, tests []struct{ script, want string }) {
	t.Helper()
	for _, tt := range tests {
		got := eval(t, New(Options{}), &fakeCaller{}, 2, tt.script, nil, nil)
		if strings.HasPrefix(tt.want, "-") {
			// Errors: compare up to the script's SHA1.
			got, _, _ = strings.Cut(got, " script: ")
		}
		if got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.script, got, tt.want)
		}
	}
}

func TestCjson(t *testing.T) {
	runLibTests(t, []struct{ script, want string }{
		{"return cjson.encode({1,2,3})", "$7\r\n[1,2,3]\r\n"},
		{"return cjson.encode({a=1})", "$7\r\n{\"a\":1}\r\n"},
		{"return cjson.encode({})", "$2\r\n{}\r\n"},
		{"return cjson.encode({[1]=1,[3]=3})", "$10\r\n[1,null,3]\r\n"},
		{"return cjson.encode({[1]=1,[2]=1,[3]=1,[4]=1,[5]=1,[6]=1,[11]=1})", "$35\r\n[1,1,1,1,1,1,null,null,null,null,1]\r\n"},
		{"return cjson.encode({[1]=1,[20]=3})", "-ERR user_script:1: Cannot serialise table: excessively sparse array"},
		{"return cjson.encode({[0]=1})", "$7\r\n{\"0\":1}\r\n"},
		{"return cjson.encode({[1.5]=1})", "$9\r\n{\"1.5\":1}\r\n"},
		{"return cjson.encode({1.5, 0.1, 1e100, -0, 100000000000000})", "$25\r\n[1.5,0.1,1e+100,-0,1e+14]\r\n"},
		{"return cjson.encode(12345678901234567890)", "$19\r\n1.2345678901235e+19\r\n"},
		{"return cjson.encode('a\"b\\\\c/\\n\\1')", "$19\r\n\"a\\\"b\\\\c\\/\\n\\u0001\"\r\n"},
		{"return cjson.encode(string.char(127, 128, 255, 0))", "$16\r\n\"\\u007f\x80\xff\\u0000\"\r\n"},
		{"return cjson.encode(nil)", "$4\r\nnull\r\n"},
		{"return cjson.encode(cjson.null)", "$4\r\nnull\r\n"},
		{"return cjson.encode({a={b={1,{c=2}}}})", "$23\r\n{\"a\":{\"b\":[1,{\"c\":2}]}}\r\n"},
		{"return cjson.encode(1/0)", "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf"},
		{"return cjson.encode(function() end)", "-ERR user_script:1: Cannot serialise function: type not supported"},
		{"return cjson.encode({[true]=1})", "-ERR user_script:1: Cannot serialise boolean: table key must be a number or string"},
		{"local t = {} t[1] = t return cjson.encode(t)", "-ERR user_script:1: Cannot serialise, excessive nesting (1001)"},
		{"return cjson.encode()", "-ERR user_script:1: bad argument #1 to 'encode' (expected 1 argument)"},
		{"return cjson.decode('[1,2,3]')", "*3\r\n:1\r\n:2\r\n:3\r\n"},
		{"return cjson.decode('{\"a\":[1,2,{\"b\":null}]}').a[2]", ":2\r\n"},
		{"return type(cjson.decode('null'))", "$8\r\nuserdata\r\n"},
		{"return cjson.decode('\"\\\\u00e9\"')", "$2\r\n\xc3\xa9\r\n"},
		{"return cjson.decode(' \"a\\\\tb\\\\u0041\\\\ud83d\\\\ude00\" ')", "$8\r\na\tbA\xf0\x9f\x98\x80\r\n"},
		{"return cjson.decode('1e2')", ":100\r\n"},
		{"return cjson.decode('0x10')", ":16\r\n"},
		{"return cjson.decode('+1')", ":1\r\n"},
		{"return cjson.decode(5)", ":5\r\n"},
		{"return tostring(cjson.decode('-Infinity'))", "$4\r\n-inf\r\n"},
		{"return cjson.decode('[1,2,3]\\0garbage')[3]", ":3\r\n"},
		{"return cjson.decode('{')", "-ERR user_script:1: Expected object key string but found T_END at character 2"},
		{"return cjson.decode('[1,2')", "-ERR user_script:1: Expected comma or array end but found T_END at character 5"},
		{"return cjson.decode('nul')", "-ERR user_script:1: Expected value but found invalid token at character 1"},
		{"return cjson.decode('[1,]')", "-ERR user_script:1: Expected value but found T_ARR_END at character 4"},
		{"return cjson.decode('[1] x')", "-ERR user_script:1: Expected the end but found invalid token at character 5"},
		{"return cjson.decode('1.5e')", "-ERR user_script:1: Expected the end but found invalid token at character 4"},
		{"return cjson.decode('-')", "-ERR user_script:1: Expected value but found invalid number at character 1"},
		{"return cjson.decode('{\"a\" 1}')", "-ERR user_script:1: Expected colon but found T_NUMBER at character 6"},
		{"return cjson.decode('\"abc')", "-ERR user_script:1: Expected value but found unexpected end of string at character 5"},
		{"return cjson.decode('\"\\\\x\"')", "-ERR user_script:1: Expected value but found invalid escape code at character 2"},
		{"return cjson.decode('\"\\\\ud83d\"')", "-ERR user_script:1: Expected value but found invalid unicode escape code at character 2"},
		{"return cjson.decode('')", "-ERR user_script:1: Expected value but found T_END at character 1"},
		{"return cjson.decode({})", "-ERR user_script:1: bad argument #1 to 'decode' (string expected, got table)"},
		{"return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))", "-ERR user_script:1: Found too many nested data structures (1001) at character 1001"},
		{"return {cjson.encode_sparse_array()}", "*3\r\n$-1\r\n:2\r\n:10\r\n"},
		{"return {cjson._NAME, cjson._VERSION}", "*2\r\n$5\r\ncjson\r\n$5\r\n2.1.0\r\n"},
	})
}

func TestCmsgpack(t *testing.T) {
	runLibTests(t, []struct{ script, want string }{
		{"return cmsgpack.pack(1, 'a', {1,2}, {a=1}, true, nil, 1.5, -1, 300, -300, 70000)",
			"$29\r\n\x01\xa1a\x92\x01\x02\x81\xa1a\x01\xc3\xc0\xca?\xc0\x00\x00\xff\xcd\x01,\xd1\xfe\xd4\xce\x00\x01\x11p\r\n"},
		{"return cmsgpack.pack(2^40, -2^40, 0.1)",
			"$27\r\n\xcf\x00\x00\x01\x00\x00\x00\x00\x00\xd3\xff\xff\xff\x00\x00\x00\x00\x00\xcb?\xb9\x99\x99\x99\x99\x99\x9a\r\n"},
		{"return cmsgpack.pack(string.rep('x', 40))", "$42\r\n\xd9(" + strings.Repeat("x", 40) + "\r\n"},
		{"return cmsgpack.pack({[1]=1,[3]=3})", "$5\r\n\x82\x01\x01\x03\x03\r\n"},
		{"return cmsgpack.pack({})", "$1\r\n\x90\r\n"},
		{"local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
			"$17\r\n" + strings.Repeat("\x91", 16) + "\xc0\r\n"},
		{"return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2}, true, 1.5, -1))}", "*6\r\n:1\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n:1\r\n:1\r\n:-1\r\n"},
		{"return cmsgpack.unpack(cmsgpack.pack({a={b={c={1,2,3}}}})).a.b.c[3]", ":3\r\n"},
		{"return {cmsgpack.unpack_one(cmsgpack.pack(1,2))}", "*2\r\n:1\r\n:1\r\n"},
		{"return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2)}", "*3\r\n:2\r\n:1\r\n:2\r\n"},
		{"return {cmsgpack.unpack_one(cmsgpack.pack(1,2), 1)}", "*2\r\n:-1\r\n:2\r\n"},
		{"return cmsgpack.unpack(string.char(0xcf, 255,255,255,255,255,255,255,255))", ":-1\r\n"},
		{"return cmsgpack.unpack('')", "$-1\r\n"},
		{"return cmsgpack.unpack(string.char(0xc1))", "-ERR user_script:1: Bad data format in input."},
		{"return cmsgpack.unpack(string.char(0x93, 1))", "-ERR user_script:1: Missing bytes in input."},
		{"return cmsgpack.unpack(string.char(0x82, 0xc0, 1, 1, 2))", "-ERR table index is nil"},
		{"return cmsgpack.pack()", "-ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)"},
		{"return cmsgpack.unpack()", "-ERR user_script:1: bad argument #1 to 'unpack' (string expected, got no value)"},
	})
}

func TestBit(t *testing.T) {
	runLibTests(t, []struct{ script, want string }{
		{"return bit.band(0xffffffff, 0x0f)", ":15\r\n"},
		{"return bit.tobit(0xffffffff)", ":-1\r\n"},
		{"return bit.tobit(2^32+5)", ":5\r\n"},
		{"return {bit.tobit(1.5), bit.tobit(2.5)}", "*2\r\n:2\r\n:2\r\n"},
		{"return bit.tohex(255)", "$8\r\n000000ff\r\n"},
		{"return bit.tohex(-1)", "$8\r\nffffffff\r\n"},
		{"return bit.tohex(255, -4)", "$4\r\n00FF\r\n"},
		{"return bit.tohex(1, 100)", "$8\r\n00000001\r\n"},
		{"return bit.bnot(0)", ":-1\r\n"},
		{"return bit.lshift(1, 31)", ":-2147483648\r\n"},
		{"return bit.rshift(-1, 28)", ":15\r\n"},
		{"return bit.arshift(-256, 4)", ":-16\r\n"},
		{"return bit.rol(0x12345678, 8)", ":878082066\r\n"},
		{"return bit.ror(0x12345678, 8)", ":2014458966\r\n"},
		{"return bit.bswap(0x12345678)", ":2018915346\r\n"},
		{"return bit.bor(1, 2, 4, 8)", ":15\r\n"},
		{"return bit.bxor(5, 3)", ":6\r\n"},
		{"return bit.tobit('x')", "-ERR user_script:1: bad argument #1 to 'tobit' (number expected, got string)"},
		{"return bit.band()", "-ERR user_script:1: bad argument #1 to 'band' (number expected, got no value)"},
	})
}

func TestStruct(t *testing.T) {
	runLibTests(t, []struct{ script, want string }{
		{"return struct.pack('>I2', 258)", "$2\r\n\x01\x02\r\n"},
		{"return {struct.unpack('>I2', 'ab')}", "*2\r\n:24930\r\n:3\r\n"},
		{"return {struct.pack('<i4', -2), struct.pack('>h', 1), struct.pack('b', -1), struct.pack('B', 255)}",
			"*4\r\n$4\r\n\xfe\xff\xff\xff\r\n$2\r\n\x00\x01\r\n$1\r\n\xff\r\n$1\r\n\xff\r\n"},
		{"return {struct.pack('<d', 1.5), struct.pack('>f', 0.5)}", "*2\r\n$8\r\n\x00\x00\x00\x00\x00\x00\xf8?\r\n$4\r\n?\x00\x00\x00\r\n"},
		{"return {struct.pack('s', 'ab'), struct.pack('c3', 'abcdef'), struct.pack('c0', 'xyz'), struct.pack('!4 b i4', 1, 2)}",
			"*4\r\n$3\r\nab\x00\r\n$3\r\nabc\r\n$3\r\nxyz\r\n$8\r\n\x01\x00\x00\x00\x02\x00\x00\x00\r\n"},
		{"return {struct.unpack('<i4', struct.pack('<i4', -2))}", "*2\r\n:-2\r\n:5\r\n"},
		{"return {struct.unpack('>I4 s c2', struct.pack('>I4 s c2', 7, 'hi', 'zz'))}", "*4\r\n:7\r\n$2\r\nhi\r\n$2\r\nzz\r\n:10\r\n"},
		{"return {struct.unpack('b c0', struct.pack('b', 3) .. 'abcd')}", "*2\r\n$3\r\nabc\r\n:5\r\n"},
		{"return {struct.size('i4 h b'), struct.size('!4 b i4'), struct.size('d')}", "*3\r\n:7\r\n:8\r\n:8\r\n"},
		{"return struct.size('s')", "-ERR user_script:1: bad argument #1 to 'size' (option 's' has no fixed size)"},
		{"return struct.pack('z', 1)", "-ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'z')"},
		{"return struct.unpack('i4', 'ab')", "-ERR user_script:1: bad argument #2 to 'unpack' (data string too short)"},
		{"return struct.pack('i40', 1)", "-ERR user_script:1: integral size 40 is larger than limit of 32"},
		{"return struct.pack('!3 i4', 1)", "-ERR user_script:1: alignment 3 is not a power of 2"},
		{"return struct.unpack('c0', 'abc')", "-ERR user_script:1: format 'c0' needs a previous size"},
		{"return struct.unpack('s', 'abc')", "-ERR user_script:1: unfinished string in data"},
		{"return struct.pack('i4')", "-ERR user_script:1: bad argument #2 to 'pack' (number expected, got nil)"},
	})
}
