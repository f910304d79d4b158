package rules

import _ "embed"

// DefaultName is the name of the built-in ruleset in messages.
const DefaultName = "forensics_rules.yaml"

//go:embed forensics_rules.yaml
var defaultRules []byte

// Default returns the built-in ruleset (forensics_rules.yaml), used by
// replay when no rules file is given.
func Default() []byte { return append([]byte(nil), defaultRules...) }

// DefaultK8sAuditName is the name of the built-in Kubernetes audit
// ruleset in messages.
const DefaultK8sAuditName = "forensics_k8s_audit_rules.yaml"

//go:embed forensics_k8s_audit_rules.yaml
var defaultK8sAuditRules []byte

// DefaultK8sAudit returns the built-in Kubernetes audit ruleset (source
// k8s_audit: privileged pods, sensitive host mounts, host namespaces,
// exec and attach, admin role bindings, configmaps with credentials,
// secrets read by people, anonymous requests), used by replay on audit
// inputs when no rules file is given.
func DefaultK8sAudit() []byte { return append([]byte(nil), defaultK8sAuditRules...) }
