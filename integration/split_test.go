package integration

import (
	"slices"
	"testing"
)

// The expected values were checked by typing each line into redis-cli
// 7.0.15 (RPUSH l <line>, then LRANGE l 0 -1).
func TestSplitArgs(t *testing.T) {
	tests := []struct {
		line string
		want []string // nil: rejected as unbalanced
	}{
		{"", []string{}},
		{"   \t ", []string{}},
		{"a b  c", []string{"a", "b", "c"}},
		{"\ttab\tsep \v", []string{"tab", "sep"}},
		{`"" ''`, []string{"", ""}},
		{"\"a\"\t\"b\"", []string{"a", "b"}},
		{`a'b c'`, []string{"ab c"}},
		{`a"b c"`, []string{"ab c"}},
		{`"\x4a\x4G\xZZ\n\r\t\b\a\"\\\q"`, []string{"Jx4GxZZ\n\r\t\b\a\"\\q"}},
		{`"\xff\x00\xAb"`, []string{"\xff\x00\xab"}},
		{`'it\'s \n \x41'`, []string{`it's \n \x41`}},
		{`'a\\b'`, []string{`a\\b`}},
		{`x\y`, []string{`x\y`}},
		{"a\x00b c", []string{"a"}},
		{`"a"b`, nil},
		{`'a'b`, nil},
		{`a"b c"d`, nil},
		{`"unterminated`, nil},
		{`'unterminated`, nil},
		{`x\y "\"`, nil},
		{`"ends in backslash\`, nil},
	}
	for _, tt := range tests {
		got, err := SplitArgs(tt.line)
		if tt.want == nil {
			if err == nil {
				t.Errorf("SplitArgs(%q) = %q, want an error", tt.line, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q", tt.line, got, err, tt.want)
		}
	}
}
