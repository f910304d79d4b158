package query

import (
	"forensics/query/fields"
	"forensics/query/filter"
)

// node is a compiled filter node.
type node interface {
	// eval decides the event in c.
	eval(c *fields.Ctx) bool
	// filter narrows rows (ascending rows of b's block) to those that
	// match, reusing rows' storage (see vector.go).
	filter(b *blockCtx, rows []int32) []int32
	// cost estimates the work of filter per row, to order the terms of
	// an and.
	cost() int
}

type andNode struct{ kids []node }

func (n *andNode) eval(c *fields.Ctx) bool {
	for _, k := range n.kids {
		if !k.eval(c) {
			return false
		}
	}
	return true
}

type orNode struct{ kids []node }

func (n *orNode) eval(c *fields.Ctx) bool {
	for _, k := range n.kids {
		if k.eval(c) {
			return true
		}
	}
	return false
}

type notNode struct{ x node }

func (n *notNode) eval(c *fields.Ctx) bool { return !n.x.eval(c) }

// checkNode compares a field with literals or with another field.
type checkNode struct {
	ext    fields.Extractor
	trans  []string
	op     filter.Op
	mod    filter.Modifier
	o      *operand
	rhs    fields.Extractor // val(field)
	rtrans []string

	id           int        // leaf number, for the block evaluator's memos
	dep          fields.Dep // what the field's value depends on
	fdOnly       bool       // the field is missing on events of types without an fd
	matchesEmpty bool       // the comparison holds for an empty string
}

// extract gets a value and applies transformers, innermost first.
func extract(ext fields.Extractor, trans []string, c *fields.Ctx) (fields.Value, bool) {
	v, ok := ext(c)
	if !ok {
		return v, false
	}
	for i := len(trans) - 1; i >= 0; i-- {
		if v, ok = transform(trans[i], v); !ok {
			return v, false
		}
	}
	return v, true
}

func (n *checkNode) eval(c *fields.Ctx) bool {
	v, ok := extract(n.ext, n.trans, c)
	if !ok {
		return false // a missing value fails every comparison
	}
	if n.op == filter.OpExists {
		return true
	}
	o := n.o
	if n.rhs != nil {
		r, ok := extract(n.rhs, n.rtrans, c)
		if !ok {
			return false
		}
		var err error
		if o, err = parseOperand(v.Kind, n.op, []string{r.String()}); err != nil {
			return false
		}
	}
	if v.Kind == fields.TStrings {
		return n.evalList(v, o)
	}
	return n.evalOne(v, o)
}

// evalOne compares one value with the operand's values.
func (n *checkNode) evalOne(v fields.Value, o *operand) bool {
	count := len(o.strs)
	switch {
	case n.op == filter.OpIn || n.op == filter.OpIntersects:
		if v.Kind == fields.TString || v.Kind == fields.TBytes {
			return compareOne(v, n.op, o, 0)
		}
		for k := 0; k < count; k++ {
			if compareOne(v, filter.OpEq, o, k) {
				return true
			}
		}
		return false
	case n.op == filter.OpPmatch:
		return compareOne(v, n.op, o, 0)
	case n.mod != filter.ModNone:
		hits := 0
		for k := 0; k < count; k++ {
			if compareOne(v, n.op, o, k) {
				hits++
			}
		}
		switch n.mod {
		case filter.ModAnyOf:
			return hits > 0
		case filter.ModAllOf:
			return hits == count
		case filter.ModOneOf:
			return hits == 1
		}
		return false
	}
	return compareOne(v, n.op, o, 0)
}

// evalList compares a list-valued field: in needs every element in the
// set, intersects one; other operators match when any element does.
func (n *checkNode) evalList(v fields.Value, o *operand) bool {
	if len(v.List) == 0 {
		return false
	}
	switch n.op {
	case filter.OpIn:
		for _, s := range v.List {
			if !o.set[s] {
				return false
			}
		}
		return true
	case filter.OpIntersects:
		for _, s := range v.List {
			if o.set[s] {
				return true
			}
		}
		return false
	}
	for _, s := range v.List {
		if n.evalOne(fields.Str(s), o) {
			return true
		}
	}
	return false
}
