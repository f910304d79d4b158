package rules

import _ "embed"

// DefaultName is the name of the built-in ruleset in messages.
const DefaultName = "forensics_rules.yaml"

//go:embed forensics_rules.yaml
var defaultRules []byte

// Default returns the built-in ruleset (forensics_rules.yaml), used by
// replay when no rules file is given.
func Default() []byte { return append([]byte(nil), defaultRules...) }
