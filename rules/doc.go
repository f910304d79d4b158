// Package rules loads Falco rules files unchanged and runs them over
// events: lists, macros, rules, exceptions, append and override,
// enabled flags, tags, priorities, required_engine_version,
// required_plugin_versions and sources (../shared/reference/rules.md is
// the reference; its section numbers are cited in the code).
//
//	files, in order ──> Loader.LoadData / LoadPath   reader.go: YAML items, Falco's
//	                        │                        key checks, first error stops
//	                        ▼                        the file
//	                    collector                    collect.go: definitions, appends,
//	                        │                        overrides, exceptions
//	                        ▼
//	                    Loader.Compile               compile.go: lists flattened,
//	                        │                        macros parsed, each condition
//	                        │                        (with its exceptions) compiled by
//	                        │                        package query, outputs by its
//	                        ▼                        Printer
//	                    Ruleset ──Engine(Selection)──> Engine: the selected rules in
//	                                                 buckets by event type; Match runs
//	                                                 an event's bucket in rule order
//
// Conditions are compiled by the one filter engine (query.CompileExpr with
// query.Env{Macros, Lists}) against the field registry of the rule's
// source; a rule of an unknown source, or whose condition names a field
// the registry lacks, is left out with a warning and the others run. A
// field the output names but the registry lacks prints <NA>.
//
// Where forensics departs from Falco, on purpose: lists are expanded in
// the parsed condition (bare list items and list names after in,
// intersects and pmatch) rather than by text substitution, and lists
// nested in lists are expanded at any depth; all files are compiled
// together after the last one is read, so a rule may use a macro of a
// later file; macros may refer to macros defined after them; plugin
// requirements are warnings (forensics has no plugins; it provides the
// container plugin's fields itself).
//
// Errors are *LoadError values (wrapping ErrInvalid) and warnings
// LoadWarning values; both carry the file, line and column, the item
// (rule 'X', macro 'Y', list 'Z') and Falco's code (LOAD_ERR_*, LOAD_*).
package rules
