package rules

import (
	"errors"
	"fmt"
	"strings"

	"forensics/query"
	"forensics/query/fields"
	"forensics/query/filter"
)

// This file compiles the collected definitions (rules.md §3-§6): lists
// are flattened, macros parsed, each rule's condition (with its
// exceptions) compiled by the one filter engine, package query, and its
// output by query's Printer.

// Compile compiles what was loaded into a Ruleset. A rule of a source the
// Loader does not know, or that needs a field the source lacks, is left
// out with a warning; any other problem is an error naming the item.
func (l *Loader) Compile() (*Ruleset, error) {
	lists := l.flattenLists()
	macros := make(map[string]filter.Expr, len(l.macros))
	for _, m := range l.macros {
		e, err := filter.Parse(m.cond)
		if err != nil {
			return nil, &LoadError{Message{Pos: m.pos, ItemType: "macro", ItemName: m.name,
				Code: CodeErrCompileCondition, Text: fmt.Sprintf("%v in condition %q", err, clip(m.cond))}}
		}
		m.expr = e
		macros[m.name] = e
	}
	env := &query.Env{Macros: macros, Lists: lists}
	resolved := map[string]bool{}
	for _, m := range l.macros {
		if err := l.resolveMacros(m.expr, macros, "macro", m.name, m.pos, []string{m.name}, resolved); err != nil {
			return nil, err
		}
		resolved[m.name] = true
		l.markUsed(m.expr)
	}
	sizes := map[string]int{}

	rs := &Ruleset{}
	for _, d := range l.rules {
		reg := l.opts.Sources[d.source]
		text := conditionText(d)
		if reg == nil {
			l.warn(Message{Pos: d.pos, ItemType: "rule", ItemName: d.name, Code: CodeUnknownSource,
				Text: fmt.Sprintf("Unknown source %s, skipping", d.source)})
			continue
		}
		expr, err := filter.Parse(text)
		if err != nil {
			return nil, &LoadError{Message{Pos: d.pos, ItemType: "rule", ItemName: d.name,
				Code: CodeErrCompileCondition, Text: fmt.Sprintf("%v in condition %q", err, clip(text))}}
		}
		l.markUsed(expr)
		if err := l.resolveMacros(expr, macros, "rule", d.name, d.pos, nil, resolved); err != nil {
			return nil, err
		}
		if n := expandedSize(expr, macros, sizes); n > MaxConditionNodes {
			return nil, &LoadError{Message{Pos: d.pos, ItemType: "rule", ItemName: d.name, Code: CodeErrCompileCondition,
				Text: fmt.Sprintf("condition expands to more than %d nodes once its macros are replaced", MaxConditionNodes)}}
		}
		l.warnDeprecated(expr, macros, d)
		l.warnUnsafeNA(expr, macros, d)
		if missing := missingField(expr, macros, reg); missing != "" {
			l.warn(Message{Pos: d.pos, ItemType: "rule", ItemName: d.name, Code: CodeUnknownFilter,
				Text: fmt.Sprintf("condition needs field %s, which forensics does not have; the rule is skipped", missing)})
			continue
		}
		f, err := query.CompileExpr(text, expr, reg, env)
		if err != nil {
			return nil, &LoadError{Message{Pos: d.pos, ItemType: "rule", ItemName: d.name,
				Code: CodeErrCompileCondition, Text: err.Error()}}
		}
		output := l.appendOutput(d, reg)
		pr, missing, err := compileOutput(output, reg)
		if err != nil {
			return nil, &LoadError{Message{Pos: d.pos, ItemType: "rule", ItemName: d.name,
				Code: CodeErrCompileOutput, Text: fmt.Sprintf("%v in output %q", err, clip(output))}}
		}
		if len(missing) > 0 {
			l.warn(Message{Pos: d.pos, ItemType: "rule", ItemName: d.name, Code: CodeUnknownFilter,
				Text: fmt.Sprintf("output names %s, which forensics does not have: printed as <NA>", strings.Join(missing, ", "))})
		}
		if d.source == "syscall" && d.warnEvttypes && (f.Types == nil || f.Types.Len() > 100) {
			l.warn(Message{Pos: d.pos, ItemType: "rule", ItemName: d.name, Code: CodeNoEvttype,
				Text: "Rule matches too many evt.type values. This has a significant performance penalty."})
		}
		rs.Rules = append(rs.Rules, &Rule{Name: d.name, Desc: d.desc, Condition: text, Output: output,
			Source: d.source, Priority: d.priority, Tags: d.tags, Enabled: d.enabled, Pos: d.pos,
			Filter: f, printer: pr})
	}
	for _, m := range l.macros {
		if !m.used {
			l.warn(Message{Pos: m.pos, ItemType: "macro", ItemName: m.name, Code: CodeUnusedMacro,
				Text: "Macro not referred to by any other rule/macro"})
		}
	}
	for _, li := range l.lists {
		if !li.used {
			l.warn(Message{Pos: li.pos, ItemType: "list", ItemName: li.name, Code: CodeUnusedList,
				Text: "List not referred to by any other rule/macro"})
		}
	}
	return rs, nil
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// flattenLists expands lists named inside lists, recursively, and
// unquotes items written with quotes ('"10.0.0.0/8"'), which Falco's
// textual substitution would read as quoted strings.
func (l *Loader) flattenLists() map[string][]string {
	out := make(map[string][]string, len(l.lists))
	var expand func(d *listDef, seen map[string]bool) []string
	expand = func(d *listDef, seen map[string]bool) []string {
		if v, ok := out[d.name]; ok {
			return v
		}
		seen[d.name] = true
		var items []string
		for _, it := range d.items {
			if sub := l.listIdx[it]; sub != nil && !seen[it] {
				sub.used = true
				items = append(items, expand(sub, seen)...)
				continue
			}
			items = append(items, unquote(it))
		}
		delete(seen, d.name)
		if items == nil {
			items = []string{}
		}
		out[d.name] = items
		return items
	}
	for _, d := range l.lists {
		expand(d, map[string]bool{})
	}
	return out
}

// unquote strips one level of matching quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		inner := s[1 : len(s)-1]
		return strings.ReplaceAll(inner, `\`+s[:1], s[:1])
	}
	return s
}

// markUsed records the macros and lists an expression names.
func (l *Loader) markUsed(e filter.Expr) {
	mark := func(name string) {
		if d := l.listIdx[name]; d != nil {
			d.used = true
		}
	}
	filter.Walk(e, func(x filter.Expr) bool {
		switch n := x.(type) {
		case *filter.Ref:
			if m := l.macroIdx[n.Name]; m != nil {
				m.used = true
			}
		case *filter.Check:
			switch v := n.Value.(type) {
			case *filter.ListRef:
				mark(v.Name)
			case *filter.List:
				for _, it := range v.Items {
					if it.Bare {
						mark(it.Text)
					}
				}
			case *filter.Literal:
				if !v.Quoted {
					mark(v.Text)
				}
			}
		}
		return true
	})
}

// MaxConditionNodes bounds a rule condition with its macros replaced
// (macros referring twice to macros that do the same grow exponentially).
// The largest official rule has 561.
const MaxConditionNodes = 200_000

// expandedSize counts the nodes of e with macros replaced, memoised per
// macro and capped past MaxConditionNodes.
func expandedSize(e filter.Expr, macros map[string]filter.Expr, memo map[string]int) int {
	n := 0
	filter.Walk(e, func(x filter.Expr) bool {
		if n > MaxConditionNodes {
			return false
		}
		n++
		if ref, ok := x.(*filter.Ref); ok {
			size, ok := memo[ref.Name]
			if !ok {
				memo[ref.Name] = MaxConditionNodes + 1 // a loop, if met again
				size = expandedSize(macros[ref.Name], macros, memo)
				memo[ref.Name] = size
			}
			n += size
		}
		return true
	})
	return n
}

// resolveMacros checks that every macro an expression names exists and
// that no macro refers to itself. resolved holds macros checked already.
func (l *Loader) resolveMacros(e filter.Expr, macros map[string]filter.Expr, kind, name string, pos Pos, stack []string, resolved map[string]bool) error {
	var err error
	filter.Walk(e, func(x filter.Expr) bool {
		ref, ok := x.(*filter.Ref)
		if !ok || err != nil {
			return err == nil
		}
		if resolved[ref.Name] {
			return false
		}
		m, ok := macros[ref.Name]
		if !ok {
			err = &LoadError{Message{Pos: pos, ItemType: kind, ItemName: name, Code: CodeErrValidate,
				Text: fmt.Sprintf("Undefined macro '%s' used in filter.", ref.Name)}}
			return false
		}
		for _, s := range stack {
			if s == ref.Name {
				err = &LoadError{Message{Pos: pos, ItemType: kind, ItemName: name, Code: CodeErrValidate,
					Text: fmt.Sprintf("reference loop in macro '%s'", ref.Name)}}
				return false
			}
		}
		err = l.resolveMacros(m, macros, kind, name, pos, append(stack, ref.Name), resolved)
		if err == nil {
			resolved[ref.Name] = true
		}
		return false
	})
	return err
}

// deprecatedFields are the fields Falco warns about in conditions
// (rules.md §5.1): modern drivers record exit events only.
var deprecatedFields = []string{"evt.dir", "evt.latency", "evt.latency.s", "evt.latency.ns", "evt.latency.human", "evt.wait_latency"}

// eachCheck calls fn with every comparison of e and of the macros it
// names (each macro once, however often it is named) until fn returns
// false.
func eachCheck(e filter.Expr, macros map[string]filter.Expr, fn func(*filter.Check) bool) {
	seen := map[string]bool{}
	stop := false
	var walk func(e filter.Expr)
	walk = func(e filter.Expr) {
		filter.Walk(e, func(x filter.Expr) bool {
			if stop {
				return false
			}
			switch n := x.(type) {
			case *filter.Ref:
				if !seen[n.Name] {
					seen[n.Name] = true
					walk(macros[n.Name])
				}
			case *filter.Check:
				stop = !fn(n)
			}
			return !stop
		})
	}
	walk(e)
}

// warnDeprecated warns once per rule about each deprecated field its
// condition (macros included) uses.
func (l *Loader) warnDeprecated(e filter.Expr, macros map[string]filter.Expr, d *ruleDef) {
	seen := map[string]bool{}
	eachCheck(e, macros, func(n *filter.Check) bool {
		if f := n.Field.Name; containsStr(deprecatedFields, f) && !seen[f] {
			seen[f] = true
			l.warn(Message{Pos: d.pos, ItemType: "rule", ItemName: d.name, Code: CodeDeprecatedItem,
				Text: fmt.Sprintf("The field %s is deprecated: captures of current drivers hold exit events only", f)})
		}
		return true
	})
}

// warnUnsafeNA warns once per rule about each ka.*, jevt.* or json.*
// field its condition (macros included) compares with <NA>: plugin fields
// without a value fail every comparison, so such a check is always false
// (k8saudit.md §2; Falco's LOAD_UNSAFE_NA_CHECK).
func (l *Loader) warnUnsafeNA(e filter.Expr, macros map[string]filter.Expr, d *ruleDef) {
	seen := map[string]bool{}
	eachCheck(e, macros, func(n *filter.Check) bool {
		f := n.Field.Name
		if seen[f] || !(strings.HasPrefix(f, "ka.") || strings.HasPrefix(f, "jevt.") || strings.HasPrefix(f, "json.")) {
			return true
		}
		na := false
		switch v := n.Value.(type) {
		case *filter.Literal:
			na = v.Text == "<NA>"
		case *filter.List:
			for _, it := range v.Items {
				na = na || it.Text == "<NA>"
			}
		}
		if na {
			seen[f] = true
			l.warn(Message{Pos: d.pos, ItemType: "rule", ItemName: d.name, Code: CodeUnsafeNACheck,
				Text: fmt.Sprintf("%s is compared with <NA>: a %s field without a value fails every comparison, so the check is always false; use exists or not ... exists", f, d.source)})
		}
		return true
	})
}

// missingField returns the first field the expression (macros expanded)
// names that reg lacks, or "".
func missingField(e filter.Expr, macros map[string]filter.Expr, reg *fields.Source) string {
	missing := ""
	eachCheck(e, macros, func(n *filter.Check) bool {
		refs := []filter.FieldRef{n.Field}
		if fv, ok := n.Value.(*filter.FieldValue); ok {
			refs = append(refs, fv.Field)
		}
		for _, f := range refs {
			if lacks(reg, f) {
				missing = f.String()
				return false
			}
		}
		return true
	})
	return missing
}

// lacks reports a field reference the registry cannot resolve.
func lacks(reg *fields.Source, f filter.FieldRef) bool {
	_, err := reg.Lookup(f.Name, f.Arg, f.HasArg)
	return errors.Is(err, fields.ErrUnknownField) || errors.Is(err, fields.ErrBadArgument)
}

// compileOutput compiles a rule output as Falco does (missing values
// print <NA>). The tokens of fields the registry lacks are replaced by
// the text <NA>; missing names them.
func compileOutput(output string, reg *fields.Source) (*query.Printer, []string, error) {
	f, err := filter.ParseFormat(output)
	if err != nil {
		return nil, nil, err
	}
	var missing []string
	var b strings.Builder
	for i, p := range f.Parts {
		end := len(output)
		if i+1 < len(f.Parts) {
			end = f.Parts[i+1].Pos
		}
		if p.Field != nil && lacks(reg, *p.Field) {
			missing = append(missing, p.Field.String())
			b.WriteString("<NA>")
			continue
		}
		b.WriteString(output[p.Pos:end])
	}
	pr, err := query.NewPrinter("*"+b.String(), reg)
	return pr, missing, err
}

// suggestedFields are the fields Falco's container plugin appends to
// every syscall rule's output (rules.md §5.2), in its order.
var suggestedFields = []string{"container.id", "container.name", "container.image.repository",
	"container.image.tag", "k8s.pod.name", "k8s.ns.name"}

// appendOutput applies the append_output entries that match d.
func (l *Loader) appendOutput(d *ruleDef, reg *fields.Source) string {
	out := d.output
	for _, a := range l.opts.AppendOutput {
		if a.Source != "" && a.Source != d.source || a.Rule != "" && a.Rule != d.name {
			continue
		}
		ok := true
		for _, t := range a.Tags {
			if !containsStr(d.tags, t) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		if a.ExtraOutput != "" {
			out += " " + a.ExtraOutput
		}
		if a.Suggested {
			for _, name := range suggestedFields {
				if _, err := reg.Lookup(name, "", false); err == nil {
					out += " " + strings.ReplaceAll(name, ".", "_") + "=%" + name
				}
			}
		}
	}
	return out
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// conditionText is the rule's condition with its exceptions, as Falco
// writes it before parsing (rules.md §6.3): (C) and not (X1) and not ...
func conditionText(d *ruleDef) string {
	var parts []string
	for _, x := range d.exceptions {
		if s := exceptionText(x); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return d.cond
	}
	return "(" + d.cond + ") and not " + strings.Join(parts, " and not ")
}

func exceptionText(x *exceptionDef) string {
	if len(x.values) == 0 {
		return ""
	}
	if x.single {
		vals := make([]string, 0, len(x.values))
		for _, t := range x.values {
			for _, v := range t {
				if v.isList {
					vals = append(vals, "("+quoteItems(v.list)+")")
				} else {
					vals = append(vals, quoteItem(v.text))
				}
			}
		}
		return "(" + x.fields[0] + " " + x.comps[0] + " (" + strings.Join(vals, ", ") + "))"
	}
	var ors []string
	for _, t := range x.values {
		var ands []string
		for i, f := range x.fields {
			if i >= len(t) {
				break
			}
			ands = append(ands, f+" "+x.comps[i]+" "+excValueText(t[i], x.comps[i]))
		}
		ors = append(ors, "("+strings.Join(ands, " and ")+")")
	}
	return "(" + strings.Join(ors, " or ") + ")"
}

// excValueText renders one tuple element: a list as (a, b); a scalar of a
// list operator in parentheses (so a list name expands); others quoted
// when needed.
func excValueText(v excValue, comp string) string {
	if v.isList {
		return "(" + quoteItems(v.list) + ")"
	}
	op, mod, _ := validOp(comp)
	if mod || op.IsList() {
		if strings.HasPrefix(v.text, "(") {
			return v.text
		}
		return "(" + quoteItem(v.text) + ")"
	}
	return quoteItem(v.text)
}

func quoteItems(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = quoteItem(s)
	}
	return strings.Join(q, ", ")
}

// quoteItem quotes a value that would not read back as one bare string,
// unless it is already quoted.
func quoteItem(s string) string {
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		return s
	}
	bare := s != ""
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\b' || c == '(' || c == ')' ||
			c == ',' || c == '=' || c == '"' || c == '\'' || c == '\\':
			bare = false
		}
	}
	if bare {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`, "\b", `\b`)
	return `"` + r.Replace(s) + `"`
}
