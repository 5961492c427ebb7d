// Package version is cairn's own version and the build it runs from, for
// --version and INFO server. The Redis version cairn answers as is
// commands.ServerVersion.
package version

import (
	"runtime"
	"runtime/debug"
)

// Version is cairn's release version.
const Version = "0.1.0"

// Revision returns the VCS commit the binary was built from and whether
// its tree had changes not committed; "" when the build did not record
// it (go run, tests, a build outside the repository).
func Revision() (sha string, dirty bool) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			sha = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	return sha, dirty
}

// String is the line --version prints, in the shape of redis-server's
// ("cairn v=0.1.0 go=go1.26.8 sha=<commit>[-dirty]").
func String() string {
	sha, dirty := Revision()
	if sha == "" {
		sha = "unknown"
	}
	if dirty {
		sha += "-dirty"
	}
	return "cairn v=" + Version + " go=" + runtime.Version() + " sha=" + sha
}
