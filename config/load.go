package config

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Load builds the configuration from, in rising precedence, the built-in
// defaults, the config file (--config FILE, or a first argument that is
// not a flag, as redis-server takes it), CAIRN_* environment variables
// (CAIRN_MAXMEMORY_POLICY for maxmemory-policy) and command-line flags
// named like the options (--port 6380). A bad value is an error naming
// the option.
func Load(args []string) (*Store, error) {
	fs := pflag.NewFlagSet("cairn", pflag.ContinueOnError)
	configPath := fs.String("config", "", "config file (YAML)")
	for _, o := range options {
		fs.String(o.name, o.def, "see config.yaml")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *configPath == "" && fs.NArg() > 0 {
		*configPath = fs.Arg(0)
	}

	v := viper.New()
	for _, o := range options {
		v.SetDefault(o.name, o.def)
	}
	if *configPath != "" {
		v.SetConfigFile(*configPath)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("reading config file %s: %w", *configPath, err)
		}
		for _, key := range v.AllKeys() {
			if lookup(key) == nil {
				return nil, fmt.Errorf("config file %s: unknown option '%s'", *configPath, key)
			}
		}
	}
	v.SetEnvPrefix("CAIRN")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	for _, o := range options {
		if f := fs.Lookup(o.name); f.Changed {
			v.Set(o.name, f.Value.String())
		}
	}

	c := &Config{}
	for _, o := range options {
		if err := o.set(c, v.GetString(o.name)); err != nil {
			return nil, fmt.Errorf("invalid value for option '%s': %v", o.name, err)
		}
	}
	return NewStore(c, *configPath), nil
}
