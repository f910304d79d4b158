package audit

import (
	"fmt"
	"time"

	"github.com/valyala/fastjson"

	"forensics/event"
)

// Event is one audit event.
type Event struct {
	// Num is the event's position in its input, from 1.
	Num uint64
	// Time is the stageTimestamp, ns since the epoch (§1.2).
	Time uint64
	// Raw is the event as compact JSON, keys in input order.
	Raw []byte
	// Value is the parsed event. It belongs to the reader that returned
	// the event and is valid until its next call.
	Value *fastjson.Value
	// File and Line say where the event was read (Line 0 for captures).
	File string
	Line int
	// strs holds the short strings already taken out of this reader's
	// events (verbs, resources, user names recur): see Str.
	strs map[string]string
}

// maxInterned bounds the strings a reader keeps for Str, and their length.
const (
	maxInterned    = 8192
	maxInternedLen = 96
)

// Str returns b as a string. Short strings are shared between the events
// of one reader, so that extracting the same verb or resource from every
// event does not allocate each time.
func (e *Event) Str(b []byte) string {
	if e.strs == nil || len(b) > maxInternedLen {
		return string(b)
	}
	if s, ok := e.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(e.strs) < maxInterned {
		e.strs[s] = s
	}
	return s
}

// PluginID is the k8saudit plugin's registered id: the plugin_id
// parameter of the pluginevent events that hold audit events.
const PluginID = 1

// PluginEventType is libs' pluginevent type.
const PluginEventType event.Type = 322

// splitValue appends to out the events of one JSON value: an Event, the
// items of an EventList, or the elements of an array of those (§1.2).
func splitValue(v *fastjson.Value, out []*fastjson.Value, depth int) ([]*fastjson.Value, error) {
	if depth > 32 {
		return out, fmt.Errorf("%w: arrays nest too deep", ErrBadEvent)
	}
	switch v.Type() {
	case fastjson.TypeArray:
		a, _ := v.Array()
		for _, e := range a {
			var err error
			if out, err = splitValue(e, out, depth+1); err != nil {
				return out, err
			}
		}
		return out, nil
	case fastjson.TypeObject:
		kind := v.Get("kind")
		if kind == nil || kind.Type() != fastjson.TypeString {
			return out, fmt.Errorf("%w: no \"kind\" of Event or EventList (kind is %s)", ErrBadEvent, describe(kind))
		}
		switch k := string(kind.GetStringBytes()); k {
		case "Event":
			return append(out, v), nil
		case "EventList":
			items := v.Get("items")
			if items == nil || items.Type() != fastjson.TypeArray {
				return out, fmt.Errorf("%w: EventList without an items array", ErrBadEvent)
			}
			a, _ := items.Array()
			for _, e := range a {
				if e.Type() != fastjson.TypeObject {
					return out, fmt.Errorf("%w: EventList item is a %s, not an object", ErrBadEvent, e.Type())
				}
				out = append(out, e)
			}
			return out, nil
		default:
			return out, fmt.Errorf("%w: kind is %q, want Event or EventList", ErrBadEvent, k)
		}
	}
	return out, fmt.Errorf("%w: a JSON %s, not an object", ErrBadEvent, v.Type())
}

func describe(v *fastjson.Value) string {
	if v == nil {
		return "missing"
	}
	s := v.String()
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// stageTime returns an event's stageTimestamp in ns since the epoch.
func stageTime(v *fastjson.Value) (uint64, error) {
	ts := v.Get("stageTimestamp")
	if ts == nil || ts.Type() != fastjson.TypeString {
		return 0, fmt.Errorf("%w: can't read stageTimestamp", ErrBadEvent)
	}
	t, err := time.Parse(time.RFC3339Nano, string(ts.GetStringBytes()))
	if err != nil {
		return 0, fmt.Errorf("%w: stageTimestamp: %v", ErrBadEvent, err)
	}
	if t.Year() < 1970 || t.Year() > 2261 {
		return 0, fmt.Errorf("%w: stageTimestamp %d is out of range", ErrBadEvent, t.Year())
	}
	return uint64(t.UnixNano()), nil
}

// Parse parses one JSON document (a line of a log, a webhook body) into
// its events, compacted, in order. Any bad part fails the whole document.
func Parse(data []byte) ([]Event, error) {
	var p fastjson.Parser
	v, err := p.ParseBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	vals, err := splitValue(v, nil, 0)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(vals))
	for _, ev := range vals {
		ts, err := stageTime(ev)
		if err != nil {
			return nil, err
		}
		out = append(out, Event{Time: ts, Raw: ev.MarshalTo(nil)})
	}
	return out, nil
}

// ToEvent encodes an audit event's compact JSON as a capture event
// (see the package doc).
func ToEvent(ts uint64, raw []byte) event.Event {
	id := []byte{PluginID, 0, 0, 0}
	return event.Event{Ts: ts, Tid: -1, Type: PluginEventType, FD: event.FD{Num: event.NoFD}, Params: [][]byte{id, raw}}
}

// FromEvent returns the audit event JSON a capture event holds, if it
// holds one.
func FromEvent(ev *event.Event) ([]byte, bool) {
	if ev.Type != PluginEventType || len(ev.Params) != 2 || len(ev.Params[0]) != 4 {
		return nil, false
	}
	p := ev.Params[0]
	if uint32(p[0])|uint32(p[1])<<8|uint32(p[2])<<16|uint32(p[3])<<24 != PluginID {
		return nil, false
	}
	return ev.Params[1], true
}
