package config

// EnvNames are the environment variables that set options, in table order: one per
// option, and for each secret also its _FILE variant. Deployment files are checked
// against them, so that a misspelt variable fails a test rather than a start-up.
func EnvNames() []string {
	var names []string
	for _, o := range options {
		names = append(names, EnvName(o.key))
		if o.secret {
			names = append(names, EnvName(o.key)+"_FILE")
		}
	}
	return names
}

// Keys are the configuration file's keys, section.key, in table order.
func Keys() []string { return knownKeys() }
