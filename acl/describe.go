package acl

import "strings"

// Describe writes u's rules as ACL LIST and the ACL file do: flags,
// password hashes, then each selector (ACLDescribeUser).
func (us *Users) Describe(u *User) string {
	var b strings.Builder
	if u.enabled {
		b.WriteString("on ")
	} else {
		b.WriteString("off ")
	}
	if u.noPass {
		b.WriteString("nopass ")
	}
	if u.sanitize != "" {
		b.WriteString(u.sanitize + " ")
	}
	for _, p := range u.passwords {
		b.WriteString("#" + p + " ")
	}
	for i, s := range u.selectors {
		if i == 0 {
			b.WriteString(us.describeSelector(s))
		} else {
			b.WriteString(" (" + us.describeSelector(s) + ")")
		}
	}
	return b.String()
}

func (us *Users) describeSelector(s *selector) string {
	var b strings.Builder
	if s.allKeys {
		b.WriteString("~* ")
	} else {
		for _, k := range s.keys {
			b.WriteString(k.String() + " ")
		}
	}
	if s.allChannels {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, ch := range s.channels {
			b.WriteString("&" + ch + " ")
		}
	}
	b.WriteString(us.describeCommands(s))
	return b.String()
}

// describeCommands writes the rules that give s's commands: +@all or
// -@all, the categories that fit best, then single commands
// (ACLDescribeSelectorCommandRules). Redis lists the single commands in
// its command table's hash order, which changes from run to run; cairn in
// name order.
func (us *Users) describeCommands(s *selector) string {
	cat := us.cat
	fake := newSelector(cat, false)
	var rules []string
	additive := !s.bit(cat.futureBit())
	if additive {
		rules = append(rules, "-@all")
	} else {
		rules = append(rules, "+@all")
		fake.setAll(true)
	}
	// Apply the category that fits best, again and again, to fake; temp
	// holds what is left to describe.
	temp := s.clone()
	applied := make([]bool, len(categoryNames))
	for {
		best, minDiff, maxSame := -1, int(^uint(0)>>1), 0
		for j := range categoryNames {
			if applied[j] {
				continue
			}
			on, off := temp.count(cat, 1<<j)
			diff, same := on, off
			if additive {
				diff, same = off, on
			}
			if same > diff && (diff < minDiff || diff == minDiff && same > maxSame) {
				best, minDiff, maxSame = j, diff, same
			}
		}
		if best < 0 {
			break
		}
		c := Category(1) << best
		fake.allowCategory(cat, c, additive)
		temp.allowCategory(cat, c, !additive)
		sign := "-@"
		if additive {
			sign = "+@"
		}
		rules = append(rules, sign+categoryNames[best])
		applied[best] = true
	}
	// The categories without commands that rules named.
	empty, sign := s.deniedEmpty, "-@"
	if additive {
		empty, sign = s.allowedEmpty, "+@"
	}
	for j, name := range categoryNames {
		if empty&(1<<j) != 0 {
			rules = append(rules, sign+name)
		}
	}
	// Then the commands the categories got wrong.
	for _, cmd := range cat.all {
		if want := s.bit(cmd.id); want != fake.bit(cmd.id) {
			if want {
				rules = append(rules, "+"+cmd.Name)
			} else {
				rules = append(rules, "-"+cmd.Name)
			}
			fake.allow(cmd, want)
		}
		if !s.bit(cmd.id) {
			for _, arg := range s.firstArgs[cmd.id] {
				rules = append(rules, "+"+cmd.Name+"|"+arg)
			}
		}
	}
	return strings.Join(rules, " ")
}

// count counts the commands of category c that s allows and denies.
func (s *selector) count(cat *Catalog, c Category) (on, off int) {
	for _, cmd := range cat.all {
		if cmd.Categories&c == 0 {
			continue
		}
		if s.bit(cmd.id) {
			on++
		} else {
			off++
		}
	}
	return on, off
}

// describeParts describes a selector's commands, keys and channels apart,
// as ACL GETUSER does.
func (us *Users) describeParts(s *selector) (commands, keys, channels string) {
	var ks, cs []string
	switch {
	case s.allKeys:
		ks = []string{"~*"}
	default:
		for _, k := range s.keys {
			ks = append(ks, k.String())
		}
	}
	switch {
	case s.allChannels:
		cs = []string{"&*"}
	default:
		for _, ch := range s.channels {
			cs = append(cs, "&"+ch)
		}
	}
	return us.describeCommands(s), strings.Join(ks, " "), strings.Join(cs, " ")
}

// Selector is a selector's rules as ACL GETUSER shows them.
type Selector struct {
	Commands, Keys, Channels string
}

// UserInfo is a user as ACL GETUSER shows it.
type UserInfo struct {
	Flags     []string
	Passwords []string
	Root      Selector
	Selectors []Selector
}

// Info describes u for ACL GETUSER.
func (us *Users) Info(u *User) UserInfo {
	var info UserInfo
	if u.enabled {
		info.Flags = append(info.Flags, "on")
	} else {
		info.Flags = append(info.Flags, "off")
	}
	if u.noPass {
		info.Flags = append(info.Flags, "nopass")
	}
	if u.sanitize != "" {
		info.Flags = append(info.Flags, u.sanitize)
	}
	info.Passwords = append([]string{}, u.passwords...)
	for i, s := range u.selectors {
		var sel Selector
		sel.Commands, sel.Keys, sel.Channels = us.describeParts(s)
		if i == 0 {
			info.Root = sel
		} else {
			info.Selectors = append(info.Selectors, sel)
		}
	}
	return info
}
