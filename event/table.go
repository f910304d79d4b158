package event

//go:generate go run ./internal/gentable -in ../../shared/reference/events.md -extra internal/gentable/extra.tsv -out table_gen.go

// The event table itself (table, tableIndex, nameIndex) is generated into
// table_gen.go from ../shared/reference/events.md (the forensics-relevant
// rows) and internal/gentable/extra.tsv (every other event code libs
// defines). It is never modified at run time; the functions below only read
// it.

// Lookup returns the layout of event type t, or nil when the table does not
// know t.
func Lookup(t Type) *Info {
	if t >= MaxType {
		return nil
	}
	k := tableIndex[t]
	if k == 0 {
		return nil
	}
	return &table[k-1]
}

// Info returns the layout of t, or nil when the table does not know t. It is
// the same as Lookup(t).
func (t Type) Info() *Info { return Lookup(t) }

// ByName returns every layout whose evt.type name is name: current layouts
// first, then the TOCTOU enter events, then old layouts. It returns nil for
// an unknown name. The slice is the caller's.
func ByName(name string) []*Info {
	types := nameIndex[name]
	if len(types) == 0 {
		return nil
	}
	out := make([]*Info, len(types))
	for i, t := range types {
		out[i] = Lookup(t)
	}
	return out
}

// All returns every layout of the table sorted by Type. The slice is the
// caller's.
func All() []*Info {
	out := make([]*Info, len(table))
	for i := range table {
		out[i] = &table[i]
	}
	return out
}
