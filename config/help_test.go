package config

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryOptionDocumented: every option of the table has a description
// and one of the groups, so that --help lists it.
func TestEveryOptionDocumented(t *testing.T) {
	for _, o := range options {
		if strings.TrimSpace(o.desc) == "" || strings.Contains(o.desc, "\n") {
			t.Errorf("%s: description %q, want one line", o.name, o.desc)
		}
		if !slices.Contains(groups, o.group) {
			t.Errorf("%s: group %q is none of %v", o.name, o.group, groups)
		}
	}
}

// TestConfigYAMLGroups: config.yaml gives the options under the headings
// of their groups, in the groups' order.
func TestConfigYAMLGroups(t *testing.T) {
	text, err := os.ReadFile("../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`^#+ (.+?) #+$`)
	option := regexp.MustCompile(`^([a-z0-9-]+):`)
	var headings []string
	for _, line := range strings.Split(string(text), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			headings = append(headings, m[1])
			continue
		}
		m := option.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		o := lookup(m[1])
		switch {
		case o == nil:
			t.Errorf("config.yaml sets %s, which is not in the table", m[1])
		case len(headings) == 0 || headings[len(headings)-1] != o.group:
			t.Errorf("config.yaml gives %s under %v, its group is %q", m[1], headings[len(headings)-1:], o.group)
		}
	}
	if !slices.Equal(headings, groups) {
		t.Errorf("config.yaml's headings are %q, the groups %q", headings, groups)
	}
}

// TestHelpListsEveryOption: each option is a line of its group, with its
// default and description.
func TestHelpListsEveryOption(t *testing.T) {
	var b bytes.Buffer
	WriteHelp(&b)
	// sections are the help's paragraphs by their first line.
	sections := map[string]string{}
	for _, p := range strings.Split(b.String(), "\n\n") {
		head, body, _ := strings.Cut(p, "\n")
		sections[head] = body
	}
	for _, o := range options {
		line := regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(o.name+" "+helpValue(o.def)) + `\s+` + regexp.QuoteMeta(o.desc) + `$`)
		if !line.MatchString(sections[o.group+":"]) {
			t.Errorf("--help does not list %s with its default and description under %s", o.name, o.group)
		}
	}
}
