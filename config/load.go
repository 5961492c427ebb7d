package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// ErrHelp is Load's error for --help or -h, once it has printed the
// usage (WriteHelp) to standard error.
var ErrHelp = pflag.ErrHelp

// Load builds the configuration from, in rising precedence, the built-in
// defaults, the config file (--config FILE, or a first argument that is
// not a flag, as redis-server takes it), CAIRN_* environment variables
// (CAIRN_MAXMEMORY_POLICY for maxmemory-policy) and command-line flags
// named like the options (--port 6380). The file is YAML if its name ends
// in .yaml or .yml, Redis's format otherwise (a redis.conf). A bad value
// is an error naming the option, and so is an unknown option anywhere.
// Redis's options that cairn does not implement are accepted with a
// warning each (redisonly.go), which Store.Warnings returns for the
// caller to log.
func Load(args []string) (*Store, error) {
	fs := pflag.NewFlagSet("cairn", pflag.ContinueOnError)
	fs.Usage = func() { WriteHelp(fs.Output()) }
	configPath := fs.String("config", "", "config file (YAML, or Redis's format)")
	userFlags := fs.StringArray("user", nil, "an ACL user, as a redis.conf's user line: --user app on >pw ~app:* +@all")
	for _, o := range options {
		fs.String(o.name, o.def, o.desc)
	}
	for name := range redisOnly {
		fs.String(name, "", "Redis's, accepted with a warning")
	}
	if err := fs.Parse(redisArgs(args)); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok {
			return nil, unknownOption("flag --"+name, strings.ToLower(name))
		}
		return nil, err
	}
	if *configPath == "" && fs.NArg() > 0 {
		*configPath = fs.Arg(0)
	}

	var warnings []string
	// accepted are the values given to Redis's options without effect.
	accepted := map[string]acceptedValue{}
	v := viper.New()
	for _, o := range options {
		v.SetDefault(o.name, o.def)
	}
	redisFormat := false
	var users [][]string
	if *configPath != "" {
		ext := strings.ToLower(filepath.Ext(*configPath))
		if ext == ".yaml" || ext == ".yml" {
			if err := loadYAML(v, *configPath, accepted, &users); err != nil {
				return nil, err
			}
		} else {
			redisFormat = true
			if err := loadRedisConf(v, *configPath, accepted, &users); err != nil {
				return nil, err
			}
		}
	}
	for _, kv := range os.Environ() {
		key, value, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(key, "CAIRN_")
		if !ok {
			continue
		}
		name := strings.ToLower(strings.ReplaceAll(rest, "_", "-"))
		if err := give(v, accepted, name, value, "environment "+key, false); err != nil {
			return nil, err
		}
	}
	var flagErr error
	fs.Visit(func(f *pflag.Flag) {
		if f.Name != "config" && f.Name != "user" && flagErr == nil {
			flagErr = give(v, accepted, f.Name, f.Value.String(), "flag --"+f.Name, false)
		}
	})
	if flagErr != nil {
		return nil, flagErr
	}

	// From the defaults: a client-output-buffer-limit value sets only the
	// classes it names, as in Redis.
	c := Defaults()
	for _, o := range options {
		if err := o.set(c, v.GetString(o.name)); err != nil {
			return nil, fmt.Errorf("invalid value for option '%s': %v", o.name, err)
		}
	}
	// Users on the command line come after the file's, as in Redis.
	for _, line := range *userFlags {
		args, err := splitLine(line)
		if err != nil || len(args) == 0 {
			return nil, fmt.Errorf("flag --user: bad user %q", line)
		}
		users = append(users, args)
	}
	c.Users = users
	// One warning per option, however many times it was given.
	for _, name := range redisOnlyNames {
		if a, ok := accepted[name]; ok {
			warnings = append(warnings, fmt.Sprintf("%s: option '%s' has no effect: %s", a.where, name, redisOnly[name].why))
			c.setRedisOnly(name, a.value)
		}
	}
	st := NewStore(c, *configPath)
	st.redisFormat, st.warnings = redisFormat, warnings
	return st, nil
}

func redisOnlyName(name string) bool {
	_, ok := redisOnly[name]
	return ok
}

// loadYAML reads a YAML config file's options as defaults of v, below
// the environment and the flags (Redis's without effect into accepted).
// Its user key lists users as a redis.conf's user lines write them.
func loadYAML(v *viper.Viper, path string, accepted map[string]acceptedValue, users *[][]string) error {
	f := viper.New()
	f.SetConfigFile(path)
	f.SetConfigType("yaml")
	if err := f.ReadInConfig(); err != nil {
		return fmt.Errorf("reading config file %s: %w", path, err)
	}
	for _, key := range f.AllKeys() {
		if key == "user" {
			for _, line := range f.GetStringSlice(key) {
				args, err := splitLine(line)
				if err != nil || len(args) == 0 {
					return fmt.Errorf("config file %s: bad user %q", path, line)
				}
				*users = append(*users, args)
			}
			continue
		}
		if err := give(v, accepted, key, f.GetString(key), "config file "+path, true); err != nil {
			return err
		}
	}
	return nil
}

// give sets option name to value, given at where: one of cairn's in v (a
// file's as a default, below the environment and the flags), one of
// Redis's without effect in accepted; any other name is an error.
func give(v *viper.Viper, accepted map[string]acceptedValue, name, value, where string, fromFile bool) error {
	switch o := lookup(name); {
	case o != nil && fromFile:
		v.SetDefault(o.name, value)
	case o != nil:
		v.Set(o.name, value)
	case redisOnlyName(name):
		return accept(accepted, name, value, where)
	default:
		return unknownOption(where, name)
	}
	return nil
}

// loadRedisConf reads a redis.conf's options as defaults of v, below the
// environment and the flags. An option's arguments are its value joined
// by spaces (bind 127.0.0.1 -::1); save and client-output-buffer-limit
// lines add up, as in Redis, and save "" clears the save points. The
// values of Redis's options without effect go to accepted, the user lines
// to users.
func loadRedisConf(v *viper.Viper, path string, accepted map[string]acceptedValue, users *[][]string) error {
	dirs, err := readRedisConf(path)
	if err != nil {
		return fmt.Errorf("reading config file %s: %w", path, err)
	}
	cumulative := map[string][]string{}
	for _, d := range dirs {
		value := strings.Join(d.args, " ")
		o := lookup(d.name)
		switch {
		case strings.EqualFold(d.name, "user"):
			if len(d.args) == 0 {
				return fmt.Errorf("%s: user needs a name", d.where)
			}
			*users = append(*users, d.args)
		case o != nil && o.name == "save":
			if value == "" {
				cumulative[o.name] = []string{}
			} else {
				cumulative[o.name] = append(cumulative[o.name], value)
			}
		case o != nil && o.name == "client-output-buffer-limit":
			// Each line sets its class (Load starts from the defaults).
			cumulative[o.name] = append(cumulative[o.name], value)
		default:
			if err := give(v, accepted, d.name, value, d.where, true); err != nil {
				return err
			}
		}
	}
	for name, values := range cumulative {
		v.SetDefault(name, strings.Join(values, " "))
	}
	return nil
}

// acceptedValue is the value given to a Redis-only option, the last one,
// and where it was first given.
type acceptedValue struct{ value, where string }

// accept records a Redis-only option's value, or refuses one cairn
// cannot honour.
func accept(accepted map[string]acceptedValue, name, value, where string) error {
	if err := checkRedisOnly(name, value, where); err != nil {
		return err
	}
	a, seen := accepted[name]
	if !seen {
		a.where = where
	}
	a.value = value
	accepted[name] = a
	return nil
}

// redisArgs rewrites a redis-server command line for the flag parser:
// redis-server takes an option's arguments as the words up to the next
// "--" (--save 900 1 --bind 127.0.0.1 -::1), which become one value
// (--save="900 1"). A first word not starting with "-" is the config
// file, as redis-server takes it.
func redisArgs(args []string) []string {
	var out []string
	i := 0
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		out = append(out, args[0])
		i = 1
	}
	for i < len(args) {
		a := args[i]
		i++
		if !strings.HasPrefix(a, "--") || strings.Contains(a, "=") || a == "--" {
			out = append(out, a)
			continue
		}
		var values []string
		for i < len(args) && !strings.HasPrefix(args[i], "--") {
			values = append(values, args[i])
			i++
		}
		if len(values) == 0 {
			out = append(out, a)
		} else {
			out = append(out, a+"="+strings.Join(values, " "))
		}
	}
	return out
}
